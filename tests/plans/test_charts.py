"""The timeline and funding charts: server-built HTML boxes, today's line, overdue marked, mirrored in Arabic."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from plans import charts

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def rows():
    return [
        {"capability": 1, "capability_title": "Leadership", "title": "Late one", "starts_on": TODAY - timedelta(90),
         "due_on": TODAY - timedelta(10), "status": "in_progress", "overdue": True},
        {"capability": 1, "capability_title": "Leadership", "title": "Future one", "starts_on": TODAY,
         "due_on": TODAY + timedelta(90), "status": "planned", "overdue": False},
    ]  # fmt: skip


def bar_offsets(html, side):
    return [float(x) for x in re.findall(r'class="tl-bar[^"]*" style="' + side + r": ([\d.]+)%", html)]


def test_the_timeline_marks_today_and_the_overdue_action():
    html = str(charts.timeline(rows(), today=TODAY, title="T", today_label="today", overdue_label="overdue"))

    assert html.startswith('<figure class="chart plan-timeline"') and "<svg" not in html
    assert html.count('class="tl-today"') == 2 and 'class="tl-today-label" style="left: ' in html
    assert "Late one: 2026-03-03 → 2026-05-22 (overdue)" in html
    assert html.count("tl-overdue") == 1 and html.count('class="tl-flag"') == 1  # only the overdue bar
    late, future = bar_offsets(html, "left")
    assert late < future  # time runs left to right


def test_in_arabic_the_timeline_runs_right_to_left():
    rtl = str(charts.timeline(rows(), today=TODAY, title="T", today_label="t", overdue_label="o", rtl=True))

    assert bar_offsets(rtl, "left") == []
    late, future = bar_offsets(rtl, "right")
    assert late < future  # measured from the right edge: the earlier action is further right
    # A text label, shaped and wrapped as HTML, in its own direction: an English title keeps its punctuation
    # at its end inside the Arabic page.
    assert '<th scope="row" class="tl-label"><span dir="ltr">Late one</span></th>' in rtl


def test_the_funding_chart_escapes_names_and_shows_cost_and_funded():
    html = str(
        charts.funding(
            [("A", "Policy <b>", Decimal("1000"), Decimal("250"))],
            currency="EUR",
            title="F",
            cost_label="cost",
            funded_label="funded",
        )
    )
    assert "Policy &lt;b&gt;" in html and "250 EUR / 1000 EUR" in html
    assert 'class="fc-cost" style="left: 0; width: 100.0%"' in html
    assert 'class="fc-funded" style="left: 0; width: 25.0%"' in html


def test_in_the_arabic_plan_pdf_the_charts_are_html_with_arabic_amounts(plan, action, coordinator):
    from plans.pdf import plan_pdf_data, render_plan_html

    html = render_plan_html(plan_pdf_data(plan, language="ar"))

    assert "<svg" not in html and 'class="chart plan-timeline"' in html and 'class="chart plan-funding"' in html
    assert 'class="tl-bar" style="right: ' in html and "plans/charts.css" in html
    assert "\u206610.000,00\u2069" in html  # the action's cost, grouped as Arabic writes it


def test_the_plan_page_shows_both_charts(client, plan, action, coordinator):
    client.force_login(coordinator)
    body = client.get(reverse("plans:plan_page", args=[plan.cycle_id])).content.decode()
    assert 'class="chart plan-timeline"' in body and 'class="chart plan-funding"' in body
