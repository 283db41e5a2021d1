import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from capabilities.models import (
    Capability,
    Domain,
    Enabler,
    FrameworkVersion,
    Indicator,
    LevelDescriptor,
    MaturityLevel,
    Sector,
)
from tests.conftest import FRAMEWORK_FILE, TINY_FRAMEWORK_FILE

pytestmark = pytest.mark.django_db

MODELS = [Sector, FrameworkVersion, Domain, Capability, Enabler, MaturityLevel, Indicator, LevelDescriptor]


def snapshot():
    """Every framework row, and every m2m link, as plain values."""
    rows = {model.__name__: sorted(map(repr, model.objects.values())) for model in MODELS}
    rows["indicator_sectors"] = sorted(Indicator.sectors.through.objects.values_list("indicator_id", "sector_id"))
    rows["enabler_capabilities"] = sorted(
        Enabler.capabilities.through.objects.values_list("enabler_id", "capability_id")
    )
    return rows


def load(path):
    out = io.StringIO()
    call_command("load_framework", str(path), stdout=out)
    return out.getvalue()


def test_loading_the_mnr_fixture_gives_6_domains_21_capabilities_7_enablers_and_at_least_84_indicators():
    output = load(FRAMEWORK_FILE)

    version = FrameworkVersion.objects.get(code="MNR-2016")
    assert version.status == FrameworkVersion.Status.PUBLISHED
    assert version.domains.count() == 6
    assert list(version.capabilities.values_list("number", flat=True)) == list(range(1, 22))
    assert version.enablers.count() == 7
    assert version.indicators.count() >= 84
    assert Sector.objects.count() == 15
    assert sorted(version.levels.values_list("level", flat=True)) == [0, 1, 2, 3, 4]
    assert "MNR-2016 (published) created: 6 domains, 21 capabilities, 7 enablers" in output


def test_every_capability_has_at_least_four_indicators_each_with_five_descriptors_and_a_sector():
    load(FRAMEWORK_FILE)
    for cap in Capability.objects.prefetch_related("indicators__descriptors", "indicators__sectors"):
        indicators = list(cap.indicators.all())
        assert len(indicators) >= 4, cap
        for ind in indicators:
            assert [d.level for d in ind.descriptors.all()] == [0, 1, 2, 3, 4], ind.code
            assert all(len(d.text) >= 15 for d in ind.descriptors.all()), ind.code
            assert ind.sectors.exists(), ind.code


def test_loading_twice_changes_nothing():
    load(FRAMEWORK_FILE)
    before = snapshot()

    output = load(FRAMEWORK_FILE)

    assert "unchanged" in output
    assert snapshot() == before


BROKEN = {
    "missing field": (
        lambda t: t.replace("    question: Is there a specialist unit?\n", ""),
        "capability 4 › indicator C04.1: missing field 'question'",
    ),
    "unknown domain": (lambda t: t.replace("  domain: B\n", "  domain: Z\n"), "capability 4: unknown domain 'Z'"),
    "duplicate code": (
        lambda t: t.replace("code: C04.2", "code: C04.1"),
        "indicator C04.1: duplicate code",
    ),
    "level out of range": (
        lambda t: t.replace("4: Refreshed yearly.", "5: Refreshed yearly."),
        "indicator C04.2: level 5 is outside the scale 0–4",
    ),
    "bad yaml": (lambda t: t.replace("capabilities:\n- number: 1", "capabilities:\n- number: [1"), "not valid YAML"),
    "unknown sector": (
        lambda t: t.replace("sectors: [law_enforcement]", "sectors: [police]"),
        "unknown sector 'police'",
    ),
    "not a mapping": (lambda t: "- just\n- a list\n", "file: expected a mapping"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_file_is_rejected_naming_file_entry_and_problem_and_the_database_is_untouched(kind, tmp_path):
    load(FRAMEWORK_FILE)
    before = snapshot()
    breaker, expected = BROKEN[kind]
    broken = tmp_path / "broken.yaml"
    broken.write_text(breaker(TINY_FRAMEWORK_FILE.read_text()))

    with pytest.raises(CommandError) as excinfo:
        load(broken)

    message = str(excinfo.value)
    assert str(broken) in message
    assert expected in message
    assert "nothing was changed" in message
    assert snapshot() == before


def test_a_changed_file_for_a_published_version_is_refused_and_nothing_is_written(tmp_path):
    load(TINY_FRAMEWORK_FILE)
    before = snapshot()
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        TINY_FRAMEWORK_FILE.read_text()
        .replace("Is there a specialist unit?", "Is there a unit?")
        .replace("name: Law enforcement", "name: Police")
    )

    with pytest.raises(CommandError, match="TINY-1 is Published and cannot be changed"):
        load(changed)

    # The sector rename came first in the file and was rolled back with the rest.
    assert snapshot() == before


def test_a_draft_is_updated_in_place_on_stable_codes(tmp_path):
    draft = tmp_path / "draft.yaml"
    text = TINY_FRAMEWORK_FILE.read_text().replace("status: published", "status: draft")
    draft.write_text(text)
    load(draft)
    c041 = Indicator.objects.get(code="C04.1")

    draft.write_text(
        text.replace("Is there a specialist unit?", "Is there a national specialist unit?").replace(
            "  - code: C04.2\n    question: Are officers trained?",
            "  - code: C04.3\n    question: Are officers trained?",
        )
    )
    output = load(draft)

    assert "updated" in output
    c041.refresh_from_db()
    assert c041.question == "Is there a national specialist unit?"
    assert set(Indicator.objects.filter(capability__number=4).values_list("code", flat=True)) == {"C04.1", "C04.3"}


def test_unreadable_file_is_reported():
    with pytest.raises(CommandError, match="no-such-file.yaml: cannot read the file"):
        load("no-such-file.yaml")
