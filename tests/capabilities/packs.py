"""The shipped translation packs, loaded in tests that need the framework in another language."""

from capabilities.translationfiles import parse_yaml
from capabilities.translationpacks import pack_import, pack_publish
from tests.conftest import ROOT

PACKS = ROOT / "fixtures" / "translations"


def load_shipped_pack(version, language, *, skip=()):
    """Put the shipped ``language`` pack of ``version`` live (provisional), without the keys in ``skip``."""
    pack_file = parse_yaml((PACKS / f"{version.code}.{language}.yaml").read_text(), source=language)
    entries = {key: value for key, value in pack_file.entries.items() if key not in skip}
    pack, _ = pack_import(version=version, language=language, entries=entries, translator=pack_file.translator)
    return pack_publish(pack=pack, provisional=True)
