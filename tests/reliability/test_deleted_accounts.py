"""Accounts are deleted (the user foreign keys are SET_NULL): the pages that name who did what still render."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Submission

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_the_questionnaire_pages_render_after_the_editor_and_reviewer_accounts_are_deleted(
    client, focal_point, second_focal_point, coordinator, superuser, answer, submission
):
    services.answer_save(answer=answer, choice="2", evidence="", comment="", base_version=0, by=second_focal_point)
    services.submission_submit(submission=submission, by=second_focal_point, confirm_unanswered=True)
    services.submission_return(submission=submission, by=coordinator, reason="Add the decree.")
    second_focal_point.delete()
    coordinator.delete()
    client.force_login(focal_point)
    capability = reverse(
        "assessments:questionnaire_capability", args=[submission.pk, answer.indicator.capability.number]
    )

    pages = [capability, reverse("assessments:questionnaire_history", args=[submission.pk])]
    pages.append(reverse("assessments:questionnaire", args=[submission.pk]))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "a deleted account" in response.content.decode(), url

    # A stale autosave against that answer gets the conflict fragment, naming no one.
    prefix = f"a{answer.pk}"
    response = client.post(
        reverse("assessments:answer_update", args=[submission.pk, answer.pk]),
        {f"{prefix}-choice": "1", f"{prefix}-evidence": "", f"{prefix}-comment": "", f"{prefix}-version": "0"},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert "a deleted account saved it" in response.content.decode()


def test_a_submitted_questionnaire_renders_after_its_submitter_is_deleted(
    client, focal_point, second_focal_point, submission
):
    services.submission_submit(submission=submission, by=second_focal_point, confirm_unanswered=True)
    second_focal_point.delete()
    client.force_login(focal_point)

    response = client.get(reverse("assessments:questionnaire", args=[submission.pk]))

    assert response.status_code == 200
    assert Submission.objects.get(pk=submission.pk).submitted_by is None
    assert "Submitted" in response.content.decode() and "by a deleted account" in response.content.decode()
