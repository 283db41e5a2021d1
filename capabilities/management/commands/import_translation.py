from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.translationfiles import parse_xlsx, parse_yaml
from capabilities.translationload import version_of
from capabilities.translationpacks import PackProblems, completeness, pack_import


class Command(BaseCommand):
    help = (
        "Import a translator's workbook (or a mnr-translation/1 YAML pack) as the draft pack of its version and "
        "language. Everything is checked first (unknown keys, English changed since the export, placeholders); "
        "one problem and nothing is written. Empty translations are reported as incomplete."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx workbook from export_translation, or a .yaml pack.")
        parser.add_argument("--translator", default="", help="Who translated it (default: the name in the file).")
        parser.add_argument("--note", default="", help="A note kept with the pack.")

    def handle(self, *args, file, translator="", note="", **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc}); nothing was changed.") from exc
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                pack_file = parse_yaml(data.decode("utf-8"), source=file)
            else:
                pack_file = parse_xlsx(data, source=file)
            version = version_of(pack_file, where=file)
            pack, incomplete = pack_import(
                version=version,
                language=pack_file.language,
                entries=pack_file.entries,
                translator=translator or pack_file.translator,
                note=note or pack_file.note,
                where=file,
            )
        except (PackProblems, UnicodeDecodeError) as exc:
            lines = exc.messages if isinstance(exc, PackProblems) else [f"{file}: not UTF-8 text"]
            raise CommandError("Nothing was imported:\n  " + "\n  ".join(lines)) from exc
        figure = completeness(pack)
        self.stdout.write(
            f"Imported {version.code} ({pack.language}) as a draft pack: {figure['done']} of {figure['total']} texts "
            f"translated ({figure['percent']}%)."
        )
        if incomplete:
            self.stdout.write(
                f"Incomplete: {len(incomplete)} texts have no translation yet and show in English, e.g. "
                + ", ".join(incomplete[:5])
                + "."
            )
        self.stdout.write("Next: review it and put it live in the admin (Framework › Translation packs).")
