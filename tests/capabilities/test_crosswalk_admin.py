"""The admin of crosswalks (inline entries, relation counts, the same checks as the loader) and of tags."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from capabilities.models import Crosswalk, CrosswalkEntry, Tag
from tests.capabilities.test_admin import change_url
from tests.capabilities.test_crosswalks import CROSSWALK, load, versions, write  # noqa: F401 (fixture)
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def crosswalk(versions, tmp_path):  # noqa: F811
    load(write(tmp_path, CROSSWALK))
    return Crosswalk.objects.get()


def inline_data(crosswalk, change=None):
    entries = list(crosswalk.entries.order_by("pk"))
    data = {
        "source": crosswalk.source_id,
        "target": crosswalk.target_id,
        "note": crosswalk.note,
        "entries-TOTAL_FORMS": len(entries),
        "entries-INITIAL_FORMS": len(entries),
        "entries-MIN_NUM_FORMS": 0,
        "entries-MAX_NUM_FORMS": 1000,
    }
    for i, e in enumerate(entries):
        row = {"id": e.pk, "crosswalk": crosswalk.pk, "kind": e.kind, "source_code": e.source_code}
        row |= {"target_code": e.target_code, "relation": e.relation, "note": e.note}
        if change and e.source_code == change[0] and e.target_code == change[1]:
            row |= change[2]
        data |= {f"entries-{i}-{k}": v for k, v in row.items()}
    return data


def test_the_crosswalk_list_shows_the_relation_counts(admin_client_, crosswalk):
    body = admin_client_.get(reverse("admin:capabilities_crosswalk_changelist")).content.decode()
    assert "TINY-1 → TINY-2" in body
    assert "Capability: 3 equal · Indicator: 3 equal, 1 new, 1 removed, 2 split" in body


def test_the_crosswalk_page_lists_its_entries_and_its_coverage(admin_client_, crosswalk):
    body = admin_client_.get(change_url(crosswalk)).content.decode()
    assert body.count('name="entries-') > 10 and 'value="C04.7"' in body
    assert "Every capability and indicator of both versions is mapped." in body


def test_an_entry_is_edited_in_the_admin(admin_client_, crosswalk):
    data = inline_data(crosswalk, ("C01.2", "C01.2", {"relation": "subset", "note": "Narrower."}))

    response = admin_client_.post(change_url(crosswalk), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = CrosswalkEntry.objects.get(source_code="C01.2")
    assert (entry.relation, entry.note) == ("subset", "Narrower.")


def test_an_inconsistent_edit_is_refused_with_the_loaders_message(admin_client_, crosswalk):
    data = inline_data(crosswalk, ("C04.2", "C04.6", {"relation": "equal"}))

    response = admin_client_.post(change_url(crosswalk), data)

    assert response.status_code == 200
    assert "indicator C04.2: mapped inconsistently as source (equal, split)" in response.content.decode()
    assert CrosswalkEntry.objects.get(source_code="C04.2", target_code="C04.6").relation == "split"


def test_an_unknown_code_is_refused(admin_client_, crosswalk):
    data = inline_data(crosswalk, ("C01.1", "C01.1", {"target_code": "C09.9"}))

    body = admin_client_.post(change_url(crosswalk), data).content.decode()

    assert "unknown indicator &#x27;C09.9&#x27; in TINY-2" in body
    assert CrosswalkEntry.objects.filter(target_code="C09.9").count() == 0


def test_a_missing_entry_is_only_a_warning(admin_client_, crosswalk):
    CrosswalkEntry.objects.filter(source_code="C01.2").delete()
    body = admin_client_.get(change_url(crosswalk)).content.decode()
    assert "Not mapped yet: indicator C01.2: in TINY-1 but not mapped" in body


def test_the_tag_list_counts_what_each_tag_reaches_and_a_tag_page_renders(admin_client_, db):
    call_command("load_framework", str(ROOT / "fixtures" / "mnr-2016-r2025.yaml"), stdout=io.StringIO())
    tag = Tag.objects.get(code="prevention-primary")

    body = admin_client_.get(reverse("admin:capabilities_tag_changelist")).content.decode()
    row = body.split(f'href="{change_url(tag)}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="field-capability_count">6</td><td class="field-indicator_count">3</td>' in row
    page = admin_client_.get(change_url(tag)).content.decode()
    assert "Prévention primaire" in page and "read-only" in page.lower()
