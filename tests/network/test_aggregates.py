"""The small-number rules on constructed sets, and aggregates read from consents."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from network import services
from network.aggregates import contributions, distribution, figures

pytestmark = pytest.mark.django_db


def counts(figure):
    return [c.count for c in figure.cells]


def test_four_countries_are_below_k_and_show_nothing():
    figure = distribution([1, 2, 2, 3], k=5, min_cell=2)

    assert not figure.shown
    assert figure.contributors is None and figure.cells == [] and figure.median is None


def test_five_countries_reach_k_and_show_the_distribution_and_median():
    figure = distribution([1, 1, 2, 2, 2], k=5, min_cell=2)

    assert figure.shown and figure.contributors == 5
    assert counts(figure) == [0, 2, 3, 0, 0]
    assert figure.median == Decimal("2.0")


def test_a_national_level_counts_at_the_whole_level_it_has_reached():
    figure = distribution([Decimal("1.9"), Decimal("2.0"), Decimal("2.7"), 1, 1], k=5, min_cell=1)

    assert counts(figure) == [0, 3, 2, 0, 0]


def test_a_single_small_cell_hides_the_next_smallest_too_so_it_cannot_be_derived_from_the_total():
    # 9 countries: 1 at level 0, 4 at level 2, 4 at level 3. Hiding only level 0 would leave 9 - 8 = 1.
    figure = distribution([0, 2, 2, 2, 2, 3, 3, 3, 3], k=5, min_cell=2)

    assert figure.contributors == 9
    hidden = [c.level for c in figure.cells if c.hidden]
    # The next smallest cell is a zero (level 1): the two hidden cells sum to 1, and nobody can say which holds it.
    assert hidden == [0, 1]
    assert figure.median is None
    assert figure.count_at(2) == 4 and figure.count_at(3) == 4


def test_complementary_suppression_picks_a_non_zero_cell_when_no_zero_is_left():
    # 1 at level 0, 2 at level 1, 3 at level 2, 3 at level 3, 3 at level 4: only level 0 is small.
    figure = distribution([0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], k=5, min_cell=2)

    assert [c.level for c in figure.cells if c.hidden] == [0, 1]
    assert figure.count_at(2) == 3


def test_two_small_cells_need_no_third():
    figure = distribution([0, 4, 2, 2, 2, 3, 3], k=5, min_cell=2)

    assert [c.level for c in figure.cells if c.hidden] == [0, 4]
    assert figure.median is None


def test_the_issue_example_shows_every_cell():
    figure = distribution([1, 1, 2, 2, 2, 2, 3, 3, 3], k=5, min_cell=2)

    assert counts(figure) == [0, 2, 4, 3, 0] and figure.median == Decimal("2.0")


def test_k_comes_from_the_setting(settings):
    settings.NETWORK_MIN_COUNTRIES = 3
    assert distribution([1, 2, 3]).shown
    settings.NETWORK_MIN_COUNTRIES = 4
    assert not distribution([1, 2, 3]).shown


def test_aggregates_count_only_consenting_countries_and_withdrawal_removes_one_from_later_aggregates(
    build_country, tiny_framework
):
    countries = [build_country(n, levels={1: 2, 3: 1}) for n in range(5)]
    build_country(9, levels={1: 4}, consents=())  # closed, never consented: never counted

    caps, domains = figures(contributions(version=tiny_framework))
    assert caps[1].contributors == 5 and caps[1].count_at(2) == 5
    assert domains["A"].contributors == 5

    services.consent_withdraw(cycle=countries[0].cycle, kind="aggregates", by=countries[0].coordinator)

    caps, _domains = figures(contributions(version=tiny_framework))
    assert not caps[1].shown  # 4 countries left: below k


def test_a_country_counts_once_with_its_latest_consenting_cycle(build_country, tiny_framework):
    country = build_country(1, levels={1: 1})
    from assessments.models import Organisation
    from network.models import Consent
    from reports.models import ValidatedLevel
    from tests.factories import make_cycle

    later = make_cycle(
        country=country,
        framework_version=tiny_framework,
        organisations=[Organisation.objects.get(country=country)],
        by=country.coordinator,
        title="Second",
    )
    ValidatedLevel.objects.create(
        cycle=later, capability=later.targets.get(capability__number=1).capability, level=3, rationale="x"
    )
    from assessments import services as assessment_services

    assessment_services.cycle_close(cycle=later, by=country.coordinator)
    services.consent_give(cycle=later, kind="aggregates", by=country.coordinator)

    contributed = contributions(version=tiny_framework)
    assert contributed[country.pk][1][1] == Decimal("3.0")
    assert Consent.objects.current().filter(kind="aggregates").count() == 2


def test_a_region_counts_its_own_countries_only(build_country, tiny_framework, region):
    for n in range(5):
        build_country(n, levels={1: 2}, regions=[region])
    for n in range(5, 8):
        build_country(n, levels={1: 3})

    assert figures(contributions(version=tiny_framework, region=region))[0][1].contributors == 5
    assert figures(contributions(version=tiny_framework))[0][1].contributors == 8


@pytest.mark.parametrize("n", [5, 50])
def test_the_coordinator_page_runs_the_same_queries_for_5_and_50_countries(
    client, build_country, region, n, django_assert_num_queries
):
    countries = [build_country(i, levels={1: 2, 3: i % 5, 4: 1}, regions=[region]) for i in range(n)]
    me = countries[0]
    client.force_login(me.coordinator)
    client.get(reverse("network:insight"))  # warm the session and the framework caches

    # session, user, roles (1 each: 3); coordinated countries; the latest closed cycle; the cycle's report
    # data (15: the framework, targets, validated levels, answers, ... as reports.consolidation says); the
    # country's regions; per scope (the region, then the network): contributions, capabilities, domains (6).
    with django_assert_num_queries(QUERIES_INSIGHT):
        response = client.get(reverse("network:insight"))

    assert response.status_code == 200
    assert set(re.findall(r"Nation \d{3}", response.content.decode())) <= {me.name}


QUERIES_INSIGHT = 28
