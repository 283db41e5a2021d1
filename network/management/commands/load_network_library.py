from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from network.library import LIBRARY_FILE, library_load


class Command(BaseCommand):
    help = "Load the good-practice library's seed entries (re-runnable: upserts on each entry's code)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(LIBRARY_FILE))

    def handle(self, *args, path, **options):
        try:
            created, updated = library_load(path=path)
        except (ValidationError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Library: {created} entries created, {updated} updated.")
