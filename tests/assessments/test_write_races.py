"""Status is checked where the write happens: on the rows as they are inside the write's transaction.

A request reads its questionnaire at the start; what matters is whether the questionnaire and its
cycle still take answers when the answers are written. Each test lets the coordinator act between
the two moments (during a slow workbook parse, or after a page was loaded) and checks the write is
refused and nothing changed. ``tests/reliability/test_write_locks.py`` does the same across two
PostgreSQL connections.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments import services, workbook
from assessments.models import Answer, AnswerRevision, Cycle, Submission
from tests.assessments.test_workbook import download, fill, snapshot, text, upload

pytestmark = pytest.mark.django_db


def accepted_and_closed(submission, focal_point, coordinator):
    """What the focal point (another tab) and the coordinator do meanwhile."""
    services.submission_submit(
        submission=Submission.objects.get(pk=submission.pk), by=focal_point, confirm_unanswered=True
    )
    services.submission_accept(submission=Submission.objects.get(pk=submission.pk), by=coordinator)
    services.cycle_close(cycle=Cycle.objects.get(pk=submission.cycle_id), by=coordinator)


def test_a_slow_upload_does_not_write_after_the_questionnaire_was_accepted_and_the_cycle_closed(
    client, focal_point, coordinator, submission, monkeypatch
):
    client.force_login(focal_point)
    content = fill(download(client, submission), {"C01.1": {"answer": "4 – Maturity", "evidence": "Act 7/2025."}})
    read = workbook.workbook_read

    def slow_read(*args, **kwargs):
        parsed = read(*args, **kwargs)  # the file is parsed against the questionnaire as it was
        accepted_and_closed(submission, focal_point, coordinator)
        return parsed

    monkeypatch.setattr(workbook, "workbook_read", slow_read)
    before = snapshot(submission)

    response = upload(client, submission, content)

    assert response.status_code == 403
    assert "This cycle is closed: its answers are final" in text(response)
    assert snapshot(submission) == before
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.ACCEPTED


def test_an_answer_saved_from_a_page_loaded_before_the_cycle_closed_is_refused(focal_point, coordinator, answer):
    stale = Answer.objects.select_related("submission__cycle").get(pk=answer.pk)  # the page's copy: open, draft
    accepted_and_closed(answer.submission, focal_point, coordinator)

    with pytest.raises(PermissionDenied, match="This cycle is closed"):
        services.answer_save(answer=stale, choice="2", evidence="", comment="late", base_version=0, by=focal_point)

    assert Answer.objects.filter(pk=answer.pk, version=0, comment="").exists()
    assert not AnswerRevision.objects.filter(answer=answer).exists()


def test_an_answer_saved_after_the_questionnaire_was_submitted_elsewhere_is_refused(focal_point, answer):
    stale = Answer.objects.select_related("submission__cycle").get(pk=answer.pk)
    services.submission_submit(
        submission=Submission.objects.get(pk=answer.submission_id), by=focal_point, confirm_unanswered=True
    )

    with pytest.raises(PermissionDenied, match="submitted"):
        services.answer_save(answer=stale, choice="2", evidence="", comment="late", base_version=0, by=focal_point)

    assert Answer.objects.get(pk=answer.pk).version == 0


def test_a_submission_accepted_from_a_page_loaded_before_the_cycle_closed_is_refused(
    focal_point, coordinator, submission
):
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    stale = Submission.objects.select_related("cycle").get(pk=submission.pk)
    services.cycle_close(cycle=Cycle.objects.get(pk=submission.cycle_id), by=coordinator)

    with pytest.raises(ValidationError, match="is closed"):
        services.submission_accept(submission=stale, by=coordinator)
    with pytest.raises(ValidationError, match="is closed"):
        services.submission_return(submission=stale, by=coordinator, reason="Add the decree.")

    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED


def test_targets_sent_from_a_page_loaded_before_the_cycle_closed_are_refused(client, coordinator, cycle):
    client.force_login(coordinator)
    data = {f"cap_{t.capability_id}": 4 for t in cycle.targets.all()}
    services.cycle_close(cycle=cycle, by=coordinator)

    client.post(reverse("assessments:cycle_targets", args=[cycle.pk]), data)

    assert set(cycle.targets.values_list("target_level", flat=True)) == {3}
