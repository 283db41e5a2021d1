"""The focal-point journey in Arabic (right to left) and in French, on the real MNR-2016 framework.

Interface strings may still be English while their translations are written, so these tests hold to structure
(lang and dir, the stylesheet, where things sit), to the framework's own translated titles, and to the
database, not to translated interface wording.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Submission
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, UserFactory, make_cycle

from .actions import log_in, switch_language
from .conftest import RESULTS

pytestmark = pytest.mark.browser

SAVED_STATE = re.compile(r"\bsaved\b")


@pytest.fixture
def ministry(country_a, framework):
    return OrganisationFactory(country=country_a, name="Ministry of Interior", sector=SectorFactory(code="ministry"))


@pytest.fixture
def ministry_submission(framework, country_a, ministry, coordinator):
    cycle = make_cycle(country=country_a, framework_version=framework, organisations=[ministry], by=coordinator)
    return cycle.submissions.select_related("organisation").get()


@pytest.fixture
def ministry_focal_point(ministry):
    user = UserFactory(username="farid", first_name="Farid", last_name="Osei")
    FocalPointRoleFactory(user=user, organisation=ministry)
    return user


def stylesheet_loaded(page, name):
    """A stylesheet ``name`` (``bootstrap.rtl.min``) has loaded rules; its URL may carry a manifest hash."""
    pattern = rf"/{re.escape(name)}\.([0-9a-f]{{12}}\.)?css$"
    return page.evaluate(
        "pattern => [...document.styleSheets].some(s => new RegExp(pattern).test(s.href || '') && s.cssRules.length)",
        pattern,
    )


def brand_centre_x(page):
    page.wait_for_load_state("load")
    box = page.locator(".navbar-brand").bounding_box()
    return box["x"] + box["width"] / 2


def answer_and_submit(page, submission, capability_title, *, lang, direction):
    """Open capability 3 by its translated title, answer C03.1, see it saved and kept, then submit."""
    answer = submission.answers.get(indicator__code="C03.1")
    html = page.locator("html")

    page.get_by_role("link", name=submission.organisation.name).click()
    expect(page.get_by_role("heading", name=submission.organisation.name, level=1)).to_be_visible()
    page.get_by_role("link", name=f"3. {capability_title}").click()
    expect(page.locator("h1")).to_contain_text(capability_title)
    expect(page.locator(".questionnaire-nav [aria-current=page]")).to_have_text(f"3. {capability_title}")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", direction)

    level_2 = page.locator("#ind-C03\\.1 input[type=radio][value='2']")
    level_2.check()
    expect(page.locator(f"#state-{answer.pk}")).to_have_class(SAVED_STATE)
    answer.refresh_from_db()
    assert (answer.choice, answer.version) == ("2", 1)

    # Load the page afresh (goto, not reload: a reload may restore form fields from the browser's own memory).
    page.goto(page.url)
    expect(level_2).to_be_checked()
    expect(html).to_have_attribute("lang", lang)

    page.locator(f".questionnaire-nav a[href='/questionnaires/{submission.pk}/']").click()
    page.locator("input[name=confirm_unanswered]").check()
    page.locator("form[action$='/submit/'] [type=submit]").click()
    expect(page.locator("#submission-status")).to_have_class(re.compile(r"\btext-bg-primary\b"))
    expect(html).to_have_attribute("dir", direction)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    return answer


def test_focal_point_journey_in_arabic_reads_right_to_left(page, ministry_submission, ministry_focal_point):
    log_in(page, ministry_focal_point.username)
    assert brand_centre_x(page) < page.viewport_size["width"] / 2
    switch_language(page, "ar")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert stylesheet_loaded(page, "bootstrap.rtl.min")
    assert not stylesheet_loaded(page, "bootstrap.min")
    assert brand_centre_x(page) > page.viewport_size["width"] / 2, "the brand should sit on the right"

    answer_and_submit(page, ministry_submission, "التشريعات", lang="ar", direction="rtl")

    # The submitted questionnaire's capability page: the questionnaire navigation sits right of the content.
    page.get_by_role("link", name="3. التشريعات").click()
    navigation = page.locator(".questionnaire-nav").bounding_box()
    heading = page.locator("h1").bounding_box()
    assert navigation["x"] > heading["x"] + heading["width"] / 2
    # "Next" points left.
    arrow = page.locator(".dir-arrow").last.evaluate("el => getComputedStyle(el).transform")
    assert arrow.startswith("matrix(-1, 0, 0, 1"), arrow
    assert brand_centre_x(page) > page.viewport_size["width"] / 2


def test_focal_point_journey_in_french(page, ministry_submission, ministry_focal_point):
    log_in(page, ministry_focal_point.username)
    switch_language(page, "fr")

    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert stylesheet_loaded(page, "bootstrap.min")
    assert not stylesheet_loaded(page, "bootstrap.rtl.min")
    assert brand_centre_x(page) < page.viewport_size["width"] / 2

    answer_and_submit(page, ministry_submission, "Législation", lang="fr", direction="ltr")


def test_a_french_focal_point_answers_french_questions_and_descriptors(
    page, framework, ministry_submission, ministry_focal_point
):
    """With the French pack live, the questions and the level descriptors are French; a text the pack lacks
    shows in English, marked lang="en"; the page says the translation awaits review."""
    from tests.capabilities.packs import load_shipped_pack

    load_shipped_pack(framework, "fr", skip={"indicator:C01.1:guidance"})
    log_in(page, ministry_focal_point.username)
    switch_language(page, "fr")
    page.goto(f"/questionnaires/{ministry_submission.pk}/capabilities/1/")

    card = page.locator("#ind-C01\\.1")
    expect(card.locator("h2")).to_contain_text("Un organe national piloté par le gouvernement")
    expect(card.locator("label[for$='_3']")).to_contain_text("L'organe est doté d'un mandat officiel")
    fallback = card.locator("span.fw-fallback")
    expect(fallback).to_have_attribute("lang", "en")
    expect(fallback).to_contain_text("Name the body and the instrument that created it")
    expect(page.locator("#draft-translation")).to_be_visible()
    page.screenshot(path=str(RESULTS / "questionnaire-fr-pack.png"), full_page=False)

    card.locator("input[type=radio][value='2']").check()
    answer = ministry_submission.answers.get(indicator__code="C01.1")
    expect(page.locator(f"#state-{answer.pk}")).to_have_class(SAVED_STATE)
