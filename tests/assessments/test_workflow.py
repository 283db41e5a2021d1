"""The cycle from preparation to review: create, targets, participants, invitations, open, submit,
return, accept, reminders, history and the audit of reads."""

import html
import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import (
    Answer,
    AuditEvent,
    Cycle,
    Invitation,
    Organisation,
    Reminder,
    Role,
    RoleAssignment,
    Submission,
)
from capabilities.models import Sector
from capabilities.services import framework_clone
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, UserFactory, make_cycle

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def messages_of(response):
    """Messages queued by this request, after any left unread by earlier ones in the test."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(body):
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)
    return [
        [text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)
    ]


def answer_post(client, answer, *, choice, evidence="", version=None, htmx=True):
    prefix = f"a{answer.pk}"
    return client.post(
        reverse("assessments:answer_update", args=[answer.submission_id, answer.pk]),
        {
            f"{prefix}-choice": choice,
            f"{prefix}-evidence": evidence,
            f"{prefix}-comment": "",
            f"{prefix}-version": answer.version if version is None else version,
        },
        headers=HTMX if htmx else None,
    )


def client_with(client, user):
    client.force_login(user)
    return client


def answer_all(submission, by, choice="2"):
    for answer in submission.answers.all():
        services.answer_save(answer=answer, choice=choice, evidence="", comment="", base_version=0, by=by)


def cycle_form_data(country, version, **changes):
    today = date.today()
    return {
        "country": country.pk,
        "framework_version": version.pk,
        "title": "National assessment 2027",
        "period": "2026–2027",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=90)).isoformat(),
    } | changes


# Creating a cycle ----------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_cycle_with_a_target_of_three_for_every_capability(
    client, coordinator, country_a, tiny_framework
):
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_create"), cycle_form_data(country_a, tiny_framework))

    cycle = Cycle.objects.get(country=country_a)
    assert response.status_code == 302 and response.url == cycle.get_absolute_url()
    assert (cycle.status, cycle.created_by, cycle.framework_version) == (
        Cycle.Status.DRAFT,
        coordinator,
        tiny_framework,
    )
    assert dict(cycle.targets.values_list("capability__number", "target_level")) == {1: 3, 3: 3, 4: 3}


def test_a_cycle_on_a_draft_framework_version_is_refused(client, coordinator, country_a, tiny_framework):
    draft = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny, second edition")
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_create"), cycle_form_data(country_a, draft))

    assert response.status_code == 200
    assert "Select a valid choice" in text(response.content.decode())
    assert not Cycle.objects.exists()
    with pytest.raises(ValidationError, match="must use a published framework version"):
        services.cycle_create(
            country=country_a,
            framework_version=draft,
            title="Sneaky",
            period="2026",
            opens_on=date.today(),
            closes_on=date.today(),
            by=coordinator,
        )
    assert not Cycle.objects.exists()


def test_a_cycle_closing_before_it_opens_is_refused(client, coordinator, country_a, tiny_framework):
    client.force_login(coordinator)
    data = cycle_form_data(country_a, tiny_framework, closes_on=(date.today() - timedelta(days=1)).isoformat())

    response = client.post(reverse("assessments:cycle_create"), data)

    assert response.status_code == 200
    assert "The closing date must be on or after the opening date." in response.content.decode()
    assert not Cycle.objects.exists()


# Targets ------------------------------------------------------------------------------------------------


def test_the_coordinator_changes_target_levels(client, coordinator, cycle):
    targets = {t.capability.number: t for t in cycle.targets.select_related("capability")}
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_targets", args=[cycle.pk]),
        {
            f"cap_{targets[1].capability_id}": 4,
            f"cap_{targets[3].capability_id}": 2,
            f"cap_{targets[4].capability_id}": 3,
        },
    )

    assert response.status_code == 302 and response.url == cycle.get_absolute_url()
    assert "Targets saved." in messages_of(response)
    for number, level in {1: 4, 3: 2, 4: 3}.items():
        targets[number].refresh_from_db()
        assert targets[number].target_level == level


def test_a_target_outside_the_scale_is_refused(client, coordinator, cycle):
    target = cycle.targets.get(capability__number=1)
    client.force_login(coordinator)
    data = {f"cap_{t.capability_id}": 3 for t in cycle.targets.all()} | {f"cap_{target.capability_id}": 7}

    response = client.post(reverse("assessments:cycle_targets", args=[cycle.pk]), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    target.refresh_from_db()
    assert target.target_level == 3


def test_the_targets_of_a_closed_cycle_are_final(client, coordinator, cycle):
    services.cycle_close(cycle=cycle, by=coordinator)
    target = cycle.targets.get(capability__number=1)
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_targets", args=[cycle.pk]),
        {f"cap_{t.capability_id}": 1 for t in cycle.targets.all()},
    )

    assert (
        "The cycle “National assessment 2026” is closed: its answers, targets and national levels are final."
        in messages_of(response)
    )
    target.refresh_from_db()
    assert target.target_level == 3


# Participants and invitations -----------------------------------------------------------------------


def test_adding_an_existing_organisation_to_an_open_cycle_creates_its_answers(client, coordinator, cycle, country_a):
    police = OrganisationFactory(
        country=country_a, name="National Police", sector=SectorFactory(code="law_enforcement")
    )
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_add_participant", args=[cycle.pk]), {"organisation": police.pk})

    assert response.status_code == 302
    assert "\u2068National Police\u2069 takes part in the cycle." in messages_of(response)
    submission = Submission.objects.get(cycle=cycle, organisation=police)
    assert set(submission.answers.values_list("indicator__code", flat=True)) == {"C03.1", "C04.1", "C04.2"}


def test_a_name_in_a_message_keeps_its_own_direction_inside_an_arabic_sentence(client, coordinator, cycle, country_a):
    """The name is typed in Latin script, the sentence is Arabic: Unicode isolates around the name keep the
    sentence's order (and its full stop at its end) where ``<bdi>`` cannot go."""
    police = OrganisationFactory(country=country_a, name="National Police (HQ)")
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    response = client.post(
        reverse("assessments:cycle_add_participant", args=[cycle.pk]), {"organisation": police.pk}, follow=True
    )

    with translation.override("ar"):
        sentence = translation.gettext("%(org)s takes part in the cycle.")
    assert sentence != "%(org)s takes part in the cycle."  # translated
    (message,) = [str(m) for m in response.context["messages"]]
    assert message == sentence % {"org": "\u2068National Police (HQ)\u2069"}
    assert message in html.unescape(response.content.decode())


def test_adding_a_new_organisation_creates_it_in_the_cycles_country(client, coordinator, cycle, country_a):
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_add_participant", args=[cycle.pk]),
        {"name": "  Childhood First ", "sector": Sector.objects.get(code="ngo").pk},
    )

    assert "\u2068Childhood First\u2069 takes part in the cycle." in messages_of(response)
    organisation = Organisation.objects.get(name="Childhood First")
    assert (organisation.country, organisation.sector.code) == (country_a, "ngo")
    assert Submission.objects.filter(cycle=cycle, organisation=organisation).exists()


def test_a_new_organisation_without_a_sector_is_refused_with_a_message(client, coordinator, cycle):
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_add_participant", args=[cycle.pk]), {"name": "Childhood First"})

    assert response.status_code == 302
    assert messages_of(response) == ["A new organisation needs its sector: it decides which indicators it is asked."]
    assert not Organisation.objects.filter(name="Childhood First").exists()
    assert cycle.submissions.count() == 1


def test_a_new_organisation_may_not_repeat_an_existing_name(client, coordinator, cycle):
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_add_participant", args=[cycle.pk]),
        {"name": "ministry of interior", "sector": Sector.objects.get(code="ngo").pk},
    )

    assert messages_of(response) == ["Arcadia already has an organisation with this name."]
    assert Organisation.objects.filter(name__iexact="ministry of interior").count() == 1


def test_an_organisation_of_another_country_cannot_take_part(client, coordinator, cycle, organisation_b):
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_add_participant", args=[cycle.pk]), {"organisation": organisation_b.pk}
    )

    assert any("Select a valid choice" in m for m in messages_of(response))
    assert not Submission.objects.filter(cycle=cycle, organisation=organisation_b).exists()
    with pytest.raises(ValidationError, match="belongs to another country"):
        services.cycle_add_organisation(cycle=cycle, organisation=organisation_b, by=coordinator)


def test_inviting_a_focal_point_emails_a_set_password_link_that_works(
    client, coordinator, cycle, organisation, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:cycle_invite", args=[cycle.pk]),
            {
                "organisation": organisation.pk,
                "email": "Nia.Kamau@Example.org",
                "first_name": "Nia",
                "last_name": "Kamau",
            },
        )

    assert "Invitation sent to \u2068nia.kamau@example.org\u2069 for \u2068Ministry of Interior\u2069." in messages_of(
        response
    )
    invited = RoleAssignment.objects.get(
        role=Role.FOCAL_POINT, organisation=organisation, user__username__startswith="nia"
    )
    assert (invited.user.email, invited.user.has_usable_password()) == ("nia.kamau@example.org", False)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_INVITED, user=coordinator).count() == 1
    (message,) = mail.outbox
    assert message.to == ["nia.kamau@example.org"]
    assert message.subject == "You are invited to answer the MNR self-assessment for Ministry of Interior"
    assert "Cora Mendes, national coordinator for Arcadia" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    client.logout()
    start = client.get(link)
    assert start.status_code == 302 and start.url.endswith("/set-password/")
    assert "Choose your password" in client.get(start.url).content.decode()
    done = client.post(start.url, {"new_password1": "harbour-lantern-42", "new_password2": "harbour-lantern-42"})
    assert done.url == reverse("password_reset_complete")

    login = client.post(reverse("login"), {"username": "nia.kamau@example.org", "password": "harbour-lantern-42"})
    assert login.status_code == 302 and login.url == reverse("home")
    assert "Ministry of Interior" in client.get(reverse("home")).content.decode()
    client.logout()
    assert "used already or has expired" in client.get(link, follow=True).content.decode()


def test_inviting_an_existing_account_asks_it_to_accept_and_gives_no_role_until_then(
    client, coordinator, cycle, organisation, outsider, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    users = type(outsider).objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:cycle_invite", args=[cycle.pk]),
            {"organisation": organisation.pk, "email": outsider.email, "first_name": "X", "last_name": "Y"},
        )

    assert messages_of(response) == [
        f"Invitation sent to \u2068{outsider.email}\u2069 for \u2068Ministry of Interior\u2069. They already have an account: they become a "
        "focal point when they accept it."
    ]
    assert type(outsider).objects.count() == users
    assert not RoleAssignment.objects.filter(user=outsider, organisation=organisation).exists()
    invitation = Invitation.objects.get(user=outsider, organisation=organisation)
    assert (invitation.status, invitation.created_account) == (Invitation.Status.PENDING, False)
    (message,) = mail.outbox
    assert message.subject == "You are invited to be a focal point of Ministry of Interior: accept or decline"
    assert "accept or decline the invitation on your home page" in message.body
    assert "/accounts/reset/" not in message.body  # their password is their own business


def test_inviting_the_same_focal_point_twice_is_refused(client, coordinator, cycle, organisation, focal_point):
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_invite", args=[cycle.pk]),
        {"organisation": organisation.pk, "email": focal_point.email, "first_name": "F", "last_name": "O"},
    )

    assert messages_of(response) == [f"{focal_point.email} is already a focal point of Ministry of Interior."]
    assert RoleAssignment.objects.filter(user=focal_point).count() == 1
    assert mail.outbox == []


def test_focal_points_can_only_be_invited_for_organisations_in_the_cycle(
    client, coordinator, cycle, organisation_b, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:cycle_invite", args=[cycle.pk]),
            {"organisation": organisation_b.pk, "email": "spy@example.org", "first_name": "S", "last_name": "P"},
        )

    assert any(m.startswith("Organisation: Select a valid choice") for m in messages_of(response))
    assert not RoleAssignment.objects.filter(organisation=organisation_b, user__email="spy@example.org").exists()
    assert mail.outbox == []


# Opening and closing ----------------------------------------------------------------------------------------


@pytest.fixture
def draft_cycle(tiny_framework, country_a, organisation, coordinator):
    police = OrganisationFactory(
        country=country_a, name="National Police", sector=SectorFactory(code="law_enforcement")
    )
    ngo = OrganisationFactory(country=country_a, name="Childhood First", sector=SectorFactory(code="ngo"))
    return make_cycle(
        country=country_a,
        framework_version=tiny_framework,
        organisations=[organisation, police, ngo],
        by=coordinator,
        open=False,
    )


def test_opening_a_cycle_creates_answers_only_for_each_sectors_indicators(client, coordinator, draft_cycle):
    assert not Answer.objects.exists()
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_open", args=[draft_cycle.pk]))

    draft_cycle.refresh_from_db()
    assert draft_cycle.status == Cycle.Status.OPEN and draft_cycle.opened_at is not None
    assert "The cycle is open: focal points can now answer their questionnaires." in messages_of(response)
    asked = {
        s.organisation.name: set(s.answers.values_list("indicator__code", flat=True))
        for s in draft_cycle.submissions.select_related("organisation")
    }
    assert asked == {
        "Ministry of Interior": {"C01.1", "C01.2", "C03.1"},
        "National Police": {"C03.1", "C04.1", "C04.2"},
        "Childhood First": {"C01.1", "C03.1", "C04.2"},
    }
    assert not Answer.objects.exclude(choice="").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CYCLE_OPENED, cycle=draft_cycle).count() == 1


def test_opening_a_cycle_twice_creates_no_second_set_of_answers(client, coordinator, draft_cycle):
    client.force_login(coordinator)
    client.post(reverse("assessments:cycle_open", args=[draft_cycle.pk]))

    response = client.post(reverse("assessments:cycle_open", args=[draft_cycle.pk]))

    assert messages_of(response)[-1] == "Only a cycle in preparation can be opened."
    assert Answer.objects.filter(submission__cycle=draft_cycle).count() == 9


def test_a_cycle_without_participants_cannot_be_opened(client, coordinator, country_a, tiny_framework):
    cycle = make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=[], by=coordinator, open=False
    )
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_open", args=[cycle.pk]))

    assert messages_of(response) == ["Add at least one participating organisation before opening the cycle."]
    cycle.refresh_from_db()
    assert (cycle.status, cycle.opened_at) == (Cycle.Status.DRAFT, None)


def test_closing_a_cycle_freezes_it(client, coordinator, cycle):
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_close", args=[cycle.pk]))

    assert "The cycle is closed: answers can no longer change." in messages_of(response)
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED and cycle.closed_at is not None
    again = client.post(reverse("assessments:cycle_close", args=[cycle.pk]))
    assert messages_of(again)[-1] == "Only an open cycle can be closed."


# Submitting and reviewing ------------------------------------------------------------------------------


def test_submitting_with_unanswered_indicators_needs_confirmation(client, focal_point, submission, answer):
    answer_post(client_with(client, focal_point), answer, choice="1")
    url = reverse("assessments:questionnaire_submit", args=[submission.pk])

    refused = client.post(url)

    assert refused.url == reverse("assessments:questionnaire", args=[submission.pk])
    assert messages_of(refused) == [
        "2 indicator(s) have no answer. Answer them, or confirm that you submit without them "
        "(they will be reported as data gaps, not as level 0)."
    ]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT

    confirmed = client.post(url, {"confirm_unanswered": "on"})

    assert "Submitted. The national coordinator will review your answers." in messages_of(confirmed)
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_by) == (Submission.Status.SUBMITTED, focal_point)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SUBMISSION_SUBMITTED)
    assert (event.user, event.submission, event.detail) == (focal_point, submission, "2 unanswered")


def test_a_fully_answered_questionnaire_submits_without_confirmation(client, focal_point, submission):
    answer_all(submission, focal_point)
    client.force_login(focal_point)

    client.post(reverse("assessments:questionnaire_submit", args=[submission.pk]))

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_submitting_makes_the_questionnaire_read_only(client, focal_point, submission, answer):
    answer_all(submission, focal_point)
    client.force_login(focal_point)
    client.post(reverse("assessments:questionnaire_submit", args=[submission.pk]))
    answer.refresh_from_db()

    response = answer_post(client, answer, choice="0")
    page = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 1])).content.decode()
    resubmit = client.post(reverse("assessments:questionnaire_submit", args=[submission.pk]))

    assert response.status_code == 403
    answer.refresh_from_db()
    assert (answer.choice, answer.version) == ("2", 1)
    assert "This questionnaire has been submitted and is read-only." in page
    assert "answer-form" not in page
    assert resubmit.status_code == 403


def test_a_returned_questionnaire_shows_the_reason_and_can_be_changed_and_resubmitted(
    client, coordinator, focal_point, second_focal_point, submission, answer, django_capture_on_commit_callbacks
):
    answer_all(submission, focal_point)
    services.submission_submit(submission=submission, by=focal_point)
    client.force_login(coordinator)
    reason = "C01.1: please link the decree that set up the board."

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:submission_return", args=[submission.pk]), {"reason": reason})

    assert "Returned to \u2068Ministry of Interior\u2069 with your request." in messages_of(response)
    submission.refresh_from_db()
    assert (submission.status, submission.return_reason, submission.reviewed_by) == (
        Submission.Status.RETURNED,
        reason,
        coordinator,
    )
    # One e-mail per focal point, each in their own language.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([focal_point.email, second_focal_point.email])
    message = mail.outbox[0]
    assert reason in message.body
    assert message.subject == "Your questionnaire for National assessment 2026 was returned for changes"

    client.force_login(focal_point)
    page = client.get(reverse("assessments:questionnaire", args=[submission.pk])).content.decode()
    assert "Returned for changes" in page and reason in html.unescape(page)
    answer.refresh_from_db()
    edited = answer_post(client, answer, choice="3", evidence="Decree 12/2024, https://example.org/d12")
    assert edited.status_code == 200
    answer.refresh_from_db()
    assert (answer.choice, answer.version) == ("3", 2)
    client.post(reverse("assessments:questionnaire_submit", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_returning_without_a_reason_is_refused(
    client, coordinator, focal_point, submission, django_capture_on_commit_callbacks
):
    answer_all(submission, focal_point)
    services.submission_submit(submission=submission, by=focal_point)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:submission_return", args=[submission.pk]), {"reason": "   "})

    assert messages_of(response) == ["Say what the organisation should change; they will see this text."]
    submission.refresh_from_db()
    assert (submission.status, submission.return_reason) == (Submission.Status.SUBMITTED, "")
    assert mail.outbox == []


def test_the_coordinator_accepts_a_submission_which_then_stays_read_only(
    client, coordinator, focal_point, submission, answer
):
    answer_all(submission, focal_point)
    services.submission_submit(submission=submission, by=focal_point)
    client.force_login(coordinator)

    response = client.post(reverse("assessments:submission_accept", args=[submission.pk]))

    assert "Accepted the answers of \u2068Ministry of Interior\u2069." in messages_of(response)
    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_by) == (Submission.Status.ACCEPTED, coordinator)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMISSION_ACCEPTED, submission=submission).exists()
    client.force_login(focal_point)
    answer.refresh_from_db()
    assert answer_post(client, answer, choice="0").status_code == 403
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "The national coordinator accepted these answers." in page


def test_a_questionnaire_still_in_progress_cannot_be_accepted_or_returned(client, coordinator, submission):
    client.force_login(coordinator)

    accepted = client.post(reverse("assessments:submission_accept", args=[submission.pk]))
    returned = client.post(reverse("assessments:submission_return", args=[submission.pk]), {"reason": "Too early"})

    assert messages_of(accepted) == ["Only a submitted questionnaire can be accepted."]
    assert messages_of(returned)[-1] == "Only a submitted questionnaire can be returned."
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


# Reminders ---------------------------------------------------------------------------------------------


def test_reminders_go_only_to_organisations_that_have_not_submitted(
    client,
    coordinator,
    focal_point,
    second_focal_point,
    country_a,
    tiny_framework,
    organisation,
    django_capture_on_commit_callbacks,
):
    police = OrganisationFactory(
        country=country_a, name="National Police", sector=SectorFactory(code="law_enforcement")
    )
    ngo = OrganisationFactory(country=country_a, name="Childhood First", sector=SectorFactory(code="ngo"))
    helpline = OrganisationFactory(country=country_a, name="Child Helpline", sector=SectorFactory(code="ngo"))
    officer = FocalPointRoleFactory(organisation=police, user=UserFactory(email="officer@example.org")).user
    activist = FocalPointRoleFactory(organisation=ngo, user=UserFactory(email="activist@example.org")).user
    cycle = make_cycle(
        country=country_a,
        framework_version=tiny_framework,
        organisations=[organisation, police, ngo, helpline],  # the helpline has no focal point yet
        by=coordinator,
    )
    police_submission = cycle.submissions.get(organisation=police)
    services.submission_submit(submission=police_submission, by=officer, confirm_unanswered=True)
    ngo_submission = cycle.submissions.get(organisation=ngo)
    services.submission_submit(submission=ngo_submission, by=activist, confirm_unanswered=True)
    services.submission_return(submission=ngo_submission, by=coordinator, reason="Add evidence.")
    client.force_login(coordinator)

    confirm = client.get(reverse("assessments:cycle_remind", args=[cycle.pk])).content.decode()
    offered = [int(v) for v in re.findall(r'name="organisation" value="(\d+)"', confirm)]
    assert sorted(offered) == sorted([organisation.pk, ngo.pk])
    assert "farid@example.org" in confirm and "activist@example.org" in confirm and "officer@example.org" not in confirm
    assert "Child Helpline" in confirm  # listed as having no focal point to write to

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:cycle_remind", args=[cycle.pk]), {"organisation": offered})

    assert messages_of(response) == ["Reminders sent to \u2068Childhood First\u2069, \u2068Ministry of Interior\u2069."]
    reminders = {r.organisation.name: r for r in Reminder.objects.filter(cycle=cycle)}
    assert set(reminders) == {"Ministry of Interior", "Childhood First"}
    assert reminders["Ministry of Interior"].recipients == "farid@example.org, sade@example.org"
    assert reminders["Childhood First"].recipients == "activist@example.org"
    assert {r.sent_by for r in reminders.values()} == {coordinator}
    sent = {tuple(m.to): m for m in mail.outbox}
    assert set(sent) == {("farid@example.org",), ("sade@example.org",), ("activist@example.org",)}
    ministry_mail = sent[("farid@example.org",)]
    assert ministry_mail.subject.startswith("Reminder: National assessment 2026 closes on ")
    ministry_submission = cycle.submissions.get(organisation=organisation)
    assert f"http://testserver{ministry_submission.get_absolute_url()}" in ministry_mail.body
    assert 'The questionnaire of Ministry of Interior for "National assessment 2026" has not been submitted' in (
        ministry_mail.body
    )
    assert "officer@example.org" not in {address for m in mail.outbox for address in m.to}
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "Ministry of Interior (farid@example.org, sade@example.org)" in page


def test_no_reminder_is_sent_when_everyone_has_submitted(client, coordinator, focal_point, cycle, submission):
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    client.force_login(coordinator)

    response = client.post(
        reverse("assessments:cycle_remind", args=[cycle.pk]), {"organisation": [submission.organisation_id]}
    )

    assert messages_of(response) == ["No reminder sent: every organisation with a focal point has submitted."]
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_reminders_are_refused_once_the_cycle_is_closed(client, coordinator, focal_point, cycle):
    services.cycle_close(cycle=cycle, by=coordinator)
    client.force_login(coordinator)

    response = client.post(reverse("assessments:cycle_remind", args=[cycle.pk]), {"organisation": [focal_point.pk]})

    assert messages_of(response) == [
        "The cycle “National assessment 2026” is closed: its answers, targets and national levels are final."
    ]
    assert mail.outbox == [] and not Reminder.objects.exists()


# History and audit ------------------------------------------------------------------------------------------


def test_the_history_shows_each_change_from_old_to_new_value_with_who_made_it(
    client, focal_point, second_focal_point, submission, answer
):
    answer_post(client_with(client, focal_point), answer, choice="1", evidence="Board planned.")
    answer.refresh_from_db()
    answer_post(client_with(client, second_focal_point), answer, choice="3", evidence="Board meets monthly.")

    body = client.get(reverse("assessments:questionnaire_history", args=[submission.pk])).content.decode()

    rows = table_rows(body)
    assert [row[1:5] for row in rows] == [
        ["Sade Lindqvist", "C01.1", "Level 1 Board planned.", "Level 3 Board meets monthly."],
        ["Farid Osei", "C01.1", "—", "Level 1 Board planned."],
    ]
    assert {row[5] for row in rows} == {"Questionnaire"}


def test_the_history_of_an_untouched_questionnaire_says_so(client, focal_point, submission):
    client.force_login(focal_point)

    body = client.get(reverse("assessments:questionnaire_history", args=[submission.pk])).content.decode()

    assert table_rows(body) == [["No answer has been saved yet."]]


@pytest.mark.parametrize("page", ["questionnaire", "questionnaire_capability", "questionnaire_history"])
def test_a_coordinator_reading_a_submission_is_recorded(client, coordinator, submission, page):
    client.force_login(coordinator)
    args = [submission.pk, 1] if page == "questionnaire_capability" else [submission.pk]

    assert client.get(reverse(f"assessments:{page}", args=args)).status_code == 200

    event = AuditEvent.objects.get(action=AuditEvent.Action.SUBMISSION_VIEWED)
    assert (event.user, event.submission, event.cycle, event.country) == (
        coordinator,
        submission,
        submission.cycle,
        submission.cycle.country,
    )
    assert event.ip_address == "127.0.0.1"


def test_focal_points_reading_their_own_questionnaire_are_not_recorded(client, focal_point, submission):
    client.force_login(focal_point)

    for url in [
        reverse("assessments:questionnaire", args=[submission.pk]),
        reverse("assessments:questionnaire_capability", args=[submission.pk, 1]),
        reverse("assessments:questionnaire_history", args=[submission.pk]),
    ]:
        assert client.get(url).status_code == 200

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUBMISSION_VIEWED).exists()
