"""The framework admin's translation packs: completeness, what is missing, the workbook round trip, review, live."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from capabilities.models import Indicator, TranslationPack
from capabilities.translationpacks import framework_texts, pack_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_pack(tiny_framework):
    entries = {key: (t.source, f"FR {t.source}") for key, t in framework_texts(tiny_framework).items()}
    entries["indicator:C01.2:guidance"] = (entries["indicator:C01.2:guidance"][0], "")
    pack, _ = pack_import(version=tiny_framework, language="fr", entries=entries, translator="Marie T.")
    return pack


def url(name, pack):
    return reverse(f"admin:capabilities_translationpack_{name}", args=[pack.pk])


def test_the_pack_page_shows_completeness_per_kind_and_what_is_missing(admin_client_, draft_pack):
    body = admin_client_.get(url("change", draft_pack)).content.decode()
    total = len(framework_texts(draft_pack.version))
    assert f"Completeness: {total - 1} of {total} texts" in body
    assert "<td>Indicators</td><td>9</td><td>10</td><td>90</td>" in body
    assert "<code>indicator:C01.2:guidance</code>" in body and '<td lang="en">Budget line.</td>' in body
    assert 'id="pack-provisional"' in body and 'id="pack-review"' in body
    changelist = admin_client_.get(reverse("admin:capabilities_translationpack_changelist")).content.decode()
    assert "TINY-1" in changelist and f">{total - 1}<" in changelist


def test_the_workbook_downloads_and_a_filled_one_uploads_as_the_draft(admin_client_, draft_pack):
    response = admin_client_.get(url("workbook", draft_pack))
    assert response["Content-Disposition"] == 'attachment; filename="TINY-1.fr.xlsx"'
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb["Translation"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet[f"A{r}"].value == "indicator:C01.2:guidance")
    sheet[f"E{row}"] = "Ligne budgétaire."
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "TINY-1.fr.xlsx"
    response = admin_client_.post(
        url("upload", draft_pack), {"workbook": buffer, "translator": "Marie T."}, follow=True
    )
    assert "Imported as the draft pack: every text has its translation." in response.content.decode()
    assert draft_pack.texts.get(key="indicator:C01.2:guidance").text == "Ligne budgétaire."


def test_a_hostile_or_wrong_workbook_is_refused_and_changes_nothing(admin_client_, draft_pack):
    before = {t.key: t.text for t in draft_pack.texts.all()}
    junk = io.BytesIO(b"PK\x03\x04" + b"\x00" * 200)
    junk.name = "evil.xlsx"
    body = admin_client_.post(url("upload", draft_pack), {"workbook": junk}, follow=True).content.decode()
    assert "Nothing was imported: 1 problem." in body and "not an XLSX workbook" in body
    # A workbook of another language.
    response = admin_client_.get(url("workbook", draft_pack))
    wb = load_workbook(io.BytesIO(response.content))
    wb["About"]["B3"] = "es"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "TINY-1.es.xlsx"
    body = admin_client_.post(url("upload", draft_pack), {"workbook": buffer}, follow=True).content.decode()
    assert "this workbook is for TINY-1 in es, not TINY-1 in fr" in body
    assert {t.key: t.text for t in draft_pack.texts.all()} == before


def test_review_then_publish_puts_the_pack_live(admin_client_, draft_pack):
    body = admin_client_.post(url("go_live", draft_pack), follow=True).content.decode()
    assert "This pack has not been reviewed" in body
    body = admin_client_.post(url("review", draft_pack), {"reviewer": ""}, follow=True).content.decode()
    assert "Name the reviewer" in body
    admin_client_.post(url("review", draft_pack), {"reviewer": "Dr Amina K."})
    draft_pack.refresh_from_db()
    assert (draft_pack.status, draft_pack.reviewer) == ("reviewed", "Dr Amina K.")
    body = admin_client_.post(url("go_live", draft_pack), follow=True).content.decode()
    assert "TINY-1 in fr now shows this pack (Published)" in body
    with translation.override("fr"):
        assert (
            Indicator.objects.get(version=draft_pack.version, code="C01.1").question == "FR Is there a national body?"
        )
    # A live pack is not deleted (its texts are in the framework's columns).
    assert (
        admin_client_.get(reverse("admin:capabilities_translationpack_delete", args=[draft_pack.pk])).status_code == 403
    )


def test_a_viewer_may_download_but_not_change(client, draft_pack):
    user = UserFactory(username="viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_translationpack"))
    client.force_login(user)
    assert client.get(url("workbook", draft_pack)).status_code == 200
    assert 'id="pack-upload"' not in client.get(url("change", draft_pack)).content.decode()
    for name in ("upload", "review", "go_live"):
        assert client.post(url(name, draft_pack), {"reviewer": "X"}).status_code == 403, name
    draft_pack.refresh_from_db()
    assert draft_pack.status == TranslationPack.Status.DRAFT


def test_a_version_page_starts_a_translation_from_an_empty_workbook(admin_client_, tiny_framework):
    version_url = reverse("admin:capabilities_frameworkversion_change", args=[tiny_framework.pk])
    assert 'id="version-translations"' in admin_client_.get(version_url).content.decode()
    page = reverse("admin:capabilities_frameworkversion_translations", args=[tiny_framework.pk])
    body = admin_client_.get(page).content.decode()
    assert body.count("No translation yet: English is shown.") == 4  # fr, es, ar, pt
    workbook = admin_client_.get(
        reverse("admin:capabilities_frameworkversion_translation_workbook", args=[tiny_framework.pk, "pt"])
    )
    wb = load_workbook(io.BytesIO(workbook.content))
    sheet = wb["Translation"]
    for row in range(2, sheet.max_row + 1):
        sheet[f"E{row}"] = f"PT {sheet[f'D{row}'].value}"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "TINY-1.pt.xlsx"
    response = admin_client_.post(page, {"workbook": buffer, "translator": "João S."}, follow=True)
    assert "every text has its translation" in response.content.decode()
    pack = TranslationPack.objects.get(version=tiny_framework, language="pt")
    assert (pack.status, pack.translator) == ("draft", "João S.")
    unknown = admin_client_.get(
        reverse("admin:capabilities_frameworkversion_translation_workbook", args=[tiny_framework.pk, "de"])
    )
    assert unknown.status_code == 404
