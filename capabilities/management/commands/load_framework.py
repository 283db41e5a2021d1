from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from capabilities.fileformat import FrameworkFileError, parse_framework
from capabilities.services import framework_load


class Command(BaseCommand):
    help = "Load or update a framework version from a YAML file (idempotent, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the framework YAML file.")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: cannot read the file ({exc}); nothing was changed.") from exc
        try:
            data = parse_framework(text, source=file)
            result = framework_load(data=data)
        except FrameworkFileError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            problems = "\n".join(f"  - {m}" for m in exc.messages)
            raise CommandError(f"{file}: the framework file was not loaded; nothing was changed.\n{problems}") from exc
        version = result.version
        if result.created:
            verb = "created"
        elif result.changed:
            verb = f"updated ({result.writes} rows written)"
        else:
            verb = "unchanged"
        self.stdout.write(
            f"{version.code} ({version.get_status_display().lower()}) {verb}: "
            f"{version.domains.count()} domains, {version.capabilities.count()} capabilities, "
            f"{version.enablers.count()} enablers, {version.indicators.count()} indicators."
        )
