"""The organisations' answers on a contested capability load on demand, in place, in English and Arabic.

Screenshots of the contested section before and after loading one capability's answers are written to
test-results/contested-<language>-{closed,open}.png for a person to look at.
"""

import pytest
from playwright.sync_api import expect

from .actions import log_in, switch_language
from .conftest import RESULTS
from .test_analysis_languages import answered_cycle  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_coordinator_loads_one_contested_capabilitys_answers_in_place(
    page,
    answered_cycle,  # noqa: F811
    coordinator,
    language,
):
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, coordinator.username)
    switch_language(page, language)
    page.goto(f"/cycles/{answered_cycle.pk}/analysis/")
    section = page.locator("section[aria-labelledby='h-contested']")
    links = section.locator(".contested-answers a")
    expect(links.first).to_be_visible()
    expect(section.locator(".card")).to_have_count(0)
    RESULTS.mkdir(exist_ok=True)
    section.screenshot(path=str(RESULTS / f"contested-{language}-closed.png"))
    url = page.url

    container = section.locator(".contested-answers").first
    links.first.click()

    expect(container.locator(".card").first).to_contain_text("Organisation")
    # A contested capability has at least two organisations' scores, two levels apart.
    assert container.locator(".card").count() >= 2
    assert page.url == url, "the answers load in place, the page stays"
    section.screenshot(path=str(RESULTS / f"contested-{language}-open.png"))
