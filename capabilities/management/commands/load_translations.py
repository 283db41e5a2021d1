from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.translationfiles import parse_yaml
from capabilities.translationload import load_pack_files
from capabilities.translationpacks import PackProblems, completeness


class Command(BaseCommand):
    help = (
        "Load translation packs (mnr-translation/1 YAML, e.g. fixtures/translations/*.yaml) with the status each "
        "file gives: provisional and published packs go live. All files are checked first; all or nothing; "
        "loading the same files again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Pack files, or directories of them.")

    def handle(self, *args, files, **options):
        paths = []
        for name in files:
            path = Path(name)
            paths += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        pack_files, problems = [], []
        for path in paths:
            try:
                pack_files.append((str(path), parse_yaml(path.read_text(encoding="utf-8"), source=str(path))))
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{path}: cannot read the file ({exc})")
            except PackProblems as exc:
                problems += exc.messages
        if problems:
            raise CommandError("Nothing was loaded:\n  " + "\n  ".join(problems))
        try:
            results = load_pack_files(pack_files)
        except PackProblems as exc:
            raise CommandError("Nothing was loaded:\n  " + "\n  ".join(exc.messages)) from exc
        for where, pack, _verb, _incomplete in results:
            if pack is None:
                self.stdout.write(f"{where}: unchanged.")
                continue
            figure = completeness(pack)
            self.stdout.write(
                f"{where}: {pack.version.code} ({pack.language}) {pack.get_status_display().lower()}, "
                f"{figure['done']}/{figure['total']} texts ({figure['percent']}%)."
            )
