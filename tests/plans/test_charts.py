"""The timeline and funding charts: server-drawn SVG, today's line, overdue marked, mirrored in Arabic."""

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


def bar_xs(svg):
    return [float(x) for x in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="12"', svg)]


def test_the_timeline_marks_today_and_the_overdue_action():
    svg = str(charts.timeline(rows(), today=TODAY, title="T", today_label="today", overdue_label="overdue"))

    assert svg.startswith("<svg") and "today" in svg and 'stroke-dasharray="4,2"' in svg
    assert "Late one: 2026-03-03 → 2026-05-22 (overdue)" in svg
    assert svg.count('stroke="#b02a37" stroke-width="2"') == 1  # only the overdue bar
    late, future = bar_xs(svg)
    assert late < future  # time runs left to right


def test_in_arabic_the_timeline_runs_right_to_left():
    ltr = str(charts.timeline(rows(), today=TODAY, title="T", today_label="t", overdue_label="o"))
    rtl = str(charts.timeline(rows(), today=TODAY, title="T", today_label="t", overdue_label="o", rtl=True))

    late, future = bar_xs(rtl)
    assert late > future  # the earlier action is further right
    assert 'text-anchor="end">Late one' in ltr
    assert 'text-anchor="start">Late one' in rtl  # labels sit on the right, anchored at their start


def test_the_funding_chart_escapes_names_and_shows_cost_and_funded():
    svg = str(
        charts.funding(
            [("A", "Policy <b>", Decimal("1000"), Decimal("250"))],
            currency="EUR",
            title="F",
            cost_label="cost",
            funded_label="funded",
        )
    )
    assert "Policy &lt;b&gt;" in svg and "250 / 1000 EUR" in svg


def test_the_plan_page_shows_both_charts(client, plan, action, coordinator):
    client.force_login(coordinator)
    body = client.get(reverse("plans:plan_page", args=[plan.cycle_id])).content.decode()
    assert 'class="chart plan-timeline"' in body and 'class="chart plan-funding"' in body
