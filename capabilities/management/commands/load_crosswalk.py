from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.crosswalkformat import CrosswalkFileError, parse_crosswalk
from capabilities.crosswalks import crosswalk_load, relation_counts


class Command(BaseCommand):
    help = "Load or replace a crosswalk between two framework versions from a YAML file (idempotent, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the crosswalk YAML file (format mnr-crosswalk/1).")

    def handle(self, *args, file, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: cannot read the file ({exc}); nothing was changed.") from exc
        try:
            result = crosswalk_load(data=parse_crosswalk(text, source=file), source=file)
        except CrosswalkFileError as exc:
            raise CommandError(str(exc)) from exc
        verb = "created" if result.created else "replaced" if result.changed else "unchanged"
        counts = relation_counts(result.crosswalk)
        summary = "; ".join(
            f"{kind}: " + ", ".join(f"{n} {relation}" for relation, n in by_relation.items())
            for kind, by_relation in counts.items()
        )
        self.stdout.write(f"Crosswalk {result.crosswalk} {verb} ({summary}).")
