"""The report and answers carried from the last cycle: unconfirmed ones do not count, and progress is
compared across framework versions through the crosswalk."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessments import carry
from assessments.models import Answer, Carry, Cycle, Submission
from capabilities.models import CrosswalkEntry
from reports.consolidation import cycle_report_data
from reports.pdf import render_report_html
from tests.factories import (
    FocalPointRoleFactory,
    OrganisationFactory,
    SectorFactory,
    UserFactory,
    make_crosswalk,
    make_cycle,
    make_framework,
)

pytestmark = pytest.mark.django_db

IND, CAP = CrosswalkEntry.Kind.INDICATOR, CrosswalkEntry.Kind.CAPABILITY


def capability(data, number):
    return next(c for c in data["capabilities"] if c["number"] == number)


def organisations(country, names):
    return [OrganisationFactory(country=country, name=name, sector=SectorFactory(code="ministry")) for name in names]


def answer(cycle, organisation, code, choice, **fields):
    assert Answer.objects.filter(
        submission__cycle=cycle, submission__organisation=organisation, indicator__code=code
    ).update(choice=choice, **fields)


@pytest.fixture
def version(db):
    return make_framework("CARRY-1", {1: ["C01.1"]}, sectors=["ministry"])


def test_an_unconfirmed_carried_answer_does_not_move_the_national_level(version, country_a, coordinator):
    """Three organisations: 1 and 2 answered now, the third's 4 is only carried. Counted, the median
    would be 2.0; it is 1.5 until the third organisation confirms, and then 2.0."""
    first, second, third = organisations(country_a, ["Alpha", "Beta", "Gamma"])
    cycle = make_cycle(
        country=country_a, framework_version=version, organisations=[first, second, third], by=coordinator
    )
    answer(cycle, first, "C01.1", "1")
    answer(cycle, second, "C01.1", "2")
    answer(cycle, third, "C01.1", "4", evidence="Law of 2020.", carry=Carry.PREFILLED, version=1, carried_choice="4")
    Submission.objects.filter(cycle=cycle).update(status=Submission.Status.SUBMITTED)

    data = cycle_report_data(cycle)

    assert (capability(data, 1)["level"], capability(data, 1)["respondents"]) == (1.5, 2)
    assert {o["name"]: o["carried_unconfirmed"] for o in data["organisations"]} == {"Alpha": 0, "Beta": 0, "Gamma": 1}
    assert {o["name"]: o["answered"] for o in data["organisations"]} == {"Alpha": 1, "Beta": 1, "Gamma": 0}
    assert capability(data, 1)["evidence"] == []  # the carried evidence is not quoted either

    confirmed = Answer.objects.select_related("indicator").get(submission__cycle=cycle, submission__organisation=third)
    Submission.objects.filter(cycle=cycle, organisation=third).update(status=Submission.Status.RETURNED)
    focal_point = UserFactory()
    FocalPointRoleFactory(user=focal_point, organisation=third)
    carry.answer_confirm(answer=confirmed, by=focal_point)
    Submission.objects.filter(cycle=cycle, organisation=third).update(status=Submission.Status.SUBMITTED)

    data = cycle_report_data(cycle)
    assert (capability(data, 1)["level"], capability(data, 1)["respondents"]) == (2.0, 3)


def test_the_analysis_and_the_progress_page_list_carried_answers_per_organisation(
    client, version, country_a, coordinator
):
    first, second = organisations(country_a, ["Alpha", "Beta"])
    cycle = make_cycle(country=country_a, framework_version=version, organisations=[first, second], by=coordinator)
    answer(cycle, second, "C01.1", "3", evidence="Unit.", carry=Carry.PREFILLED, version=1, carried_choice="3")
    client.force_login(coordinator)

    analysis = client.get(reverse("reports:cycle_analysis", args=[cycle.pk])).content.decode()
    progress = client.get(reverse("assessments:cycle_detail", args=[cycle.pk])).content.decode()

    assert 'id="carried-unconfirmed"' in analysis and '<td>Beta</td><td class="text-end">1</td>' in analysis
    assert "1 carried, not confirmed" in progress


# Progress across versions ---------------------------------------------------------------------------


@pytest.fixture
def pair(country_a, coordinator):
    """Last year on OLD (capabilities 1, 2, 3), this year on NEW (1 equal, 2 from 2 and 3 merged, 5 new)."""
    old = make_framework("OLD-1", {1: ["C01.1"], 2: ["C02.1"], 3: ["C03.1"]}, sectors=["ministry"])
    new = make_framework("NEW-1", {1: ["C01.1"], 2: ["C02.5"], 5: ["C05.1"]}, sectors=["ministry"])
    make_crosswalk(
        old,
        new,
        [
            (IND, "C01.1", "C01.1", "equal"),
            (IND, "C02.1", "C02.5", "merged"),
            (IND, "C03.1", "C02.5", "merged"),
            (IND, "", "C05.1", "new"),
            (CAP, "1", "1", "equal"),
            (CAP, "2", "2", "merged"),
            (CAP, "3", "2", "merged"),
            (CAP, "", "5", "new"),
        ],
    )
    first, second = organisations(country_a, ["Alpha", "Beta"])
    previous = make_cycle(
        country=country_a,
        framework_version=old,
        organisations=[first, second],
        by=coordinator,
        title="Assessment 2024",
        period="2024",
        opens_on=date.today() - timedelta(days=400),
    )
    for org, levels in ((first, ("1", "1", "3")), (second, ("1", "2", "3"))):
        for code, level in zip(("C01.1", "C02.1", "C03.1"), levels, strict=True):
            answer(previous, org, code, level, evidence="Then.")
    Submission.objects.filter(cycle=previous).update(status=Submission.Status.ACCEPTED)
    Cycle.objects.filter(pk=previous.pk).update(status=Cycle.Status.CLOSED)
    cycle = make_cycle(country=country_a, framework_version=new, organisations=[first, second], by=coordinator)
    for org in (first, second):
        answer(cycle, org, "C01.1", "3", carry=Carry.CONFIRMED)
        answer(cycle, org, "C02.5", "2")
        answer(cycle, org, "C05.1", "2")
    Submission.objects.filter(cycle=cycle).update(status=Submission.Status.SUBMITTED)
    return previous, cycle


def test_progress_is_compared_across_versions_through_the_crosswalk(pair):
    previous, cycle = pair

    data = cycle_report_data(cycle)

    assert data["previous_cycle"] == {
        "id": previous.pk,
        "title": "Assessment 2024",
        "period": "2024",
        "framework_code": "OLD-1",
        "other_version": True,
    }
    one, two, five = capability(data, 1), capability(data, 2), capability(data, 5)
    # Capability 1 is the same in both versions, and so are its indicators: compared directly, 1.0 → 3.0.
    assert (one["previous"], one["level"], one["delta"], one["compared"]) == (1.0, 3.0, 2.0, "equal")
    # Capability 2 merges the old 2 (median 1.5) and 3 (3.0): their mean 2.3 (rounded once), flagged.
    assert (two["previous"], two["level"], two["delta"], two["compared"]) == (2.3, 2.0, -0.3, "merged")
    # Capability 5 is new: no previous level.
    assert (five["previous"], five["delta"], five["compared"]) == (None, None, None)


def test_an_equal_capability_whose_indicators_changed_is_flagged(pair):
    previous, cycle = pair
    CrosswalkEntry.objects.filter(kind=IND, source_code="C01.1").update(relation="superset")

    assert capability(cycle_report_data(cycle), 1)["compared"] == "indicators"


def test_the_report_says_which_capabilities_were_compared_through_the_crosswalk(pair):
    _previous, cycle = pair
    data = cycle_report_data(cycle)
    data["sections"] = []

    html = render_report_html(data)

    assert "answered on framework version OLD-1, through the crosswalk between the two versions" in html
    assert "<td>directly</td>" in html
    assert "<td>through the crosswalk (Merged)</td>" in html


def test_progress_across_versions_runs_four_more_queries_than_on_one_version(pair, django_assert_num_queries):
    _previous, cycle = pair
    cycle = Cycle.objects.select_related("country", "framework_version").get(pk=cycle.pk)

    # tests/reports/test_consolidation.py: 18 queries with a previous cycle on the same version (16, and the
    # version's tags and their links); across versions 4 more: 19 the crosswalk, 20 its capability entries,
    # 21 the previous version's indicators, 22 the indicator entries that are not equal (capabilities whose
    # indicators changed).
    with django_assert_num_queries(22):
        cycle_report_data(cycle)


def test_without_a_crosswalk_nothing_is_compared(country_a, coordinator, version):
    other = make_framework("OTHER-1", {1: ["C01.1"]}, sectors=["ministry"])
    (org,) = organisations(country_a, ["Alpha"])
    previous = make_cycle(
        country=country_a,
        framework_version=version,
        organisations=[org],
        by=coordinator,
        opens_on=date.today() - timedelta(days=400),
    )
    answer(previous, org, "C01.1", "2")
    Submission.objects.filter(cycle=previous).update(status=Submission.Status.ACCEPTED)
    cycle = make_cycle(country=country_a, framework_version=other, organisations=[org], by=coordinator)

    data = cycle_report_data(cycle)

    assert data["previous_cycle"]["other_version"] is True
    assert capability(data, 1)["previous"] is None


def test_the_analysis_marks_a_change_compared_through_the_crosswalk(client, pair, coordinator):
    _previous, cycle = pair
    Submission.objects.filter(cycle=cycle).update(status=Submission.Status.ACCEPTED)
    client.force_login(coordinator)

    page = client.get(reverse("reports:cycle_analysis", args=[cycle.pk])).content.decode()

    gaps = page.split('id="ranked-gaps"')[1].split("</table>")[0]
    row_two = next(r for r in gaps.split("<tr>") if "2. Capability 2" in r)
    assert 'title="Merged">compared through the crosswalk</span>' in row_two
    # Capability 5 is new: no change, no mark. (Capability 1 meets its target: not a ranked gap.)
    row_five = next(r for r in gaps.split("<tr>") if "5. Capability 5" in r)
    assert "compared through the crosswalk" not in row_five
