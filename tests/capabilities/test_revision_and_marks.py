"""The 2025 reference edition, source marks and tags: loading, round trips, clone, refusal on frozen rows."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction

from capabilities.fileformat import FrameworkFileError, parse_framework
from capabilities.models import Enabler, FrameworkVersion, Indicator, MaturityLevel, Source, Tag
from capabilities.services import framework_clone
from tests.capabilities.test_export_framework import strip_header
from tests.conftest import FRAMEWORK_FILE, ROOT, TINY_FRAMEWORK_FILE

pytestmark = pytest.mark.django_db

R2025_FILE = ROOT / "fixtures" / "mnr-2016-r2025.yaml"


def load(path):
    out = io.StringIO()
    call_command("load_framework", str(path), stdout=out)
    return out.getvalue()


def test_the_2025_reference_edition_loads_and_exports_byte_for_byte(capsys):
    load(FRAMEWORK_FILE)
    output = load(R2025_FILE)

    assert "MNR-2016-R2025 (published) created: 6 domains, 21 capabilities, 7 enablers, 106 indicators." in output
    capsys.readouterr()
    call_command("export_framework", "MNR-2016-R2025")
    assert capsys.readouterr().out == strip_header(R2025_FILE.read_text())
    assert "unchanged" in load(R2025_FILE)
    assert "unchanged" in load(FRAMEWORK_FILE)


def test_the_2025_edition_makes_the_revisions_of_the_issue():
    load(R2025_FILE)
    version = FrameworkVersion.objects.get(code="MNR-2016-R2025")
    indicators = {i.code: i for i in version.indicators.prefetch_related("descriptors")}

    # (a) references
    cap3 = version.capabilities.get(number=3)
    assert "UN Convention against Cybercrime" in cap3.outcome
    assert "Terminology Guidelines (second edition, 2025)" in version.capabilities.get(number=21).summary
    # (b) one fact, one place; (c) splits with new codes
    assert not {"C03.4", "C06.5", "C02.2", "C04.4", "C18.2", "C04.2", "C12.5"} & set(indicators)
    assert {"C04.6", "C04.7", "C04.8", "C12.6", "C12.7"} <= set(indicators)
    # (d) conditional elements are not core
    assert indicators["C07.2"].weight == 1
    assert indicators["C07.2"].question.startswith("Where appropriate")
    assert "24 hours a day" in indicators["C11.6"].descriptors.get(level=4).text
    assert "24 hours" not in indicators["C11.6"].descriptors.get(level=3).text
    # (e) statements only, five descriptors each
    assert not [code for code, i in indicators.items() if i.question.rstrip().endswith("?")]
    assert all([d.level for d in i.descriptors.all()] == [0, 1, 2, 3, 4] for i in indicators.values())
    # Titles keep their translations where the text is unchanged.
    assert all(c.title_fr and c.title_es and c.title_ar for c in version.capabilities.all())


@pytest.mark.parametrize("path", [FRAMEWORK_FILE, R2025_FILE], ids=["mnr-2016", "r2025"])
def test_both_fixtures_mark_what_the_portal_added(path):
    load(path)
    version = FrameworkVersion.objects.exclude(code="TINY-1").get()

    assert list(
        MaturityLevel.objects.filter(version=version, source=Source.PORTAL).values_list("level", flat=True)
    ) == [0]
    assert set(Enabler.objects.filter(version=version, source=Source.PORTAL).values_list("code", flat=True)) == {
        "E4",
        "E7",
    }
    assert set(Enabler.objects.filter(version=version).values_list("links_source", flat=True)) == {Source.PORTAL}
    assert set(Indicator.objects.filter(version=version, source=Source.PORTAL).values_list("code", flat=True)) == {
        "C08.3",
        "C18.5",
    }


@pytest.mark.parametrize("path", [FRAMEWORK_FILE, R2025_FILE], ids=["mnr-2016", "r2025"])
def test_both_fixtures_tag_by_prevention_level_with_translated_names(path):
    load(path)
    version = FrameworkVersion.objects.get(code=parse_framework(path.read_text())["version"]["code"])
    primary = Tag.objects.get(version=version, code="prevention-primary")

    assert (primary.name, primary.name_fr, primary.name_es, primary.name_ar) == (
        "Primary prevention",
        "Prévention primaire",
        "Prevención primaria",
        "الوقاية الأولية",
    )
    assert primary.lens_fr == "Niveau de prévention"
    assert sorted(primary.capabilities.values_list("number", flat=True)) == [13, 14, 15, 18, 19, 20]
    assert set(primary.indicators.values_list("code", flat=True)) == {"C15.1", "C15.5", "C18.1"}
    lenses = set(Tag.objects.filter(version=version).values_list("lens", flat=True))
    assert lenses == {"Prevention level", "INSPIRE strategy"}


def test_a_clone_keeps_marks_and_tags():
    load(R2025_FILE)
    version = FrameworkVersion.objects.get(code="MNR-2016-R2025")
    clone = framework_clone(version=version, code="MNR-2027", title="MNR 2027")

    assert Indicator.objects.get(version=clone, code="C08.3").source == Source.PORTAL
    assert MaturityLevel.objects.get(version=clone, level=0).source == Source.PORTAL
    assert Enabler.objects.get(version=clone, code="E7").source == Source.PORTAL
    tag = Tag.objects.get(version=clone, code="prevention-tertiary")
    assert tag.name_ar == "الوقاية الثالثية"
    assert sorted(tag.capabilities.values_list("number", flat=True)) == [5, 8, 9, 10, 11]
    assert all(c.version_id == clone.pk for c in tag.capabilities.all())
    assert set(Indicator.objects.get(version=clone, code="C15.1").tags.values_list("code", flat=True)) == {
        "prevention-primary"
    }


def test_published_tags_and_their_links_cannot_be_changed():
    load(R2025_FILE)
    version = FrameworkVersion.objects.get(code="MNR-2016-R2025")
    tag = Tag.objects.get(version=version, code="prevention-primary")
    for change in (
        lambda: Tag.objects.filter(pk=tag.pk).update(name="Changed"),
        lambda: Tag.objects.create(version=version, code="extra", lens="L", name="N"),
        lambda: version.capabilities.get(number=1).tags.add(tag),
        lambda: Indicator.objects.filter(version=version, code="C01.1").update(source=Source.PORTAL),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            change()
    tag.refresh_from_db()
    assert tag.name == "Primary prevention"


BROKEN = {
    "unknown tag": (
        lambda t: t.replace("  title: Leadership\n", "  title: Leadership\n  tags: [nope]\n"),
        "capability 1: unknown tag 'nope' (the file defines: primary)",
    ),
    "bad source": (
        lambda t: t.replace("    weight: 3\n", "    weight: 3\n    source: somewhere\n", 1),
        "capability 3 › indicator C03.1: 'source' must be one of mnr-2016, portal, found 'somewhere'",
    ),
    "bad tag code": (
        lambda t: t.replace("- code: primary\n", "- code: Primary Level\n"),
        "tag Primary Level: a tag code has only lowercase letters, digits and hyphens",
    ),
}
TAGS = "tags:\n- code: primary\n  lens: Prevention level\n  name: Primary prevention\ncapabilities:\n"


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_marks_and_tags_are_checked(case):
    text = TINY_FRAMEWORK_FILE.read_text().replace("capabilities:\n", TAGS, 1)
    assert parse_framework(text)["tags"][0]["code"] == "primary"
    change, message = BROKEN[case]
    with pytest.raises(FrameworkFileError) as excinfo:
        parse_framework(change(text), "tiny.yaml")
    assert any(message in p for p in excinfo.value.problems), excinfo.value.problems
