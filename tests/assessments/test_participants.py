"""The coordinator's organisations, invitations, reminders and the e-mails people expect (issue 9: 4, 7, 16-18)."""

import re
import threading
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessLog
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import participants, services
from assessments.models import (
    AuditEvent,
    Invitation,
    Organisation,
    Profile,
    Reminder,
    Role,
    RoleAssignment,
    Submission,
)
from tests.assessments.test_workflow import messages_of
from tests.conftest import require_postgres
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, UserFactory, make_cycle

pytestmark = pytest.mark.django_db


def remind(client, cycle, organisations):
    return client.post(
        reverse("assessments:cycle_remind", args=[cycle.pk]), {"organisation": [o.pk for o in organisations]}
    )


# 4. Reminders are sent once --------------------------------------------------------------------------------


def test_a_double_click_on_send_reminders_sends_each_reminder_once(
    client, coordinator, focal_point, cycle, organisation, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        first = remind(client, cycle, [organisation])
    with django_capture_on_commit_callbacks(execute=True):
        second = remind(client, cycle, [organisation])

    assert messages_of(first) == ["Reminders sent to \u2068Ministry of Interior\u2069."]
    assert messages_of(second)[-1] == "No reminder sent: the organisations chosen were reminded less than 24 hours ago."
    assert Reminder.objects.filter(cycle=cycle).count() == 1
    assert [m.to for m in mail.outbox] == [[focal_point.email]]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REMINDER_SENT, cycle=cycle).count() == 1


def test_two_requests_racing_with_the_same_plan_send_one_reminder(coordinator, focal_point, cycle, organisation):
    """Both requests read "due" before either wrote; the conditional claim lets only one send."""
    stale_plan = services.reminders_plan(cycle)
    with mock.patch.object(services, "reminders_plan", return_value=stale_plan):
        first = services.reminders_send(cycle=cycle, by=coordinator, base_url="")
        second = services.reminders_send(cycle=cycle, by=coordinator, base_url="")

    assert (len(first), len(second)) == (1, 0)
    assert Reminder.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_on_two_connections_remind_once(coordinator, focal_point, cycle, organisation):
    """On PostgreSQL, two requests at the same instant: one sends, the other finds it sent."""
    require_postgres()
    barrier = threading.Barrier(2)
    sent, errors = [], []

    def press_send():
        try:
            barrier.wait(timeout=10)
            sent.append(len(services.reminders_send(cycle=cycle, by=coordinator, base_url="")))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == [] and sorted(sent) == [0, 1]
    assert Reminder.objects.filter(cycle=cycle).count() == 1


def test_the_confirmation_shows_who_will_be_written_to_and_who_was_reminded_recently(
    client, coordinator, focal_point, second_focal_point, cycle, organisation, country_a
):
    police = OrganisationFactory(country=country_a, name="National Police", sector=SectorFactory(code="ngo"))
    services.cycle_add_organisation(cycle=cycle, organisation=police, by=coordinator)
    FocalPointRoleFactory(organisation=police, user=UserFactory(email="officer@example.org"))
    services.reminders_send(cycle=cycle, by=coordinator, base_url="", organisation_ids={police.pk})
    client.force_login(coordinator)

    page = client.get(reverse("assessments:cycle_remind", args=[cycle.pk])).content.decode()

    assert "These people will be written to" in page
    assert "farid@example.org" in page and "sade@example.org" in page
    assert re.findall(r'name="organisation" value="(\d+)"', page) == [str(organisation.pk)]
    assert "Reminded recently, not written to again yet" in page and "National Police — last reminded" in page
    assert "An organisation is reminded at most once every 24 hours." in page
    cycle_page = client.get(cycle.get_absolute_url()).content.decode()
    last = timezone.localtime(cycle.submissions.get(organisation=police).last_reminded_at)
    assert f"<td>{last:%m/%d/%Y}" in cycle_page or "Last reminded" in cycle_page
    assert "An organisation is reminded at most once every 24 hours." in cycle_page


def test_an_organisation_can_be_reminded_again_once_the_interval_has_passed(
    coordinator, focal_point, cycle, submission
):
    services.reminders_send(cycle=cycle, by=coordinator, base_url="")
    Submission.objects.filter(pk=submission.pk).update(
        last_reminded_at=timezone.now() - services.REMINDER_INTERVAL - timedelta(minutes=1)
    )

    assert len(services.reminders_send(cycle=cycle, by=coordinator, base_url="")) == 1
    assert Reminder.objects.count() == 2


# 7. An existing account must accept; the audit trail shows only what came after ------------------------------


def invite(client, cycle, organisation, email, **names):
    return client.post(
        reverse("assessments:cycle_invite", args=[cycle.pk]), {"organisation": organisation.pk, "email": email, **names}
    )


def test_an_existing_account_joins_only_by_accepting_and_the_trail_shows_its_logins_from_then_on(
    client, coordinator, cycle, organisation, outsider, django_capture_on_commit_callbacks
):
    before = AccessLog.objects.create(username=outsider.username, ip_address="203.0.113.9", user_agent="x")
    AccessLog.objects.filter(pk=before.pk).update(attempt_time=timezone.now() - timedelta(days=3))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, cycle, organisation, outsider.email.upper())
    invitation = Invitation.objects.get(user=outsider)

    trail = client.get(reverse("assessments:audit_trail")).content.decode()
    assert "203.0.113.9" not in trail and not RoleAssignment.objects.filter(user=outsider, organisation=organisation)

    # The person finds the invitation on their home page and accepts it.
    client.force_login(outsider)
    home = client.get(reverse("home")).content.decode()
    assert "Invitations waiting for your answer" in home and "Ministry of Interior" in home
    response = client.post(reverse("assessments:invitation_accept", args=[invitation.pk]))
    assert messages_of(response) == [
        "You are now a focal point of \u2068Ministry of Interior\u2069 (\u2068Arcadia\u2069)."
    ]
    assert RoleAssignment.objects.filter(user=outsider, role=Role.FOCAL_POINT, organisation=organisation).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    RoleAssignment.objects.filter(user=outsider, organisation=organisation).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    AccessLog.objects.create(username=outsider.username, ip_address="198.51.100.7", user_agent="x")

    client.force_login(coordinator)
    trail = client.get(reverse("assessments:audit_trail")).content.decode()
    assert "198.51.100.7" in trail, "a login after joining belongs to the trail"
    assert "203.0.113.9" not in trail, "a login from before joining does not"
    assert "Accepted an invitation" in trail


def test_a_declined_invitation_gives_no_role_and_shows_as_declined(client, coordinator, cycle, organisation, outsider):
    invitation = participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email=outsider.email, by=coordinator, base_url=""
    )
    client.force_login(outsider)

    response = client.post(reverse("assessments:invitation_decline", args=[invitation.pk]))

    assert messages_of(response) == ["You declined the invitation of \u2068Ministry of Interior\u2069."]
    assert not RoleAssignment.objects.filter(user=outsider, organisation=organisation).exists()
    assert AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_DECLINED).ip_address is None
    assert "Invitations waiting" not in client.get(reverse("home")).content.decode()
    assert client.post(reverse("assessments:invitation_accept", args=[invitation.pk])).status_code == 404
    client.force_login(coordinator)
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "Declined</span>" in page


def test_nobody_else_can_answer_an_invitation(client, coordinator, cycle, organisation, outsider, focal_point):
    invitation = participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email=outsider.email, by=coordinator, base_url=""
    )
    for someone in (coordinator, focal_point):
        client.force_login(someone)
        assert client.post(reverse("assessments:invitation_accept", args=[invitation.pk])).status_code == 404
    with pytest.raises(Exception, match="someone else"):
        participants.invitation_accept(invitation=invitation, by=focal_point)
    assert not RoleAssignment.objects.filter(user=outsider, organisation=organisation).exists()


def test_inviting_an_account_twice_while_it_has_not_answered_is_refused(coordinator, cycle, organisation, outsider):
    participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email=outsider.email, by=coordinator, base_url=""
    )

    with pytest.raises(ValidationError, match="has not answered yet; resend the invitation instead"):
        participants.focal_point_invite(
            cycle=cycle, organisation=organisation, email=outsider.email, by=coordinator, base_url=""
        )


# 17. Focal points and invitation status, with "resend invitation" --------------------------------------------


def test_the_cycle_page_shows_each_focal_point_with_its_status_and_last_activity(
    client, coordinator, focal_point, cycle, organisation, outsider
):
    focal_point.last_login = timezone.now()
    focal_point.save(update_fields=["last_login"])
    participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email="nia@example.org", by=coordinator, base_url=""
    )
    participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email=outsider.email, by=coordinator, base_url=""
    )
    client.force_login(coordinator)

    page = client.get(cycle.get_absolute_url()).content.decode()

    row = page[page.index("Ministry of Interior") : page.index("</tr>", page.index("Ministry of Interior"))]
    assert "farid@example.org" in row and "Accepted</span> last active" in row
    assert "nia@example.org" in row and "Invited</span>" in row and "not logged in yet" in row
    assert outsider.email in row and "Awaiting acceptance</span>" in row
    assert row.count(">Resend invitation<") == 2  # the two who have not come in yet
    assert "last active" not in row[row.index(outsider.email) :], "an invitee's activity is not shown before they join"


def test_resending_an_invitation_sends_a_fresh_link_once_per_interval(
    client, coordinator, cycle, organisation, django_capture_on_commit_callbacks
):
    invitation = participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email="nia@example.org", by=coordinator, base_url=""
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    client.force_login(coordinator)
    url = reverse("assessments:invitation_resend", args=[cycle.pk, invitation.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url)

    assert messages_of(first) == ["Invitation sent again to \u2068nia@example.org\u2069."]
    assert "it can be sent again from" in messages_of(second)[-1]
    (message,) = mail.outbox
    assert re.search(r"http://testserver/accounts/reset/\S+/", message.body)
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_RESENT).count() == 1


def test_a_closed_cycle_refuses_resending_and_inviting_in_the_service(coordinator, cycle, organisation):
    invitation = participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email="nia@example.org", by=coordinator, base_url=""
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    services.cycle_close(cycle=cycle, by=coordinator)

    with pytest.raises(ValidationError, match="is closed"):
        participants.invitation_resend(cycle=cycle, invitation=invitation, by=coordinator, base_url="")
    with pytest.raises(ValidationError, match="is closed"):
        participants.focal_point_invite(
            cycle=cycle, organisation=organisation, email="x@example.org", by=coordinator, base_url=""
        )
    with pytest.raises(ValidationError, match="is closed"):
        services.reminders_send(cycle=cycle, by=coordinator, base_url="")


# 16. Several organisations at once -------------------------------------------------------------------------


def import_url(cycle):
    return reverse("assessments:cycle_organisations_import", args=[cycle.pk])


def test_pasted_organisations_are_added_with_their_focal_points_invited(
    client, coordinator, cycle, country_a, django_capture_on_commit_callbacks
):
    known = OrganisationFactory(country=country_a, name="Child Helpline", sector=SectorFactory(code="ngo"))
    client.force_login(coordinator)
    rows = (
        "Organisation, sector, e-mails\n"
        "Childhood First, ngo, info@childhood.example M.Ruiz@childhood.example\n"
        "National Police; Law enforcement\n"
        "child helpline\tngo\thelp@helpline.example\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(import_url(cycle), {"rows": rows})

    assert messages_of(response) == ["3 organisations added to the cycle; 3 focal points invited."]
    taking_part = set(cycle.submissions.values_list("organisation__name", flat=True))
    assert taking_part == {"Ministry of Interior", "Childhood First", "National Police", "Child Helpline"}
    assert Organisation.objects.get(name="National Police").sector.code == "law_enforcement"
    assert Organisation.objects.filter(name__iexact="child helpline").get() == known  # reused, not copied
    assert set(
        RoleAssignment.objects.filter(organisation__name="Childhood First").values_list("user__email", flat=True)
    ) == {"info@childhood.example", "m.ruiz@childhood.example"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ORGANISATION_CREATED).count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PARTICIPANT_ADDED).count() == 1 + 3
    assert len(mail.outbox) == 3
    # Opened cycle: the new questionnaires have their answers already.
    assert cycle.submissions.get(organisation__name="National Police").answers.exists()


def test_a_list_with_bad_rows_adds_nothing_and_names_every_problem_keeping_the_text(
    client, coordinator, cycle, organisation
):
    client.force_login(coordinator)
    rows = (
        "Childhood First, ngo, info@childhood.example\n"
        "National Police, police\n"
        ", ngo\n"
        "Childhood First, ngo\n"
        "Ministry of Interior, ministry\n"
        "Helpline, ngo, not-an-address\n"
    )

    response = client.post(import_url(cycle), {"rows": rows})

    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was added." in body
    for problem in (
        "Row 2: unknown sector “police”; use one of the sectors listed below.",
        "Row 3: the organisation&#x27;s name is missing.",
        "Row 4: Childhood First is listed already in row 1.",
        "Row 5: Ministry of Interior already takes part in this cycle.",
        "Row 6: not a valid e-mail address: not-an-address.",
    ):
        assert problem in body
    assert "National Police, police" in body  # the text stays to be corrected
    assert not Organisation.objects.filter(name__in=["Childhood First", "National Police", "Helpline"]).exists()
    assert mail.outbox == []


def test_a_csv_file_with_semicolons_is_read_and_a_refused_one_comes_back_in_the_box(client, coordinator, cycle):
    client.force_login(coordinator)
    good = "organisation;sector;emails\r\nChildhood First;ngo;info@childhood.example\r\n".encode("utf-8-sig")
    bad = b"Hotline;unknown\r\n"

    refused = client.post(import_url(cycle), {"file": SimpleUploadedFile("list.csv", bad, "text/csv")})
    added = client.post(import_url(cycle), {"file": SimpleUploadedFile("list.csv", good, "text/csv")})

    assert refused.status_code == 422
    assert re.search(r"<textarea[^>]*>\s*Hotline;unknown\s*</textarea>", refused.content.decode())
    assert added.status_code == 302
    assert cycle.submissions.filter(organisation__name="Childhood First").exists()


def test_a_name_taken_between_the_check_and_the_save_refuses_the_whole_list(coordinator, cycle, country_a):
    from assessments.forms import OrganisationsImportForm

    form = OrganisationsImportForm({"rows": "Childhood First, ngo\nNational Police, ngo"}, cycle=cycle)
    assert form.is_valid(), form.errors
    # Meanwhile another coordinator adds Childhood First to the cycle.
    other = OrganisationFactory(country=country_a, name="Childhood First", sector=SectorFactory(code="ngo"))
    services.cycle_add_organisation(cycle=cycle, organisation=other, by=coordinator)

    with pytest.raises(ValidationError, match="Row 1: Childhood First already takes part"):
        participants.organisations_import(cycle=cycle, rows=form.parsed, by=coordinator, base_url="")
    assert not Organisation.objects.filter(name="National Police").exists()


# 18. E-mails people expect -----------------------------------------------------------------------------------


def test_opening_a_cycle_tells_every_focal_point_in_their_own_language_after_commit(
    client,
    coordinator,
    focal_point,
    second_focal_point,
    tiny_framework,
    country_a,
    organisation,
    django_capture_on_commit_callbacks,
):
    Profile.objects.create(user=second_focal_point, language="fr")
    cycle = make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=[organisation], by=coordinator, open=False
    )
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:cycle_open", args=[cycle.pk]))

    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {focal_point.email, second_focal_point.email}
    english, french = by_person[focal_point.email], by_person[second_focal_point.email]
    assert english.subject.startswith("National assessment 2026 is open: answer by ")
    assert french.subject.startswith("National assessment 2026 est ouvert")
    submission = cycle.submissions.get()
    assert f"http://testserver{submission.get_absolute_url()}" in english.body
    sent = AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_SENT, cycle=cycle)
    assert sorted(sent.values_list("detail", flat=True)) == [
        f"cycle_opened → {focal_point.email} (en)",
        f"cycle_opened → {second_focal_point.email} (fr)",
    ]
    assert {e.country_id for e in sent} == {country_a.pk}


def test_no_e_mail_leaves_when_the_transaction_is_rolled_back(
    coordinator, focal_point, tiny_framework, country_a, organisation, django_capture_on_commit_callbacks
):
    cycle = make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=[organisation], by=coordinator, open=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.cycle_open(cycle=cycle, by=coordinator)
                raise RuntimeError("rolled back")

    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_SENT).exists()


def test_submitting_tells_the_coordinator_and_return_and_accept_tell_the_focal_points(
    client, coordinator, focal_point, cycle, submission, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=focal_point, language="es")
    client.force_login(focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:questionnaire_submit", args=[submission.pk]), {"confirm_unanswered": "on"})
    (submitted,) = mail.outbox
    assert submitted.to == [coordinator.email]
    assert submitted.subject == "Ministry of Interior submitted its questionnaire for National assessment 2026"
    assert "3 indicators were left unanswered" in submitted.body
    assert f"http://testserver{submission.get_absolute_url()}" in submitted.body

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:submission_return", args=[submission.pk]), {"reason": "Add the decree."})
    returned = mail.outbox[1]
    assert returned.to == [focal_point.email]
    assert "Add the decree." in returned.body
    assert returned.subject == "Su cuestionario para National assessment 2026 fue devuelto para cambios"

    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:submission_accept", args=[submission.pk]))
    accepted = mail.outbox[-1]
    assert accepted.to == [focal_point.email]
    assert accepted.subject == "Su cuestionario para National assessment 2026 fue aceptado"

    details = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_SENT, submission=submission)
        .order_by("at", "pk")
        .values_list("detail", flat=True)
    )
    assert details == [
        f"submitted → {coordinator.email} (en)",
        f"returned → {focal_point.email} (es)",
        f"accepted → {focal_point.email} (es)",
    ]
    trail = client.get(reverse("assessments:audit_trail")).content.decode()
    assert trail.count("Sent an e-mail") == 3


def test_a_mail_server_failure_is_logged_and_does_not_undo_the_action(
    coordinator, focal_point, cycle, submission, django_capture_on_commit_callbacks
):
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    with mock.patch("assessments.emails.send_templated_mail", side_effect=OSError("no route to host")):
        with django_capture_on_commit_callbacks(execute=True):
            services.submission_accept(submission=submission, by=coordinator)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_SENT).exists()
