"""cycle_report_data on a cycle answered by hand (see the table in tests/reports/conftest.py)."""

import pytest

from assessments.models import Answer, Cycle, Submission
from capabilities.models import Capability, Enabler
from reports.consolidation import SMALL_NUMBER_FIELDS, cycle_report_data, observer_report_data
from reports.services import enabler_score_set, validated_level_set
from tests.reports.conftest import submission_status_set

pytestmark = pytest.mark.django_db


def capability(data, number):
    return next(c for c in data["capabilities"] if c["number"] == number)


def test_national_level_is_the_median_of_the_weighted_organisation_scores(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    leadership = capability(data, 1)
    assert [(o["name"], o["score"]) for o in leadership["organisations"]] == [
        ("Child Rights NGO", 1.0),
        ("Ministry of Interior", 2.0),  # (3·2 + 0·1) / 3, not the unweighted 1.5
    ]
    assert leadership["computed"] == leadership["level"] == 1.5
    assert (leadership["gap"], leadership["respondents"], leadership["coverage"]) == (1.5, 2, 1.0)
    assert leadership["contested"] is False


def test_a_capability_whose_organisations_differ_by_two_levels_is_contested(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    legislation = capability(data, 3)
    assert (legislation["min"], legislation["max"], legislation["spread"]) == (0.0, 2.0, 2.0)
    assert legislation["computed"] == 1.0
    assert legislation["distinct_levels"] == 3
    assert legislation["contested"] is True
    assert data["contested"] == [3]


def test_a_capability_with_one_respondent_is_a_data_gap_and_dont_know_is_counted(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    unit = capability(data, 4)
    assert unit["computed"] == 1.25  # the police alone: (1·3 + 2·1) / 4
    assert unit["respondents"] == 1
    assert unit["coverage"] == 0.667
    assert unit["data_gap"] is True
    ngo = next(o for o in unit["organisations"] if o["name"] == "Child Rights NGO")
    assert (ngo["score"], ngo["dont_know"]) == (None, 1)
    assert data["data_gaps"] == [4]


def test_priorities_rank_capabilities_by_gap_times_weight(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    assert data["priorities"] == [
        {"capability": 3, "gap": 2.0, "weight": 1.5, "score": 3.0},
        # Capability 4's median 1.25 is printed 1.3: its gap is 3 − 1.3 = 1.7, not 1.75 (printed "1.8").
        {"capability": 4, "gap": 1.7, "weight": 1.0, "score": 1.7},
        {"capability": 1, "gap": 1.5, "weight": 0.75, "score": 1.125},
    ]
    assert data["strengths"] == []


def test_only_submitted_and_accepted_questionnaires_are_included(seeded_cycle, ngo, police):
    submission_status_set(seeded_cycle, ngo, Submission.Status.DRAFT)
    submission_status_set(seeded_cycle, police, Submission.Status.RETURNED)

    data = cycle_report_data(seeded_cycle)

    assert data["totals"] == {"organisations": 3, "included": 1, "answers": 3}
    assert [(o["name"], o["included"]) for o in data["organisations"]] == [
        ("Child Rights NGO", False),
        ("Ministry of Interior", True),
        ("National Police", False),
    ]
    legislation = capability(data, 3)
    assert (legislation["computed"], legislation["respondents"], legislation["data_gap"]) == (2.0, 1, True)
    assert capability(data, 4)["computed"] is None
    assert capability(data, 4)["gap"] is None
    # The ministry alone: 3 at 2.0 (gap 1 × 1.5), 1 at 2.0 (gap 1 × 0.75); 4 has no level, so it is no priority.
    assert [p["capability"] for p in data["priorities"]] == [3, 1]


def test_answers_of_excluded_questionnaires_still_count_as_answered_in_participation(seeded_cycle, ngo):
    submission_status_set(seeded_cycle, ngo, Submission.Status.DRAFT)

    data = cycle_report_data(seeded_cycle)

    ngo_row = next(o for o in data["organisations"] if o["name"] == "Child Rights NGO")
    assert (ngo_row["asked"], ngo_row["answered"], ngo_row["included"]) == (3, 3, False)
    assert next(s for s in data["sectors"] if s["code"] == "ngo") == {
        "code": "ngo",
        "name": "NGO / civil society",
        "organisations": 1,
        "responded": 0,
    }


def test_a_validated_level_replaces_the_computed_level_for_gap_and_priority(seeded_cycle, coordinator):
    legislation_cap = Capability.objects.get(version=seeded_cycle.framework_version, number=3)
    validated_level_set(
        cycle=seeded_cycle,
        capability=legislation_cap,
        level=3,
        rationale="The 2025 amendment criminalised grooming; the NGO answered before it passed.",
        by=coordinator,
    )

    data = cycle_report_data(seeded_cycle)

    legislation = capability(data, 3)
    assert (legislation["computed"], legislation["validated"], legislation["level"]) == (1.0, 3, 3)
    assert legislation["gap"] == 0
    assert legislation["validated_by"] == "Cora Mendes"
    assert legislation["validated_rationale"].startswith("The 2025 amendment")
    # The disagreement stays on record, settled: resolved, no longer contested.
    assert (legislation["disagreement"], legislation["contested"], legislation["resolved"]) == (True, False, True)
    assert [p["capability"] for p in data["priorities"]] == [4, 1]
    assert data["strengths"] == [3]
    assert (data["contested"], data["resolved"]) == ([], [3])


# What observers see -------------------------------------------------------------------------------------


def test_observers_see_no_level_that_fewer_than_three_organisations_carry(seeded_cycle, ngo, police):
    # Only the ministry is included: every national level would be its own score.
    submission_status_set(seeded_cycle, ngo, Submission.Status.DRAFT)
    submission_status_set(seeded_cycle, police, Submission.Status.DRAFT)

    coordinator_view = cycle_report_data(seeded_cycle)
    data = observer_report_data(seeded_cycle)

    assert capability(coordinator_view, 3)["level"] == 2.0  # the coordinator still sees it
    for cap in data["capabilities"]:
        assert cap["suppressed"] is True
        assert all(cap[field] is None for field in SMALL_NUMBER_FIELDS)
        assert (cap["organisations"], cap["evidence"], cap["by_sector"]) == ([], [], {})
    assert (data["priorities"], data["strengths"], data["contested"]) == ([], [], [])
    assert all(d["mean"] is None and d["min"] is None for d in data["domains"])
    assert data["organisations"] == []
    assert data["meta"]["audience"] == "observer"


def test_observers_see_levels_that_three_organisations_carry_but_no_organisation_detail(seeded_cycle):
    data = observer_report_data(seeded_cycle)

    legislation = capability(data, 3)  # scored by the ministry, the police and the NGO
    assert (legislation["suppressed"], legislation["level"], legislation["contested"]) == (False, 1.0, True)
    assert (legislation["min"], legislation["max"]) == (0.0, 2.0)
    assert (legislation["organisations"], legislation["evidence"]) == ([], [])
    assert capability(data, 1)["suppressed"] is True  # two organisations
    assert capability(data, 4)["suppressed"] is True  # one organisation
    assert [p["capability"] for p in data["priorities"]] == [3]
    policy, justice = data["domains"]
    assert (policy["mean"], policy["min"], policy["max"]) == (1.0, 1.0, 1.0)  # from capability 3 alone
    assert justice["mean"] is None
    assert data["data_gaps"] == [4]  # counts, not levels: still shown


def test_observers_see_no_previous_level_that_fewer_than_three_organisations_carried(seeded_cycle, previous_cycle):
    data = observer_report_data(seeded_cycle)

    # Last year capability 3 had three organisations (0, 0, 0), capability 1 two.
    assert (capability(data, 3)["previous"], capability(data, 3)["delta"]) == (0.0, 1.0)
    assert (capability(data, 1)["previous"], capability(data, 1)["delta"]) == (None, None)


def test_domain_profile_uses_national_levels(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    policy, justice = data["domains"]
    assert (policy["code"], policy["capabilities"], policy["mean"], policy["min"], policy["max"]) == (
        "A",
        [1, 3],
        1.25,
        1.0,
        1.5,
    )
    assert (justice["code"], justice["mean"], justice["target_mean"]) == ("B", 1.3, 3)  # capability 4 at 1.3


def test_enabler_scores_set_by_the_coordinator_are_reported(seeded_cycle, coordinator):
    enabler = Enabler.objects.get(version=seeded_cycle.framework_version, code="E1")

    assert cycle_report_data(seeded_cycle)["enablers"][0]["level"] is None
    enabler_score_set(
        cycle=seeded_cycle, enabler=enabler, level=2, rationale="  A task force meets monthly.  ", by=coordinator
    )

    assert cycle_report_data(seeded_cycle)["enablers"] == [
        {
            "code": "E1",
            "name": "Collaboration",
            "description": "Working together.",
            "level": 2,
            "rationale": "A task force meets monthly.",
            "set_by": "Cora Mendes",
            "source": "mnr-2016",
            "links_source": "mnr-2016",
        }
    ]


def test_progress_is_the_change_since_the_previous_cycle_on_the_same_framework_version(seeded_cycle, previous_cycle):
    data = cycle_report_data(seeded_cycle)

    assert data["previous_cycle"] == {
        "id": previous_cycle.pk,
        "title": "National assessment 2025",
        "period": "2024–2025",
        "framework_code": "TINY-1",
        "other_version": False,
    }
    assert capability(data, 1)["compared"] == "equal"
    assert (capability(data, 1)["previous"], capability(data, 1)["delta"]) == (1.0, 0.5)
    assert (capability(data, 3)["previous"], capability(data, 3)["delta"]) == (0.0, 1.0)
    assert (capability(data, 4)["previous"], capability(data, 4)["delta"]) == (None, None)


def test_the_previous_cycle_has_no_previous_cycle(seeded_cycle, previous_cycle):
    data = cycle_report_data(previous_cycle)

    assert data["previous_cycle"] is None
    assert capability(data, 3)["delta"] is None


def test_evidence_excerpts_and_next_steps_come_from_included_answers(seeded_cycle):
    legislation = capability(cycle_report_data(seeded_cycle), 3)

    assert legislation["evidence"] == [
        {
            "organisation": "Ministry of Interior",
            "indicator": "C03.1",
            "text": "Penal code art. 201 covers grooming since 2021.",
        }
    ]
    # C03.1's median level is 1 (0, 1, 2): the next step quotes its level-2 descriptor.
    assert legislation["next_steps"] == [
        {
            "indicator": "C03.1",
            "question": "Is online grooming an offence?",
            "current": 1,
            "level": 2,
            "text": "Partly.",
        }
    ]


def test_unanswered_indicators_are_data_gaps_not_level_zero(report_cycle):
    data = cycle_report_data(report_cycle)

    assert all(c["computed"] is None and c["data_gap"] for c in data["capabilities"])
    assert data["priorities"] == []
    assert data["data_gaps"] == [1, 3, 4]


def test_report_data_holds_the_cycle_meta_and_method(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    assert {k: data["meta"][k] for k in ("country", "country_code", "framework_code", "cycle_title", "language")} == {
        "country": "Arcadia",
        "country_code": "AA",
        "framework_code": "TINY-1",
        "cycle_title": "National assessment 2026",
        "language": "en",
    }
    assert data["method"]["contested_spread"] == 2
    assert data["method"]["included_statuses"] == ["submitted", "accepted"]


# Query count ---------------------------------------------------------------------------------------------

# cycle_report_data, with the cycle loaded as the views load it (country and framework version joined):
#   1 maturity levels, 2 domains, 3 capabilities (+ domain), 4 indicators, 5 level descriptors,
#   6 cycle targets (+ capability), 7 validated levels (+ capability, set_by), 8 sectors,
#   9 submissions (+ organisation), 10 answers, 11 the previous cycle,
#   12 enabler scores (+ set_by), 13 enablers, 14 tags, 15 the capabilities they reach (version_tags).
# With a previous cycle, 3 more: its included submissions, their answers, its validated levels.
QUERIES = 15
QUERIES_WITH_PREVIOUS = 18


def _add_organisations(cycles, coordinator, count):
    """``count`` more organisations in each cycle, spread over the three sectors, answering every question."""
    from assessments.services import cycle_add_organisation
    from tests.factories import OrganisationFactory, SectorFactory

    sectors = ["ministry", "law_enforcement", "ngo"]
    for i in range(count):
        organisation = OrganisationFactory(
            country=cycles[0].country, name=f"Extra organisation {i:02d}", sector=SectorFactory(code=sectors[i % 3])
        )
        for cycle in cycles:
            cycle_add_organisation(cycle=cycle, organisation=organisation, by=coordinator)
    Answer.objects.filter(submission__cycle__in=cycles, choice="").update(choice="2", evidence="Annual report.")
    Submission.objects.filter(cycle__in=cycles).update(status=Submission.Status.SUBMITTED)


def _loaded(cycle):
    return Cycle.objects.select_related("country", "framework_version").get(pk=cycle.pk)


def test_report_data_runs_a_fixed_number_of_queries_whatever_the_number_of_organisations(
    seeded_cycle, coordinator, django_assert_num_queries
):
    cycle = _loaded(seeded_cycle)
    with django_assert_num_queries(QUERIES):
        three = cycle_report_data(cycle)
    assert three["totals"]["organisations"] == 3

    _add_organisations([seeded_cycle], coordinator, 9)

    cycle = _loaded(seeded_cycle)
    with django_assert_num_queries(QUERIES):
        twelve = cycle_report_data(cycle)
    assert twelve["totals"]["organisations"] == 12
    assert twelve["totals"]["answers"] == 36


def test_observer_report_data_runs_the_same_queries(seeded_cycle, coordinator, django_assert_num_queries):
    cycle = _loaded(seeded_cycle)
    with django_assert_num_queries(QUERIES):
        observer_report_data(cycle)

    _add_organisations([seeded_cycle], coordinator, 9)

    cycle = _loaded(seeded_cycle)
    with django_assert_num_queries(QUERIES):
        data = observer_report_data(cycle)
    assert not any(c["suppressed"] for c in data["capabilities"])


def test_report_data_of_a_cycle_loaded_alone_costs_two_more_queries(seeded_cycle, django_assert_num_queries):
    # The country and the framework version, read for the meta block.
    cycle = Cycle.objects.get(pk=seeded_cycle.pk)
    with django_assert_num_queries(QUERIES + 2):
        cycle_report_data(cycle)


def test_report_data_with_a_previous_cycle_runs_a_fixed_number_of_queries(
    seeded_cycle, previous_cycle, coordinator, django_assert_num_queries
):
    cycle = _loaded(seeded_cycle)
    with django_assert_num_queries(QUERIES_WITH_PREVIOUS):
        cycle_report_data(cycle)

    _add_organisations([seeded_cycle, previous_cycle], coordinator, 9)

    cycle = _loaded(seeded_cycle)
    with django_assert_num_queries(QUERIES_WITH_PREVIOUS):
        data = cycle_report_data(cycle)
    assert data["totals"]["organisations"] == 12
    assert data["previous_cycle"]["title"] == "National assessment 2025"
