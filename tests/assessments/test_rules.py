"""Workflow rules enforced on the server whatever the page offers."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import AuditEvent, RoleAssignment, Submission
from tests.factories import make_cycle

pytestmark = pytest.mark.django_db


def test_a_submission_cannot_be_accepted_once_the_cycle_is_closed(submission, focal_point, coordinator):
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    services.cycle_close(cycle=submission.cycle, by=coordinator)
    submission.refresh_from_db()

    with pytest.raises(ValidationError, match="closed"):
        services.submission_accept(submission=submission, by=coordinator)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_no_focal_point_can_be_invited_to_a_closed_cycle(client, cycle, coordinator, submission):
    services.cycle_close(cycle=cycle, by=coordinator)
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_invite", args=[cycle.pk]),
        {
            "organisation": submission.organisation_id,
            "email": "late@example.org",
            "first_name": "L",
            "last_name": "Ate",
        },
        follow=True,
    )

    assert "The cycle is closed; invite focal points to a new cycle." in response.content.decode()
    assert not RoleAssignment.objects.filter(user__email="late@example.org").exists()
    assert mail.outbox == []


def test_focal_points_meet_a_cycle_only_once_it_opens(
    client, tiny_framework, country_a, organisation, coordinator, focal_point
):
    draft = make_cycle(
        country=country_a,
        framework_version=tiny_framework,
        organisations=[organisation],
        by=coordinator,
        open=False,
        title="Next cycle",
    )
    submission = draft.submissions.get()
    client.force_login(focal_point)

    assert client.get(reverse("assessments:cycle_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("assessments:questionnaire", args=[submission.pk])).status_code == 404

    services.cycle_open(cycle=draft, by=coordinator)
    assert client.get(reverse("assessments:questionnaire", args=[submission.pk])).status_code == 200


def test_saving_what_is_already_there_is_not_a_conflict(answer, focal_point, second_focal_point):
    services.answer_save(answer=answer, choice="2", evidence="", comment="", base_version=0, by=second_focal_point)
    answer.refresh_from_db()

    result = services.answer_save(answer=answer, choice="2", evidence="", comment="", base_version=0, by=focal_point)

    assert result.changed is False
    answer.refresh_from_db()
    assert answer.version == 1 and answer.updated_by == second_focal_point
    assert answer.revisions.count() == 1


def test_a_capability_the_organisation_is_not_asked_is_404_and_not_audited_as_a_read(client, submission, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 4]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUBMISSION_VIEWED).exists()


def test_a_new_organisation_is_not_kept_when_it_cannot_join_the_cycle(client, cycle, coordinator):
    services.cycle_close(cycle=cycle, by=coordinator)
    client.force_login(coordinator)
    from capabilities.models import Sector

    client.post(
        reverse("assessments:cycle_add_participant", args=[cycle.pk]),
        {"name": "Late Joiner", "sector": Sector.objects.get(code="ngo").pk},
    )

    assert not cycle.country.organisations.filter(name="Late Joiner").exists()
