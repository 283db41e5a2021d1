import sys

from django.core.management.base import BaseCommand, CommandError

from capabilities.fileformat import dump_framework, version_as_dict, without_languages
from capabilities.models import FrameworkVersion
from capabilities.translationpacks import languages_with_live_packs, live_languages


class Command(BaseCommand):
    help = "Write a framework version as YAML, in the format load_framework reads."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Version code, e.g. MNR-2016.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, code, output=None, **options):
        version = FrameworkVersion.objects.filter(code=code).first()
        if version is None:
            known = ", ".join(FrameworkVersion.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No framework version with code {code!r} (known: {known}).")
        # The texts of a language with a live translation pack belong to the pack (export_translation).
        data = without_languages(
            version_as_dict(version), live_languages(version.pk), sector_languages=languages_with_live_packs()
        )
        text = dump_framework(data)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {version.code} to {output}.")
        else:
            sys.stdout.write(text)
