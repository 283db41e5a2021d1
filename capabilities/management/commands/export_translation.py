from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.models import FrameworkVersion, TranslationPack
from capabilities.translation import other_languages
from capabilities.translationfiles import dump_xlsx, dump_yaml
from capabilities.translationpacks import framework_texts


class Command(BaseCommand):
    help = (
        "Write a version's texts for translation into LANG: an XLSX workbook (English beside the translation, "
        "prefilled from the pack in work or the live pack), or with --yaml the pack itself (mnr-translation/1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", help="Version code, e.g. MNR-2016.")
        parser.add_argument("language", help=f"Language code: {', '.join(other_languages())}.")
        parser.add_argument("-o", "--output", help="File to write (default: VERSION.LANG.xlsx, or .yaml).")
        parser.add_argument("--yaml", action="store_true", help="Write the pack as YAML instead of a workbook.")
        parser.add_argument("--translator", default="", help="Name written into the workbook.")

    def handle(self, *args, version, language, output=None, yaml=False, translator="", **options):
        found = FrameworkVersion.objects.filter(code=version).first()
        if found is None:
            known = ", ".join(FrameworkVersion.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No framework version with code {version!r} (known: {known}).")
        if language not in other_languages():
            raise CommandError(f"Unknown language {language!r}; use one of {', '.join(other_languages())}.")
        packs = TranslationPack.objects.filter(version=found, language=language)
        pack = (
            packs.filter(status__in=TranslationPack.WORKING).first()
            or packs.filter(status__in=TranslationPack.LIVE).first()
        )
        output = output or f"{found.code}.{language}.{'yaml' if yaml else 'xlsx'}"
        if yaml:
            if pack is None:
                raise CommandError(f"{found.code} has no {language} pack yet; export the workbook to start one.")
            Path(output).write_text(dump_yaml(pack), encoding="utf-8")
        else:
            texts = framework_texts(found)
            done = {t.key: t.text for t in pack.texts.all()} if pack else {}
            Path(output).write_bytes(dump_xlsx(found, language, texts, done, translator=translator))
        self.stderr.write(f"Wrote {found.code} ({language}) to {output}.")
