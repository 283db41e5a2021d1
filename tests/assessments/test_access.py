"""The access decision on one loaded questionnaire is the ``visible_to`` rule of the lists, for every persona."""

import pytest

from assessments.access import may_see_submission, roles_of
from assessments.models import Submission
from tests.factories import make_cycle

pytestmark = pytest.mark.django_db

PERSONAS = ["coordinator", "focal_point", "observer", "outsider", "superuser"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_questionnaire_is_decided_as_the_list_filters_it(
    request, persona, tiny_framework, country_a, organisation, organisation_b, coordinator, cycle
):
    # A draft cycle too: its questionnaires are the coordinators' only.
    make_cycle(
        country=country_a,
        framework_version=tiny_framework,
        organisations=[organisation],
        by=coordinator,
        open=False,
        title="Next cycle",
    )
    user = request.getfixturevalue(persona)
    submissions = list(Submission.objects.select_related("cycle"))
    assert len(submissions) >= 2

    listed = set(Submission.objects.visible_to(user).values_list("pk", flat=True))

    assert {s.pk for s in submissions if may_see_submission(user, s)} == listed


def test_the_list_filter_has_no_distinct_and_no_join_through_the_roles(focal_point):
    sql = str(Submission.objects.visible_to(focal_point).query)

    assert "DISTINCT" not in sql
    assert 'JOIN "assessments_roleassignment"' not in sql  # the roles are a subquery


def test_roles_are_read_once_per_request(focal_point, django_assert_num_queries):
    with django_assert_num_queries(1):
        roles_of(focal_point)
        roles_of(focal_point)
