"""Crosswalks between framework versions: the mnr-crosswalk/1 file, its commands and the read API."""

import io

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from capabilities.crosswalkformat import parse_crosswalk
from capabilities.crosswalks import capability_links, indicator_links
from capabilities.fileformat import parse_framework
from capabilities.models import Crosswalk, CrosswalkEntry, FrameworkVersion
from capabilities.services import framework_load
from tests.conftest import FRAMEWORK_FILE, ROOT, TINY_FRAMEWORK_FILE

pytestmark = pytest.mark.django_db

R2025_FILE = ROOT / "fixtures" / "mnr-2016-r2025.yaml"
CROSSWALK_FILE = ROOT / "fixtures" / "crosswalk-mnr-2016-to-r2025.yaml"

C04_2 = """  - code: C04.2
    question: Are officers trained?
    guidance: Curriculum.
    weight: 1
    sectors: [law_enforcement, ngo]
    levels: {0: No training., 1: Ad hoc., 2: Some officers., 3: All unit officers., 4: Refreshed yearly.}
"""
# TINY-2: C04.2 split into C04.6 and C04.7, C03.1 removed in favour of a new C03.2.
TINY_2 = (
    TINY_FRAMEWORK_FILE.read_text()
    .replace("code: TINY-1", "code: TINY-2")
    .replace(C04_2, C04_2.replace("C04.2", "C04.6") + C04_2.replace("C04.2", "C04.7"))
    .replace("code: C03.1", "code: C03.2")
)

CROSSWALK = """\
format: mnr-crosswalk/1
source: TINY-1
target: TINY-2
note: A test revision.
capabilities:
- {source: 1, target: 1, relation: equal}
- {source: 3, target: 3, relation: equal}
- {source: 4, target: 4, relation: equal, note: C04.2 split.}
indicators:
- {source: C01.1, target: C01.1, relation: equal}
- {source: C01.2, target: C01.2, relation: equal}
- {source: C03.1, relation: removed, note: Dropped.}
- {target: C03.2, relation: new}
- {source: C04.1, target: C04.1, relation: equal}
- {source: C04.2, target: C04.6, relation: split}
- {source: C04.2, target: C04.7, relation: split}
"""


@pytest.fixture
def versions(tiny_framework):
    target = framework_load(data=parse_framework(TINY_2, "tiny-2")).version
    return tiny_framework, target


def load(path):
    out = io.StringIO()
    call_command("load_crosswalk", str(path), stdout=out)
    return out.getvalue()


def export(source, target):
    out = io.StringIO()
    call_command("export_crosswalk", source, target, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(map(repr, CrosswalkEntry.objects.values())) + sorted(map(repr, Crosswalk.objects.values()))


def content():
    """The stored crosswalks without row ids and dates."""
    return sorted(
        CrosswalkEntry.objects.values_list(
            "crosswalk__source__code",
            "crosswalk__target__code",
            "crosswalk__note",
            "kind",
            "source_code",
            "target_code",
            "relation",
            "note",
        )
    )


def write(tmp_path, text, name="crosswalk.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_crosswalk_loads_and_says_its_relation_counts(versions, tmp_path):
    output = load(write(tmp_path, CROSSWALK))

    assert output == (
        "Crosswalk TINY-1 → TINY-2 created (capability: 3 equal; indicator: 3 equal, 1 new, 1 removed, 2 split).\n"
    )
    crosswalk = Crosswalk.objects.get()
    assert crosswalk.note == "A test revision."
    assert crosswalk.entries.count() == 10


def test_export_then_import_is_exact(versions, tmp_path):
    load(write(tmp_path, CROSSWALK))
    first = export("TINY-1", "TINY-2")
    assert parse_crosswalk(first) == parse_crosswalk(CROSSWALK)
    rows_before = content()

    Crosswalk.objects.all().delete()
    load(write(tmp_path, first, "exported.yaml"))

    assert export("TINY-1", "TINY-2") == first
    assert content() == rows_before


def test_loading_twice_changes_nothing(versions, tmp_path):
    path = write(tmp_path, CROSSWALK)
    load(path)
    before = snapshot()

    assert " unchanged " in load(path)
    assert snapshot() == before


def test_a_changed_file_replaces_the_entries_as_a_whole(versions, tmp_path):
    load(write(tmp_path, CROSSWALK))
    changed = CROSSWALK.replace(
        "{source: C01.2, target: C01.2, relation: equal}",
        "{source: C01.2, target: C01.2, relation: subset, note: Narrower.}",
    )

    assert " replaced " in load(write(tmp_path, changed, "changed.yaml"))
    entry = CrosswalkEntry.objects.get(source_code="C01.2")
    assert (entry.relation, entry.note) == ("subset", "Narrower.")
    assert CrosswalkEntry.objects.count() == 10


BROKEN = {
    "unknown source code": (
        lambda t: t.replace("{source: C01.1, target: C01.1", "{source: C09.9, target: C01.1"),
        "indicator C09.9 → C01.1: unknown indicator 'C09.9' in TINY-1",
    ),
    "unknown target code": (
        lambda t: t.replace("{source: C04.1, target: C04.1", "{source: C04.1, target: C04.9"),
        "indicator C04.1 → C04.9: unknown indicator 'C04.9' in TINY-2",
    ),
    "unknown capability": (
        lambda t: t.replace("{source: 3, target: 3", "{source: 3, target: 7"),
        "capability 3 → 7: unknown capability 7 in TINY-2",
    ),
    "equal to two targets": (
        lambda t: t.replace(
            "{source: C04.2, target: C04.6, relation: split}", "{source: C04.2, target: C04.6, relation: equal}"
        ).replace("{source: C04.2, target: C04.7, relation: split}", "{source: C04.2, target: C04.7, relation: equal}"),
        "indicator C04.2: 'equal' to several targets (C04.6, C04.7); only a 'split' may",
    ),
    "removed and mapped": (
        lambda t: t.replace("- {target: C03.2, relation: new}", "- {source: C03.1, target: C03.2, relation: subset}"),
        "indicator C03.1: mapped inconsistently as source (removed, subset)",
    ),
    "split into one": (
        lambda t: t.replace(
            "- {source: C04.2, target: C04.7, relation: split}\n", "- {target: C04.7, relation: new}\n"
        ),
        "indicator C04.2: a 'split' needs two or more targets (use 'subset' or 'equal' for one)",
    ),
    "a target from two sources without merging": (
        lambda t: (
            t.replace(
                "{source: C01.2, target: C01.2, relation: equal}", "{source: C01.2, target: C01.1, relation: subset}"
            )
            + "- {target: C01.2, relation: new}\n"
        ),
        "indicator C01.1: mapped inconsistently as target (equal, subset)",
    ),
    "removed with a target": (
        lambda t: t.replace("{source: C03.1, relation: removed", "{source: C03.1, target: C03.2, relation: removed"),
        "indicator C03.1 → C03.2: a 'removed' entry has a source and no target",
    ),
    "new with a source": (
        lambda t: t.replace("{target: C03.2, relation: new}", "{source: C03.1, target: C03.2, relation: new}"),
        "indicator C03.1 → C03.2: a 'new' entry has a target and no source",
    ),
    "equal without a target": (
        lambda t: t.replace("{source: C04.1, target: C04.1, relation: equal}", "{source: C04.1, relation: equal}"),
        "indicator C04.1 → ∅: an 'equal' entry needs both a source and a target",
    ),
    "unknown relation": (
        lambda t: t.replace(
            "{source: C01.1, target: C01.1, relation: equal}", "{source: C01.1, target: C01.1, relation: same}"
        ),
        "indicator C01.1 → C01.1: relation 'same' is not one of equal, subset, superset, split, merged, removed, new",
    ),
    "source indicator not covered": (
        lambda t: t.replace(
            "- {source: C01.2, target: C01.2, relation: equal}\n", "- {target: C01.2, relation: new}\n"
        ),
        "indicator C01.2: in TINY-1 but not mapped (add an entry, 'removed' if it goes)",
    ),
    "target indicator not covered": (
        lambda t: t.replace("- {target: C03.2, relation: new}\n", ""),
        "indicator C03.2: in TINY-2 but not mapped (add an entry, 'new' if it is new)",
    ),
    "capability not covered": (
        lambda t: t.replace("- {source: 3, target: 3, relation: equal}\n", ""),
        "capability 3: in TINY-1 but not mapped (add an entry, 'removed' if it goes)",
    ),
    "unknown version": (
        lambda t: t.replace("target: TINY-2", "target: TINY-9"),
        "file: no framework version 'TINY-9' (target); load it first",
    ),
    "same version twice": (
        lambda t: t.replace("target: TINY-2", "target: TINY-1"),
        "file: 'source' and 'target' must be two different versions",
    ),
    "unknown field": (
        lambda t: t.replace(
            "{source: C04.1, target: C04.1, relation: equal}",
            "{source: C04.1, target: C04.1, relation: equal, weight: 2}",
        ),
        "indicator C04.1 → C04.1: unknown field 'weight'",
    ),
    "wrong format": (
        lambda t: t.replace("mnr-crosswalk/1", "mnr-crosswalk/9"),
        "file: 'format' must be 'mnr-crosswalk/1'",
    ),
    "not YAML": (lambda t: t + "- {source: [\n", "not valid YAML"),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_broken_file_is_refused_with_its_message_and_the_database_untouched(versions, tmp_path, case):
    load(write(tmp_path, CROSSWALK.replace("A test revision.", "The first load.")))
    before = snapshot()
    change, message = BROKEN[case]
    path = write(tmp_path, change(CROSSWALK), "broken.yaml")

    with pytest.raises(CommandError) as excinfo:
        load(path)

    text = str(excinfo.value)
    assert text.startswith(f"{path}: the crosswalk file was not loaded; nothing was changed.")
    assert message in text
    assert snapshot() == before


def test_every_problem_is_reported_in_one_run(versions, tmp_path):
    text = CROSSWALK.replace("{source: C01.1, target: C01.1", "{source: C09.9, target: C01.1").replace(
        "- {target: C03.2, relation: new}\n", ""
    )
    with pytest.raises(CommandError) as excinfo:
        load(write(tmp_path, text))
    problems = [line for line in str(excinfo.value).splitlines() if line.startswith("  - ")]
    assert problems == [
        "  - indicator C09.9 → C01.1: unknown indicator 'C09.9' in TINY-1",
        "  - indicator C01.1: in TINY-1 but not mapped (add an entry, 'removed' if it goes)",
        "  - indicator C03.2: in TINY-2 but not mapped (add an entry, 'new' if it is new)",
    ]
    assert not Crosswalk.objects.exists()


def test_the_read_api_maps_codes_and_says_none_without_a_crosswalk(versions, tmp_path):
    source, target = versions
    assert indicator_links(source, target) is None
    assert capability_links(source, target) is None
    load(write(tmp_path, CROSSWALK))

    assert indicator_links(source, target) == {
        "C01.1": [("C01.1", "equal")],
        "C01.2": [("C01.2", "equal")],
        "C03.1": [],
        "C04.1": [("C04.1", "equal")],
        "C04.2": [("C04.6", "split"), ("C04.7", "split")],
    }
    assert capability_links(source, target) == {1: [(1, "equal")], 3: [(3, "equal")], 4: [(4, "equal")]}
    assert indicator_links(target, source) is None  # directional


def test_export_of_an_unknown_pair_names_the_known_crosswalks(versions, tmp_path):
    load(write(tmp_path, CROSSWALK))
    with pytest.raises(CommandError, match=r"No crosswalk from 'TINY-2' to 'TINY-1' \(known: TINY-1 → TINY-2\)"):
        export("TINY-2", "TINY-1")


# The shipped pair -------------------------------------------------------------------------------


@pytest.fixture
def shipped(db):
    for path in (FRAMEWORK_FILE, R2025_FILE):
        call_command("load_framework", str(path), stdout=io.StringIO())
    return FrameworkVersion.objects.get(code="MNR-2016"), FrameworkVersion.objects.get(code="MNR-2016-R2025")


def test_the_shipped_crosswalk_covers_both_versions_and_exports_byte_for_byte(shipped):
    output = load(CROSSWALK_FILE)

    assert output == (
        "Crosswalk MNR-2016 → MNR-2016-R2025 created (capability: 21 equal; "
        "indicator: 95 equal, 2 removed, 5 split, 5 subset, 1 superset).\n"
    )
    shipped_text = "".join(line for line in CROSSWALK_FILE.read_text().splitlines(True) if not line.startswith("#"))
    assert export("MNR-2016", "MNR-2016-R2025") == shipped_text
    assert " unchanged " in load(CROSSWALK_FILE)


def test_the_shipped_crosswalk_maps_the_revisions_of_the_issue(shipped):
    load(CROSSWALK_FILE)
    links = indicator_links(*shipped)

    assert links["C04.2"] == [("C04.6", "split"), ("C04.7", "split"), ("C04.8", "split")]
    assert links["C03.4"] == [] and links["C06.5"] == []  # asked once, in C17.1 and C15.2
    assert links["C17.1"] == [("C17.1", "equal")] and links["C15.2"] == [("C15.2", "equal")]
    assert links["C07.2"] == [("C07.2", "equal")]
    assert links["C14.2"] == [("C14.6", "superset")]
    assert len(links) == 105
    data = yaml.safe_load(CROSSWALK_FILE.read_text())
    assert all(e.get("note") for e in data["indicators"] if e["relation"] != "equal")
