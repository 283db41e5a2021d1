"""The analysis page's charts in Arabic and English, on the real MNR-2016 framework: screenshots and layout checks.

In Arabic the charts are mirrored: capability labels sit right of their bars, bars grow from the right, domain
headings are whole, numbers use the Arabic decimal comma. Full-page screenshots are written to
test-results/analysis-<language>.png for a person to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, Submission
from tests.factories import OrganisationFactory, SectorFactory, make_cycle

from .actions import log_in, switch_language
from .conftest import RESULTS

pytestmark = pytest.mark.browser

SECTORS = ["ministry", "law_enforcement", "ngo", "child_protection"]


@pytest.fixture
def answered_cycle(framework, country_a, coordinator):
    """Four organisations of four sectors, every indicator they are asked answered with a level, submitted."""
    organisations = [
        OrganisationFactory(country=country_a, name=f"Organisation {code}", sector=SectorFactory(code=code))
        for code in SECTORS
    ]
    cycle = make_cycle(country=country_a, framework_version=framework, organisations=organisations, by=coordinator)
    for i, submission in enumerate(cycle.submissions.all()):
        for answer in Answer.objects.filter(submission=submission).only("pk", "indicator_id"):
            Answer.objects.filter(pk=answer.pk).update(choice=str((answer.indicator_id + i) % 5))
    cycle.submissions.update(status=Submission.Status.SUBMITTED)
    return cycle


def boxes(page, selector):
    return page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.left, right: r.right, width: r.width, text: e.innerText,"
        " overflow: e.scrollWidth > e.clientWidth + 1}; })"
    )


def open_analysis(page, cycle, coordinator, language):
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, coordinator.username)
    switch_language(page, language)
    page.goto(f"/cycles/{cycle.pk}/analysis/")
    expect(page.locator(".chart.domain-profile")).to_be_visible()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"analysis-{language}.png"), full_page=True)


def test_analysis_charts_in_arabic_are_mirrored_whole_and_use_arabic_numbers(page, answered_cycle, coordinator):
    open_analysis(page, answered_cycle, coordinator, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    labels = boxes(page, ".domain-profile tbody th.cap-label")
    tracks = boxes(page, ".domain-profile tbody .track")
    values = boxes(page, ".domain-profile tbody td.value")
    assert len(labels) == len(tracks) == len(values) == 21
    for label, track, value in zip(labels, tracks, values, strict=True):
        assert label["x"] >= track["right"] - 1, f"label {label['text']!r} overlaps its bar"
        assert value["right"] <= track["x"] + 1, "the value sits left of the bar in Arabic"
        assert not label["overflow"]
        assert re.fullmatch(r"\d,\d|–", value["text"].strip()), value["text"]
    bars = boxes(page, ".domain-profile tbody .track .bar")
    for bar, track in zip(bars, tracks, strict=False):
        assert abs(bar["right"] - track["right"]) <= 1.5, "bars grow from the right"
    headings = boxes(page, ".domain-profile .domain-row th")
    assert len(headings) == 6
    for heading in headings:
        assert not heading["overflow"] and len(heading["text"].strip()) > 3, heading
        assert heading["width"] > 300, "a domain heading spans the chart"

    heat_labels = boxes(page, ".heat-map tbody th.cap-label")
    heat_cells = (
        page.locator(".heat-map tbody tr")
        .first.locator("td")
        .evaluate_all("els => els.map(e => e.getBoundingClientRect().right)")
    )
    assert heat_labels[0]["x"] >= max(heat_cells) - 1, "the heat map's labels sit on the right"
    expect(page.locator(".heat-map thead th.sector").first).not_to_have_text(re.compile("[A-Za-z]"))
    figure = page.locator(".chart.domain-profile").evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert figure, "the chart fits its column"


def test_analysis_charts_in_english_read_left_to_right(page, answered_cycle, coordinator):
    open_analysis(page, answered_cycle, coordinator, "en")

    labels = boxes(page, ".domain-profile tbody th.cap-label")
    tracks = boxes(page, ".domain-profile tbody .track")
    for label, track in zip(labels, tracks, strict=True):
        assert label["right"] <= track["x"] + 1
        assert not label["overflow"]
    # Long titles wrap instead of being cut.
    expect(page.locator(".domain-profile tbody th.cap-label", has_text="10. Compensation")).to_have_text(
        re.compile(r"^10\. Compensation, remedies and complaints arrangements$")
    )
    expect(page.locator(".domain-profile .chart-legend li")).to_have_count(7)


def test_an_observer_in_arabic_sees_too_few_answers_where_one_organisation_answered(
    page, answered_cycle, coordinator, observer
):
    answered_cycle.submissions.exclude(organisation__sector__code="ministry").update(status=Submission.Status.DRAFT)
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, observer.username)
    switch_language(page, "ar")
    page.goto(f"/cycles/{answered_cycle.pk}/analysis/")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "analysis-ar-observer.png"), full_page=True)

    expect(page.locator(".domain-profile tbody .track .bar")).to_have_count(0)
    expect(page.locator(".domain-profile tbody .track-note")).to_have_count(21)
    expect(page.locator("#small-numbers")).to_be_visible()
    expect(page.locator(".heat-map")).to_have_count(0)
    values = boxes(page, ".domain-profile tbody td.value")
    assert {v["text"].strip() for v in values} == {"–"}
