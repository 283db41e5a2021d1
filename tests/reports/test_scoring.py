"""The scoring method on hand-made cases: no database, every number worked out in the test."""

import pytest

from reports import scoring
from reports.scoring import NationalScore, OrganisationScore, Response


def responses(organisation, *pairs):
    """``(weight, choice)`` pairs as one organisation's responses to consecutive indicators."""
    return [Response(organisation, f"I{i}", weight, choice) for i, (weight, choice) in enumerate(pairs)]


def org(name, score, levels=1, **counts):
    return OrganisationScore(name, score, levels=levels, **counts)


# Organisation score --------------------------------------------------------------------------------


def test_organisation_score_is_the_mean_of_levels_weighted_by_indicator_weight():
    # (4·1 + 0·3) / 4 = 1.0; an unweighted mean would say 2.0.
    result = scoring.organisation_score("Ministry", responses("Ministry", (1, "4"), (3, "0")))

    assert result.score == 1.0
    assert result.levels == 2


def test_organisation_score_rounds_to_two_decimals():
    # (1·1 + 2·1 + 2·1) / 3 = 1.666…
    assert scoring.organisation_score("Ministry", responses("Ministry", (1, "1"), (1, "2"), (1, "2"))).score == 1.67


def test_dont_know_not_applicable_and_unanswered_are_left_out_of_the_mean_and_counted():
    result = scoring.organisation_score(
        "NGO", responses("NGO", (1, "2"), (3, "dk"), (3, "na"), (3, ""), (1, "4"), (2, "na"))
    )

    assert result.score == 3.0  # (2 + 4) / 2: none of the weight-3 non-levels pulls it down
    assert (result.levels, result.dont_know, result.not_applicable, result.unanswered) == (2, 1, 2, 1)
    assert result.asked == 6


def test_an_organisation_with_no_level_has_no_score_rather_than_zero():
    result = scoring.organisation_score("NGO", responses("NGO", (2, "dk"), (1, "na"), (1, "")))

    assert result.score is None
    assert result.levels == 0


def test_level_zero_is_a_level_and_scores_zero():
    result = scoring.organisation_score("NGO", responses("NGO", (2, "0")))

    assert result.score == 0.0
    assert result.levels == 1


# National score ---------------------------------------------------------------------------------------


def test_national_level_is_the_median_so_one_outlier_barely_moves_it():
    steady = [org("A", 1.0), org("B", 1.5), org("C", 2.0)]
    with_outlier = [org("A", 1.0), org("B", 1.5), org("C", 2.0), org("D", 4.0)]

    assert scoring.national_score(steady, target=3).computed == 1.5
    # The mean would jump from 1.5 to 2.125; the median only moves to 1.75.
    assert scoring.national_score(with_outlier, target=3).computed == 1.75


def test_national_score_reports_spread_minimum_maximum_and_distinct_levels():
    score = scoring.national_score([org("A", 0.5), org("B", 2.0), org("C", 2.4), org("D", 3.75)], target=3)

    assert (score.minimum, score.maximum, score.spread) == (0.5, 3.75, 3.25)
    # Rounded to whole levels: 0, 2, 2, 4.
    assert score.distinct_levels == 3
    assert score.respondents == 4


def test_organisations_without_a_score_are_not_respondents_and_do_not_pull_the_median():
    score = scoring.national_score(
        [org("A", 2.0), org("B", 3.0), org("C", None, levels=0, dont_know=2)],
        target=3,
    )

    assert score.computed == 2.5
    assert score.respondents == 2


def test_a_capability_is_contested_at_exactly_two_levels_apart():
    score = scoring.national_score([org("A", 1.0), org("B", 3.0)], target=3)

    assert score.spread == 2.0
    assert score.contested is True


def test_a_capability_is_not_contested_at_one_point_nine_levels_apart():
    score = scoring.national_score([org("A", 1.1), org("B", 3.0)], target=3)

    assert score.spread == 1.9
    assert score.contested is False


def test_a_single_respondent_has_no_spread_worth_contesting():
    score = scoring.national_score([org("A", 4.0)], target=3)

    assert score.spread == 0.0
    assert score.contested is False


def test_validated_level_overrides_the_computed_level_for_the_gap_but_the_computed_level_stays():
    score = scoring.national_score([org("A", 1.0), org("B", 2.0)], target=3, validated=3)

    assert score.computed == 1.5
    assert score.validated == 3
    assert score.level == 3
    assert score.gap == 0


def test_a_validated_level_of_zero_is_still_a_validated_level():
    score = scoring.national_score([org("A", 2.0), org("B", 2.0)], target=3, validated=0)

    assert score.level == 0
    assert score.gap == 3


def test_gap_is_target_minus_national_level():
    score = scoring.national_score([org("A", 1.25), org("B", 1.75)], target=4)

    assert score.computed == 1.5
    assert score.gap == 2.5


def test_gap_is_negative_when_the_level_is_above_target():
    # Median 3.75, printed 3.8: the gap is computed from the printed level.
    assert scoring.national_score([org("A", 4.0), org("B", 3.5)], target=3).gap == -0.8


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.65, 2.7), (2.64, 2.6), (1.25, 1.3), (0.05, 0.1), (-0.04, 0.0), (-0.05, -0.1), (3, 3.0), (None, None)],
)
def test_shown_rounds_once_to_one_decimal_halves_up_and_never_gives_minus_zero(value, expected):
    result = scoring.shown(value)

    assert result == expected
    if result == 0:
        assert str(result) == "0.0", "no -0.0"


def test_level_target_and_gap_agree_as_printed():
    # Scores 2.6 and 2.7: median 2.65. Rounded separately it printed level 2.6 or 2.7 beside gap 0.3 or 0.4.
    score = scoring.national_score([org("A", 2.6), org("B", 2.7)], target=3)

    assert score.computed == 2.65
    assert score.level == 2.7
    assert score.gap == 0.3
    assert score.target - score.level == pytest.approx(score.gap)


def test_a_validated_level_turns_a_contested_capability_into_a_resolved_one():
    orgs = [org("A", 0.0), org("B", 2.0)]
    open_score = scoring.national_score(orgs, target=3)
    settled = scoring.national_score(orgs, target=3, validated=3)

    assert (open_score.disagreement, open_score.contested, open_score.resolved) == (True, True, False)
    assert (settled.disagreement, settled.contested, settled.resolved) == (True, False, True)


# Coverage and data gaps -----------------------------------------------------------------------------


def test_coverage_counts_answers_with_a_level_against_all_asked_except_not_applicable():
    score = scoring.national_score(
        [
            org("A", 2.0, levels=3, dont_know=1),  # asked 4
            org("B", 1.0, levels=1, not_applicable=2, unanswered=2),  # asked 5, 3 once "na" is left out
        ],
        target=3,
    )

    assert score.coverage == round(4 / 7, 3)
    assert score.data_gap is False


def test_fewer_than_two_respondents_is_a_data_gap():
    score = scoring.national_score([org("A", 2.0, levels=4), org("B", None, levels=0, dont_know=1)], target=3)

    assert score.respondents == 1
    assert score.data_gap is True
    assert score.computed == 2.0  # still shown, but flagged


def test_coverage_below_one_half_is_a_data_gap_even_with_enough_respondents():
    score = scoring.national_score(
        [org("A", 2.0, levels=1, dont_know=1, unanswered=1), org("B", 3.0, levels=1, unanswered=2)],
        target=3,
    )

    assert score.coverage == round(2 / 6, 3)
    assert score.respondents == 2
    assert score.data_gap is True


def test_coverage_of_exactly_one_half_is_not_a_data_gap():
    score = scoring.national_score(
        [org("A", 2.0, levels=1, dont_know=1), org("B", 3.0, levels=1, unanswered=1)],
        target=3,
    )

    assert score.coverage == 0.5
    assert score.data_gap is False


def test_a_capability_nobody_answered_is_a_data_gap_never_level_zero():
    score = scoring.national_score([org("A", None, levels=0, unanswered=3), org("B", None, levels=0)], target=3)

    assert score.computed is None
    assert score.level is None
    assert score.gap is None
    assert score.coverage == 0.0
    assert score.data_gap is True


def test_no_organisations_at_all_is_a_data_gap():
    score = scoring.national_score([], target=3)

    assert (score.computed, score.minimum, score.spread, score.respondents) == (None, None, None, 0)
    assert score.data_gap is True
    assert score.contested is False


# Priorities -------------------------------------------------------------------------------------------


def national(level, target=3):
    return NationalScore(computed=level, target=target)


def test_priorities_rank_by_gap_times_weight_largest_first():
    scores = {1: national(2.0), 3: national(1.0), 4: national(1.5)}  # gaps 1.0, 2.0, 1.5
    weights = {1: 2.0, 3: 0.5, 4: 1.0}  # weighted: 2.0, 1.0, 1.5

    ranked = scoring.rank_priorities(scores, weights)

    assert [(p.capability, p.score) for p in ranked] == [(1, 2.0), (4, 1.5), (3, 1.0)]


def test_priorities_with_the_same_weighted_gap_go_to_the_lower_capability_number():
    scores = {9: national(1.0), 2: national(2.0), 5: national(1.0)}
    weights = {9: 1.0, 2: 2.0, 5: 1.0}  # all weighted 2.0

    assert [p.capability for p in scoring.rank_priorities(scores, weights)] == [2, 5, 9]


def test_priorities_leave_out_capabilities_at_or_above_target_and_those_without_a_level():
    scores = {1: national(3.0), 2: national(3.5), 3: national(None), 4: national(2.5)}

    assert [p.capability for p in scoring.rank_priorities(scores, {})] == [4]


def test_a_capability_without_a_weight_counts_with_weight_one():
    assert scoring.rank_priorities({7: national(1.0)}, {})[0].score == 2.0


def test_weight_factor_is_the_mean_indicator_weight_over_two():
    assert scoring.weight_factor([3, 1]) == 1.0
    assert scoring.weight_factor([3]) == 1.5
    assert scoring.weight_factor([2, 1]) == 0.75
    assert scoring.weight_factor([]) == 1.0


# Domains, progress and next steps ----------------------------------------------------------------------


def test_domain_profile_summarises_its_capability_levels():
    profile = scoring.DomainProfile("A", [1.0, 2.5, 3.0])

    assert (profile.mean, profile.minimum, profile.maximum) == (2.17, 1.0, 3.0)
    assert scoring.DomainProfile("B").mean is None


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(2.5, 1.0, 1.5), (1.0, 2.25, -1.3), (2.0, 2.0, 0.0), (2.04, 2.0, 0.0), (None, 2.0, None), (2.0, None, None)],
)
def test_delta_is_the_change_since_the_previous_cycle_or_none_when_either_is_missing(current, previous, expected):
    assert scoring.delta(current, previous) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [(None, 1), (0, 1), (1.5, 2), (2, 3), (2.99, 3), (3.5, 4), (4, 4)],
)
def test_next_level_is_the_one_above_the_whole_level_and_never_above_four(level, expected):
    assert scoring.next_level(level) == expected
