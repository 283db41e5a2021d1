"""The API's lists run a fixed number of queries, however many rows they return."""

import pytest
from django.urls import reverse

from assessments import services
from tests.factories import OrganisationFactory, SectorFactory, api_token, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def more_organisations(cycle, coordinator, country_a):
    def add(n):
        for i in range(n):
            police = OrganisationFactory(country=country_a, name=f"Police unit {i}", sector=SectorFactory(code=f"s{i}"))
            services.cycle_add_organisation(cycle=cycle, organisation=police, by=coordinator)

    return add


def test_a_cycles_questionnaires_cost_the_same_queries_for_one_or_many(
    client, coordinator, cycle, more_organisations, django_assert_num_queries
):
    _token, raw = api_token(coordinator)
    url = reverse("api:cycle-submissions", args=[cycle.pk])
    client.get(url, **bearer(raw))  # the token's last use is noted once a minute: not in the count below

    # 1 token with its user, 2 the cycle (scoped by a subquery on the roles), 3 the count, 4 the page with progress
    with django_assert_num_queries(4):
        assert len(client.get(url, **bearer(raw)).json()["results"]) == 1
    more_organisations(3)
    with django_assert_num_queries(4):
        assert len(client.get(url, **bearer(raw)).json()["results"]) == 4


def test_a_questionnaires_answers_cost_the_same_queries_for_any_number(
    client, focal_point, submission, django_assert_num_queries
):
    _token, raw = api_token(focal_point)
    url = reverse("api:submission-answers", args=[submission.pk])
    client.get(url, **bearer(raw))

    # 1 token with its user, 2 the submission, 3 the user's roles, 4 the count, 5 the answers with indicators
    with django_assert_num_queries(5):
        assert len(client.get(url, **bearer(raw)).json()["results"]) == 3


def test_cycles_cost_the_same_queries_for_one_or_many(client, coordinator, cycle, django_assert_num_queries):
    from tests.factories import make_cycle

    _token, raw = api_token(coordinator)
    url = reverse("api:cycle-list")
    client.get(url, **bearer(raw))

    # 1 token with its user, 2 the count, 3 the page with country and framework version
    with django_assert_num_queries(3):
        assert client.get(url, **bearer(raw)).json()["count"] == 1
    make_cycle(
        country=cycle.country, framework_version=cycle.framework_version, organisations=[], by=coordinator, open=False
    )
    with django_assert_num_queries(3):
        assert client.get(url, **bearer(raw)).json()["count"] == 2
