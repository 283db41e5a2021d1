"""Journey 1: a framework admin clones a version under its final name, changes an indicator and publishes it.

The pages are walked at 1280 px, the width of a laptop, where the indicator list must still show
each row's version; screenshots of each step (English and Arabic) land in ``test-results/``.
"""

import pytest
from playwright.sync_api import expect

from capabilities.models import FrameworkVersion, Indicator

from .actions import log_in, switch_language
from .conftest import RESULTS

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


def select_row(page, code):
    """Tick the changelist row whose link reads exactly ``code``."""
    row = page.locator("#result_list tbody tr").filter(has=page.get_by_role("link", name=code, exact=True))
    row.get_by_role("checkbox").check()


def run_action(page, label):
    page.locator("select[name=action]").select_option(label=label)
    page.get_by_role("button", name="Go").click()


def shot(page, name):
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"framework-admin-{name}.png"), full_page=True)


def expect_column_visible(page, css_class):
    """The column's header lies within the window: nothing has to be scrolled sideways to read it."""
    header = page.locator(f"#result_list th.{css_class}")
    expect(header).to_be_visible()
    box = header.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], box


def test_admin_clones_a_version_under_its_final_name_edits_an_indicator_and_publishes_it(
    new_page, superuser, tiny_framework
):
    page = new_page(viewport=LAPTOP)
    log_in(page, superuser.username)

    page.goto("/admin/")
    page.get_by_role("link", name="Framework versions", exact=True).click()
    select_row(page, "TINY-1")
    run_action(page, "Clone as new draft")
    # The clone is named before it exists, as coordinators will see it once published.
    expect(page.locator("h1")).to_have_text("Clone TINY-1 as a new draft")
    page.get_by_label("Code").fill("TINY-1-draft-1")
    page.get_by_label("Title").fill("Tiny framework, second edition")
    page.get_by_role("button", name="Clone as new draft").click()
    expect(page.locator(".field-code .errorlist")).to_contain_text("leave out “draft”")
    expect(page.get_by_label("Title")).to_have_value("Tiny framework, second edition")
    shot(page, "clone-refused-en")
    page.get_by_label("Code").fill("TINY-2")
    page.get_by_role("button", name="Clone as new draft").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Cloned TINY-1 into the new draft TINY-2; edit it, then publish it."
    )
    draft = FrameworkVersion.objects.get(code="TINY-2")
    assert (draft.title, draft.status) == ("Tiny framework, second edition", FrameworkVersion.Status.DRAFT)
    shot(page, "version-en")

    # The version's page leads to its indicators, which list this version only, its column in view.
    page.locator("#version-indicators").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    expect(page.locator("#changelist-filter li.selected").first).to_contain_text("TINY-2 · Draft")
    expect_column_visible(page, "column-version_code")
    shot(page, "indicators-en")
    page.locator("#result_list").get_by_role("link", name="C04.1", exact=True).click()
    expect(page.locator("#framework-version")).to_contain_text("Framework version: TINY-2 · Tiny framework")
    page.locator("#id_question_en").fill("Is there a national specialist unit with a mandate?")
    expect(page.locator("#id_descriptors-3-level")).to_have_value("3")  # the inline lists levels in order
    page.locator("#id_descriptors-3-text_en").fill("A national unit with its own budget.")
    shot(page, "indicator-en")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # Publish from the version's page: the checks, then a confirmation.
    page.locator("#nav-sidebar").get_by_role("link", name="Framework versions").click()
    page.locator("#result_list").get_by_role("link", name="TINY-2", exact=True).click()
    page.locator("#version-publish").click()
    expect(page.locator("#content-main")).to_contain_text("passes the publishing checks")
    shot(page, "publish-en")
    page.get_by_role("button", name="Publish TINY-2").click()
    expect(page.locator(".messagelist")).to_have_text("Published TINY-2: it is frozen now.")
    expect(page.locator("#version-publish")).to_have_count(0)

    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.PUBLISHED and draft.published_at is not None
    edited = Indicator.objects.get(version=draft, code="C04.1")
    assert edited.question == "Is there a national specialist unit with a mandate?"
    assert edited.descriptors.get(level=3).text == "A national unit with its own budget."
    original = Indicator.objects.get(version=tiny_framework, code="C04.1")
    assert original.question == "Is there a specialist unit?"
    assert original.descriptors.get(level=3).text == "National unit."

    # Published means frozen: the same indicator now opens read-only and says so.
    page.locator("#version-indicators").click()
    page.locator("#result_list").get_by_role("link", name="C04.1", exact=True).click()
    expect(page.locator("#framework-version")).to_contain_text("(Published) — read-only")
    expect(page.locator(".field-question_en .readonly")).to_have_text(
        "Is there a national specialist unit with a mandate?"
    )
    expect(page.locator("#id_question_en")).to_have_count(0)
    expect(page.locator("input[name=_save]")).to_have_count(0)


def test_the_framework_admin_pages_in_arabic(new_page, superuser, tiny_framework):
    from capabilities.services import framework_clone

    draft = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny framework, second edition")
    page = new_page(viewport=LAPTOP)
    log_in(page, superuser.username)
    page.goto("/")
    switch_language(page, "ar")

    page.goto(f"/admin/capabilities/frameworkversion/{draft.pk}/change/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#version-indicators")).to_have_text("5 مؤشرات")
    shot(page, "version-ar")
    page.locator("#version-indicators").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    expect_column_visible(page, "column-version_code")
    shot(page, "indicators-ar")
    page.locator("#result_list").get_by_role("link", name="C04.1", exact=True).click()
    expect(page.locator("#framework-version")).to_contain_text("إصدار الإطار:")
    shot(page, "indicator-ar")
    page.goto(f"/admin/capabilities/frameworkversion/{draft.pk}/publish/")
    expect(page.get_by_role("button", name="نشر TINY-2")).to_be_visible()
    shot(page, "publish-ar")
    page.goto(f"/admin/capabilities/frameworkversion/{tiny_framework.pk}/clone/")
    shot(page, "clone-ar")


def test_admin_translates_a_published_version_through_the_workbook_then_reviews_and_publishes_it(
    new_page, superuser, tiny_framework, tmp_path
):
    """Journey 1, translate: the version's Translations page, the workbook down and back up, the pack's
    completeness and what is missing, the review, and the pack live in French."""
    from openpyxl import load_workbook

    page = new_page(viewport=LAPTOP)
    log_in(page, superuser.username)
    page.goto(f"/admin/capabilities/frameworkversion/{tiny_framework.pk}/change/")
    page.locator("#version-translations").click()
    expect(page.locator("#lang-fr")).to_contain_text("No translation yet")
    with page.expect_download() as download:
        page.locator("#lang-fr").get_by_role("link", name="Download the workbook (.xlsx)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "TINY-1.fr.xlsx"

    wb = load_workbook(path)
    sheet = wb["Translation"]
    for row in range(2, sheet.max_row + 1):
        if sheet[f"A{row}"].value != "indicator:C01.2:guidance":  # left for later: shows in English
            sheet[f"E{row}"] = f"FR {sheet[f'D{row}'].value}"
    wb.save(path)
    page.locator("#translation-upload input[type=file]").set_input_files(str(path))
    page.locator("#translation-upload input[name=translator]").fill("Marie Dubois")
    page.get_by_role("button", name="Import the workbook as the draft pack").click()

    expect(page.locator(".messagelist")).to_contain_text("1 text still without translation shows in English")
    expect(page.locator("#pack-completeness h2")).to_contain_text("Completeness:")
    expect(page.locator("#pack-missing")).to_contain_text("indicator:C01.2:guidance")
    shot(page, "translation-pack")
    page.locator("#id_reviewer").fill("Dr Amina Koné")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".messagelist")).to_contain_text("Recorded the review by Dr Amina Koné")
    page.get_by_role("button", name="Publish: show it in this language").click()
    expect(page.locator(".messagelist")).to_contain_text("TINY-1 in fr now shows this pack (Published)")
    from django.utils import translation

    with translation.override("fr"):
        assert Indicator.objects.get(version=tiny_framework, code="C01.1").question == "FR Is there a national body?"
    translation.activate("en")
