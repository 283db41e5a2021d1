"""The charts: a legend, whole capability titles, no empty sector columns, mirrored in Arabic, localised numbers."""

import re

import pytest
from django.utils import translation

from reports import charts
from reports.consolidation import cycle_report_data, observer_view

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


LONG_TITLE = "Compensation, remedies and complaints arrangements"


def plain_data(**cap):
    """Report data for one capability in one domain and two sectors, as cycle_report_data shapes it."""
    capability = {
        "number": 10,
        "title": LONG_TITLE,
        "domain": "C",
        "level": 2.65,
        "target": 3,
        "suppressed": False,
        "by_sector": {"ngo": 2.65},
    } | cap
    return {
        "scale": [{"level": n, "name": name} for n, name in enumerate(["Not in place", "Building", "Developing"])],
        "domains": [{"code": "C", "name": "Victim support", "capabilities": [10]}],
        "capabilities": [capability],
        "sectors": [{"code": "ngo", "name": "NGO / civil society"}, {"code": "health", "name": "Health"}],
    }


def test_the_domain_profile_has_a_legend_for_the_colours_and_the_target():
    html = charts.domain_profile(plain_data())

    legend = html.split('class="chart-legend"', 1)[1]
    assert "0 Not in place" in legend and "2 Developing" in legend
    assert "no level" in legend and "target" in legend
    assert charts.LEVEL_FILLS[0] in legend


def test_long_capability_titles_are_printed_whole_to_wrap_not_cut():
    assert f"10. {LONG_TITLE}</th>" in charts.domain_profile(plain_data())
    assert f"10. {LONG_TITLE}</th>" in charts.heat_map(plain_data())


def test_the_heat_map_leaves_out_sectors_without_answers_and_says_which():
    html = charts.heat_map(plain_data())

    assert html.count('class="sector"') == 1
    assert ">NGO / civil society</th>" in html
    assert "Sectors without a column (no included answer of theirs gives a level): Health." in html


def test_bars_grow_from_the_left_in_english_and_from_the_right_in_arabic():
    with translation.override("en"):
        english = charts.domain_profile(plain_data())
    with translation.override("ar"):
        arabic = charts.domain_profile(plain_data())

    # Level 2.65 prints 2.7 and its bar is 2.65 / 4 of the scale; the target tick sits at 3 / 4.
    assert 'class="bar" style="left: 0; width: 66.25%' in english
    assert 'class="target-tick" style="left: 75.0%' in english
    assert 'class="bar" style="right: 0; width: 66.25%' in arabic
    assert 'class="target-tick" style="right: 75.0%' in arabic
    assert "left:" not in arabic


def test_chart_numbers_use_the_languages_decimal_separator():
    with translation.override("fr"):
        assert re.search(r'class="value">2,7<', charts.domain_profile(plain_data()))
        assert ">2,7</td>" in charts.heat_map(plain_data())
    with translation.override("en"):
        assert re.search(r'class="value">2.7<', charts.domain_profile(plain_data()))


def test_a_suppressed_level_shows_too_few_answers_and_no_bar():
    html = charts.domain_profile(plain_data(level=None, suppressed=True))

    assert "too few answers to show" in html
    assert 'class="bar"' not in html


def test_charts_escape_framework_and_sector_texts():
    data = plain_data(title="<script>x</script>")
    data["sectors"][0]["name"] = "<b>NGO</b>"

    html = charts.heat_map(data) + charts.domain_profile(data)

    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_the_analysis_charts_for_an_observer_show_no_level_of_a_capability_few_organisations_carry(seeded_cycle):
    data = observer_view(cycle_report_data(seeded_cycle))

    html = charts.domain_profile(data)

    rows = html.split("<tr>")
    leadership = next(r for r in rows if "1. Leadership" in r)
    legislation = next(r for r in rows if "3. Legislation" in r)
    assert "too few answers to show" in leadership and "1.5" not in leadership
    assert 'class="value">1.0<' in legislation
