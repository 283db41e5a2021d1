"""Who gets what from every URL: the permission matrix, and the tenancy rules around it.

The matrix has one row per URL name. A URL added to ``assessments/urls.py`` (or to the root
urls) without a row fails ``test_every_url_has_a_row_in_the_permission_matrix``.

The REST API's URLs (``api:``) are in the matrix too, asked with a read-and-write personal token of the
persona (none for the anonymous, who get 401); their writes are sent as JSON with the route's method.

Outcomes: ``LOGIN`` a redirect to the login page; 404 the object is invisible to the persona
(always country A's object, asked for by someone of country B or without a right to it); 403
the persona may read but not change it; 405 a mutation asked for with GET; ``OK`` 200 or a
redirect elsewhere than the login page; ``FORM_ERROR`` 200 with the form refused.
A refused POST must leave the database and the mailbox as they were; an allowed one must not.
"""

import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from accounts.models import ApiToken
from api.figure_views import figures_etag
from assessments import figure_workbook, figures, participants, services
from assessments import urls as assessment_urls
from assessments.models import (
    Answer,
    AnswerRevision,
    AuditEvent,
    Carry,
    Country,
    Cycle,
    CycleTarget,
    Invitation,
    MetricValue,
    Organisation,
    Reminder,
    ReviewComment,
    RoleAssignment,
    Submission,
)
from assessments.workbook import questionnaire_workbook
from capabilities.models import Capability, Enabler, Metric, Sector
from evidence import services as evidence_services
from evidence import urls as evidence_urls
from evidence.models import Attachment, Document
from network import services as network_services
from network import urls as network_urls
from network.models import Region
from plans import services as plan_services
from plans import urls as plan_urls
from reports import urls as report_urls
from reports.models import EnablerScore, NationalFigure, ReportJob, ValidatedLevel
from tests.factories import (
    OrganisationFactory,
    SectorFactory,
    api_token,
    bearer,
    make_crosswalk,
    make_cycle,
    make_framework,
)

pytestmark = pytest.mark.django_db

LOGIN, OK, FORM_ERROR = "login", "ok", "form error"
PERSONAS = ("anonymous", "outsider", "observer", "focal_point", "coordinator", "superuser")

# Django's own authentication views: public by design; the invitation test walks through them.
OUTSIDE_THE_MATRIX = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def row(anonymous, outsider, observer, focal_point, coordinator, superuser):
    return dict(zip(PERSONAS, (anonymous, outsider, observer, focal_point, coordinator, superuser), strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
POST_ONLY = row(LOGIN, 405, 405, 405, 405, 405)
READ_CYCLE = row(LOGIN, 404, OK, OK, OK, OK)
MANAGE_CYCLE = row(LOGIN, 404, 403, 403, OK, OK)
# Observers never see an organisation's answers, only the cycle's progress.
READ_SUBMISSION = row(LOGIN, 404, 404, OK, OK, OK)
ANSWER = row(LOGIN, 404, 404, OK, 403, 403)
REVIEW = row(LOGIN, 404, 404, 403, OK, OK)
# Pages only the country's coordinator reads: others who see the cycle get 403.
MANAGE_READ = row(LOGIN, 404, 403, 403, OK, OK)
# The API: the same rules, with 401 in place of the login page.
API_SIGNED_IN = row(401, OK, OK, OK, OK, OK)
API_READ_CYCLE = row(401, 404, OK, OK, OK, OK)
API_READ_SUBMISSION = row(401, 404, 404, OK, OK, OK)
API_ANSWER = row(401, 404, 404, OK, 403, 403)
API_MANAGE_READ = row(401, 404, 403, 403, OK, OK)
API_POST_ONLY = row(401, 405, 405, 405, 405, 405)


def no_args(w):
    return []


def the_cycle(w):
    return [w.cycle.pk]


def the_submission(w):
    return [w.submission.pk]


def submitted(w):
    services.submission_submit(submission=w.submission, by=w.focal_point, confirm_unanswered=True)


def submitted_with_comment(w):
    """Submitted, with the coordinator's draft review comment on C01.1 (``w.comment``)."""
    submitted(w)
    w.answer.refresh_from_db()
    w.answer.submission = Submission.objects.select_related("cycle").get(pk=w.submission.pk)
    w.comment = services.review_comment_add(answer=w.answer, text="Which decree?", by=w.coordinator)


def pending_invitation(w):
    """An invitation of the coordinator's, sent an hour ago, to someone with no account yet."""
    w.invitation = participants.focal_point_invite(
        cycle=w.cycle,
        organisation=w.submission.organisation,
        email="invited.person@example.org",
        by=w.personas["coordinator"],
        base_url="http://testserver",
    )
    Invitation.objects.filter(pk=w.invitation.pk).update(sent_at=w.invitation.sent_at - timedelta(hours=1))
    mail.outbox.clear()


def invitation_for_the_focal_point(w):
    """Country A's police invites the ministry's focal point (an existing account) to join it too."""
    police = OrganisationFactory(country=w.cycle.country, name="National Police", sector=SectorFactory(code="ngo"))
    services.cycle_add_organisation(cycle=w.cycle, organisation=police, by=w.personas["coordinator"])
    w.invitation = participants.focal_point_invite(
        cycle=w.cycle, organisation=police, email=w.focal_point.email, by=w.personas["coordinator"], base_url=""
    )
    mail.outbox.clear()


def country_without_coordinator(w):
    """A country of the network with no national coordinator yet (the superuser is a whole-network secretariat)."""
    w.new_country = Country.objects.create(code="NW", name="Newland")


def pending_coordinator_invitation(w):
    """Newland's coordinator, invited an hour ago by the secretariat (a new account, never logged in)."""
    country_without_coordinator(w)
    w.invitation = network_services.coordinator_invite(
        country=w.new_country, email="first.coordinator@example.org", by=w.personas["superuser"], base_url=""
    )
    Invitation.objects.filter(pk=w.invitation.pk).update(sent_at=w.invitation.sent_at - timedelta(hours=1))
    mail.outbox.clear()


def figures_upload(w):
    """The ministry's figures template with its budget for 2025 filled in."""
    book = load_workbook(io.BytesIO(figure_workbook.figures_workbook(w.submission)))
    sheet = book["Figures"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "M01.1")
    sheet.cell(row, 4).value, sheet.cell(row, 5).value = 2025, 120000
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("figures.xlsx", buffer.getvalue())


def reported_figure(w):
    """The ministry's budget figure for 2024 (``w.figure``), reported by its focal point."""
    figure = figures.figure_input(metric=w.metric, year=2024, value="100000", not_collected=False)
    figures.figures_save(submission=w.submission, figures=[figure], by=w.focal_point)
    w.figure = MetricValue.objects.get(submission=w.submission, metric=w.metric, year=2024)


def national_figure(w):
    """The coordinator's validated budget figure for 2023 (``w.national``)."""
    w.national = NationalFigure.objects.create(
        cycle=w.cycle, metric=w.metric, year=2023, value=90000, rationale="Budget law 2023.", set_by=w.coordinator
    )


def carried_answer(w):
    """C01.1 carried from last year's answer (level 2) and not confirmed yet, as a cycle opening leaves it."""
    Answer.objects.filter(pk=w.answer.pk).update(
        choice="2",
        evidence="Decree 12/2024.",
        version=1,
        carry=Carry.PREFILLED,
        carry_relation="equal",
        carried_period="2024",
        carried_choice="2",
        carried_evidence="Decree 12/2024.",
    )


def with_document(w):
    """A PDF in the ministry's library (``w.document``), attached to C01.1 (``w.attachment``)."""
    from tests.evidence.files import PDF

    w.attachment = evidence_services.document_upload(
        answer=w.answer, upload=SimpleUploadedFile("act.pdf", PDF), title="Child Protection Act", by=w.focal_point
    )
    w.document = w.attachment.document


def with_library_document(w):
    """A PDF of the ministry's library attached to C01.2 only, so that it can be attached to C01.1 too."""
    from tests.evidence.files import PDF

    other = w.submission.answers.select_related("indicator").get(indicator__code="C01.2")
    w.document = evidence_services.document_upload(
        answer=other, upload=SimpleUploadedFile("sop.pdf", PDF), title="Referral SOP", by=w.focal_point
    ).document


def evidence_upload(w):
    from tests.evidence.files import PDF

    return {"file": SimpleUploadedFile("act.pdf", PDF), "title": "Child Protection Act"}


def failed_job(w):
    ReportJob.objects.filter(pk=w.job.pk).update(status=ReportJob.Status.FAILED, error="Worker lost.")


def filled_workbook(w):
    """The ministry's workbook with C01.1 answered, as its focal point would upload it."""
    book = load_workbook(io.BytesIO(questionnaire_workbook(w.submission)))
    sheet = book.worksheets[1]
    assert sheet["B2"].value == w.answer.indicator.code
    sheet["J2"] = "2 – Developing"
    buffer = io.BytesIO()
    book.save(buffer)
    return {"workbook": SimpleUploadedFile("answers.xlsx", buffer.getvalue())}


def with_plan(w):
    """Country A's action plan: one action on capability 1 led by the ministry, funded in part, endorsed once."""
    from decimal import Decimal

    w.plan = plan_services.plan_create(cycle=w.cycle, currency="EUR", by=w.coordinator)
    w.capability = Capability.objects.get(version=w.cycle.framework_version, number=1)
    w.action = plan_services.action_create(
        plan=w.plan,
        by=w.coordinator,
        title="Fund the council",
        capability=w.capability,
        estimated_cost=Decimal("1000.00"),
        lead_organisation=w.submission.organisation,
    )
    w.funding = plan_services.funding_add(
        action=w.action, source="donor", funder="Fund X", amount=Decimal("400.00"), by=w.coordinator
    )
    w.revision = plan_services.plan_endorse(
        plan=w.plan, endorsed_on=date.today(), endorsed_by="National Committee", note="", by=w.coordinator
    )
    w.action.refresh_from_db()


def with_plan_pdf(w):
    """The plan and a finished PDF of it, its file in place."""
    from plans.models import PlanJob

    with_plan(w)
    w.plan_job = PlanJob.objects.create(
        plan=w.plan, requested_by=w.coordinator, data={}, status="done", file="plans/matrix.pdf", task_id="m", pages=1
    )
    target = Path(settings.MEDIA_ROOT) / w.plan_job.file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"%PDF-1.7 plan")


def with_plan_and_an_earlier_one(w):
    """Last year's cycle of country A with a plan and one unfinished action (``w.old_action``), then this plan."""
    from decimal import Decimal

    earlier = services.cycle_create(
        country=w.cycle.country,
        framework_version=w.cycle.framework_version,
        title="Assessment 2025",
        period="2025",
        opens_on=date.today() - timedelta(days=400),
        closes_on=date.today() - timedelta(days=300),
        by=w.coordinator,
    )
    services.cycle_add_organisation(cycle=earlier, organisation=w.submission.organisation, by=w.coordinator)
    services.cycle_open(cycle=earlier, by=w.coordinator)
    old_plan = plan_services.plan_create(cycle=earlier, currency="EUR", by=w.coordinator)
    w.old_action = plan_services.action_create(
        plan=old_plan,
        by=w.coordinator,
        title="Train officers",
        capability=Capability.objects.get(version=w.cycle.framework_version, number=1),
        estimated_cost=Decimal("10"),
    )
    with_plan(w)


def with_plan_and_a_gap(w):
    """The plan, and the ministry's accepted answer C01.1 at level 1: capability 1 is a priority."""
    with_plan(w)
    Answer.objects.filter(pk=w.answer.pk).update(choice="1")
    Submission.objects.filter(pk=w.submission.pk).update(status=Submission.Status.ACCEPTED)


def with_plan_and_a_dismissal(w):
    with_plan(w)
    plan_services.suggestion_dismiss(plan=w.plan, indicator=w.answer.indicator, by=w.coordinator)


def the_plan_cycle(w):
    return [w.cycle.pk]


def the_action(w):
    return [w.action.pk]


def action_form(w):
    return {
        "title": "Fund the council for three years",
        "capability": w.capability.pk,
        "priority": "1",
        "status": "in_progress",
        "estimated_cost": "1500.00",
        "version": w.action.version,
    }


def with_crosswalk(w):
    """A crosswalk from a second framework version to the cycle's."""
    other = make_framework("TINY-NEXT", {1: ["C01.1"]})
    w.crosswalk = make_crosswalk(other, w.cycle.framework_version, [("indicator", "C01.1", "C01.1", "equal")])


def own_token(w):
    """A token of the focal point's, for the revoke URL: nobody else's to revoke."""
    w.token, _raw = api_token(w.focal_point)


def closed(w):
    """Country A's cycle closed: consents are given for a closed cycle."""
    services.cycle_close(cycle=w.cycle, by=w.coordinator)


def closed_and_consented(kind):
    def prepare(w):
        from network import services as network_services

        closed(w)
        caps = Capability.objects.filter(version=w.cycle.framework_version, number=1)
        network_services.consent_give(cycle=w.cycle, kind=kind, by=w.coordinator, capabilities=caps)

    return prepare


def both_open_to_exchange(w):
    """Countries A and B closed their cycles and are open to exchange on capability 1."""
    from network import services as network_services

    closed_and_consented("exchange")(w)
    cycle_b = Cycle.objects.get(country__code="BB")
    outsider = w.personas["outsider"]
    services.cycle_close(cycle=cycle_b, by=outsider)
    caps = Capability.objects.filter(version=cycle_b.framework_version, number=1)
    network_services.consent_give(cycle=cycle_b, kind="exchange", by=outsider, capabilities=caps)
    w.capability = caps.get()


def exchange_through_the_secretariat(w):
    from network import services as network_services

    both_open_to_exchange(w)
    w.exchange = network_services.exchange_request_create(
        country=w.cycle.country,
        capability=w.capability,
        region=None,
        message="Hi",
        route="secretariat",
        by=w.coordinator,
    )


def exchange_asked_of_a(w):
    """Country B asks; country A (open) has a reply to give (``w.reply``)."""
    from network import services as network_services

    both_open_to_exchange(w)
    exchange = network_services.exchange_request_create(
        country=Cycle.objects.get(country__code="BB").country,
        capability=w.capability,
        region=None,
        message="Hi",
        route="direct",
        by=w.personas["outsider"],
    )
    w.reply = exchange.replies.get()


def draft_entry(w):
    """A library entry drafted by country A's coordinator (``w.practice``)."""
    from network import services as network_services
    from network.models import Practice

    w.capability = Capability.objects.get(version=w.cycle.framework_version, number=1)
    w.practice = network_services.practice_save(
        practice=Practice(title="Helpline", summary="S", what_was_done="W"),
        by=w.coordinator,
        capabilities=[w.capability],
    )


def submitted_entry(w):
    from network import services as network_services

    draft_entry(w)
    network_services.practice_submit(practice=w.practice, by=w.coordinator)


def entry_form(w):
    return {
        "title": "Helpline for children",
        "summary": "S",
        "what_was_done": "W",
        "language": "en",
        "capabilities": [Capability.objects.get(version=w.cycle.framework_version, number=1).pk],
    }


@dataclass
class Route:
    args: Any = no_args
    get: dict = field(default_factory=lambda: SIGNED_IN)
    post: dict | None = None
    data: Any = lambda w: {}  # noqa: E731
    prepare: Any = None
    writes: bool = True  # an allowed POST changes the database
    method: str = "POST"  # the write's method (API routes: PUT, POST)
    headers: dict = field(default_factory=dict)  # the write's extra headers (API routes)


def sign_in(client, w, name, persona):
    """The persona signs in: to the pages with a session, to the API with a token of theirs (its headers)."""
    user = w.personas[persona]
    if not user:
        return {}
    if name.startswith("api:"):
        return bearer(api_token(user)[1])
    client.force_login(user)
    return {}


def send(client, w, name, route, credentials, write, data=None):
    """The request the matrix makes: a page's GET or form POST, an API URL's GET or JSON write."""
    url = reverse(name, args=route.args(w))
    if not name.startswith("api:"):
        return client.post(url, data) if write else client.get(url)
    if not write:
        return client.get(url, **credentials)
    body = json.dumps(data)
    return client.generic(route.method, url, body, content_type="application/json", **credentials, **route.headers)


MATRIX = {
    "home": Route(),
    # Everyone, signed in or not, may choose the interface language; only a user's profile is written.
    "language_set": Route(
        get=row(405, 405, 405, 405, 405, 405), post=EVERYONE, data=lambda w: {"language": "fr"}, writes=False
    ),
    "healthz": Route(get=EVERYONE),
    "assessments:cycle_list": Route(),
    "assessments:cycle_create": Route(
        get=row(LOGIN, OK, 403, 403, OK, OK),
        # The outsider coordinates country B and may create cycles, but not in country A.
        post=row(LOGIN, FORM_ERROR, 403, 403, OK, OK),
        data=lambda w: {
            "country": w.cycle.country_id,
            "framework_version": w.cycle.framework_version_id,
            "title": "Second assessment",
            "period": "2027",
            "opens_on": date.today().isoformat(),
            "closes_on": (date.today() + timedelta(days=30)).isoformat(),
        },
    ),
    "assessments:cycle_detail": Route(args=the_cycle, get=READ_CYCLE),
    "assessments:cycle_add_participant": Route(
        args=the_cycle,
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"name": "Childhood First", "sector": Sector.objects.get(code="ngo").pk},
    ),
    "assessments:cycle_invite": Route(
        args=the_cycle,
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {
            "organisation": w.submission.organisation_id,
            "email": "new.person@example.org",
            "first_name": "New",
            "last_name": "Person",
        },
    ),
    # Focal points meet a cycle only once it is open.
    "assessments:cycle_open": Route(
        args=lambda w: [w.draft_cycle.pk], get=POST_ONLY, post=row(LOGIN, 404, 403, 404, OK, OK)
    ),
    "assessments:cycle_close": Route(args=the_cycle, get=POST_ONLY, post=MANAGE_CYCLE),
    # GET shows who would be written to; POST sends to the organisations confirmed.
    "assessments:cycle_remind": Route(
        args=the_cycle,
        get=MANAGE_READ,
        post=MANAGE_CYCLE,
        data=lambda w: {"organisation": [w.submission.organisation_id]},
    ),
    "assessments:cycle_organisations_import": Route(
        args=the_cycle,
        get=MANAGE_READ,
        post=MANAGE_CYCLE,
        data=lambda w: {"rows": "Childhood First, ngo, helper@childhood.example\nNational Police; law_enforcement"},
    ),
    "assessments:invitation_resend": Route(
        args=lambda w: [w.cycle.pk, w.invitation.pk], get=POST_ONLY, post=MANAGE_CYCLE, prepare=pending_invitation
    ),
    # Only the person invited sees their invitation; to everyone else it does not exist.
    "assessments:invitation_accept": Route(
        args=lambda w: [w.invitation.pk],
        get=POST_ONLY,
        post=row(LOGIN, 404, 404, OK, 404, 404),
        prepare=invitation_for_the_focal_point,
    ),
    "assessments:invitation_decline": Route(
        args=lambda w: [w.invitation.pk],
        get=POST_ONLY,
        post=row(LOGIN, 404, 404, OK, 404, 404),
        prepare=invitation_for_the_focal_point,
    ),
    "assessments:cycle_targets": Route(
        args=the_cycle,
        get=READ_CYCLE,
        post=MANAGE_CYCLE,
        data=lambda w: {f"cap_{t.capability_id}": 4 for t in w.cycle.targets.all()},
    ),
    "assessments:questionnaire": Route(args=the_submission, get=READ_SUBMISSION),
    "assessments:questionnaire_capability": Route(args=lambda w: [w.submission.pk, 1], get=READ_SUBMISSION),
    "assessments:questionnaire_history": Route(args=the_submission, get=READ_SUBMISSION),
    "assessments:submission_figures": Route(
        args=the_submission,
        get=READ_SUBMISSION,
        post=ANSWER,
        data=lambda w: {"metric": w.metric.pk, "year": "2025", "value": "120000", "source": "Budget law"},
    ),
    "assessments:submission_figures_xlsx": Route(args=the_submission, get=READ_SUBMISSION),
    "assessments:submission_figures_upload": Route(
        args=the_submission,
        get=POST_ONLY,
        post=ANSWER,
        data=lambda w: {"workbook": figures_upload(w)},
    ),
    "assessments:submission_figure_delete": Route(
        args=lambda w: [w.submission.pk, w.figure.pk],
        get=POST_ONLY,
        post=ANSWER,
        prepare=reported_figure,
    ),
    "assessments:answer_update": Route(
        args=lambda w: [w.submission.pk, w.answer.pk],
        get=POST_ONLY,
        post=ANSWER,
        data=lambda w: {
            f"a{w.answer.pk}-choice": "2",
            f"a{w.answer.pk}-evidence": "Decree 12/2024.",
            f"a{w.answer.pk}-version": "0",
        },
    ),
    "assessments:answer_confirm": Route(
        args=lambda w: [w.submission.pk, w.answer.pk], get=POST_ONLY, post=ANSWER, prepare=carried_answer
    ),
    "assessments:answers_confirm_all": Route(
        args=lambda w: [w.submission.pk, 1], get=POST_ONLY, post=ANSWER, prepare=carried_answer
    ),
    "assessments:questionnaire_submit": Route(
        args=the_submission, get=POST_ONLY, post=ANSWER, data=lambda w: {"confirm_unanswered": "on"}
    ),
    "assessments:questionnaire_workbook_download": Route(args=the_submission, get=READ_SUBMISSION),
    # The coordinator may download a read-only copy but never upload: the answers are the organisation's.
    "assessments:questionnaire_workbook_upload": Route(
        args=the_submission, get=ANSWER, post=ANSWER, data=filled_workbook
    ),
    "assessments:submission_return": Route(
        args=the_submission,
        get=POST_ONLY,
        post=REVIEW,
        data=lambda w: {"reason": "Please add the decree."},
        prepare=submitted,
    ),
    "assessments:submission_accept": Route(args=the_submission, get=POST_ONLY, post=REVIEW, prepare=submitted),
    # The review page and its comments are the coordinators' own: focal points read comments once sent.
    "assessments:submission_review": Route(args=the_submission, get=REVIEW),
    "assessments:review_comment_add": Route(
        args=lambda w: [w.submission.pk, w.answer.pk],
        get=POST_ONLY,
        post=REVIEW,
        data=lambda w: {f"rc{w.answer.pk}-text": "Please link the decree."},
        prepare=submitted,
    ),
    "assessments:review_comment_update": Route(
        args=lambda w: [w.submission.pk, w.comment.pk],
        get=POST_ONLY,
        post=REVIEW,
        data=lambda w: {f"rc{w.answer.pk}-text": "Please link the decree and its article."},
        prepare=submitted_with_comment,
    ),
    "assessments:review_comment_delete": Route(
        args=lambda w: [w.submission.pk, w.comment.pk], get=POST_ONLY, post=REVIEW, prepare=submitted_with_comment
    ),
    # Evidence: the answer's access (the organisation's focal points write, the country's coordinators
    # read and review, observers never); downloads are audited reads.
    "evidence:answer_evidence": Route(args=lambda w: [w.submission.pk, w.answer.pk], get=READ_SUBMISSION),
    "evidence:document_upload": Route(
        args=lambda w: [w.submission.pk, w.answer.pk], get=POST_ONLY, post=ANSWER, data=evidence_upload
    ),
    "evidence:document_attach": Route(
        args=lambda w: [w.submission.pk, w.answer.pk],
        get=POST_ONLY,
        post=ANSWER,
        data=lambda w: {"document": w.document.pk},
        prepare=with_library_document,
    ),
    "evidence:link_add": Route(
        args=lambda w: [w.submission.pk, w.answer.pk],
        get=POST_ONLY,
        post=ANSWER,
        data=lambda w: {"url": "https://laws.example.org/act-2021", "title": "Child Protection Act"},
    ),
    "evidence:attachment_remove": Route(
        args=lambda w: [w.submission.pk, w.attachment.pk], get=POST_ONLY, post=ANSWER, prepare=with_document
    ),
    "evidence:attachment_review": Route(
        args=lambda w: [w.submission.pk, w.attachment.pk],
        get=POST_ONLY,
        post=REVIEW,
        data=lambda w: {"review": "insufficient", "note": "Only the title page."},
        prepare=with_document,
    ),
    "evidence:document_download": Route(args=lambda w: [w.document.pk], get=READ_SUBMISSION, prepare=with_document),
    "evidence:document_remove": Route(
        args=lambda w: [w.document.pk], get=POST_ONLY, post=ANSWER, prepare=with_document
    ),
    # The outsider coordinates country B: they read B's trail, never A's (see test_audit_trail_*).
    "assessments:audit_trail": Route(get=row(LOGIN, OK, 403, 403, OK, OK)),
    # Reports: the national analysis is for coordinators and observers; jobs and exports for coordinators.
    "reports:cycle_analysis": Route(args=the_cycle, get=row(LOGIN, 404, OK, 403, OK, OK)),
    "reports:national_data": Route(args=the_cycle, get=row(LOGIN, 404, OK, 403, OK, OK)),
    "reports:national_figure_set": Route(
        args=lambda w: [w.cycle.pk, w.metric.pk],
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"mM01.1-year": "2025", "mM01.1-value": "120000", "mM01.1-rationale": "Budget law 2025."},
    ),
    # One capability's answers, loaded on demand from the analysis page: organisation detail, so observers 403.
    "reports:contested_answers": Route(args=lambda w: [w.cycle.pk, 1], get=MANAGE_READ),
    "reports:validated_level_set": Route(
        args=lambda w: [w.cycle.pk, 1],
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"v1-level": "2", "v1-rationale": "Agreed by the committee."},
    ),
    "reports:enabler_score_set": Route(
        args=lambda w: [w.cycle.pk, w.enabler.pk],
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {f"e{w.enabler.pk}-level": "2", f"e{w.enabler.pk}-rationale": "Budget line exists."},
    ),
    "reports:report_page": Route(args=the_cycle, get=MANAGE_READ),
    "reports:report_generate": Route(args=the_cycle, get=POST_ONLY, post=MANAGE_CYCLE),
    "reports:export_xlsx": Route(args=the_cycle, get=MANAGE_READ),
    "reports:export_csv": Route(args=the_cycle, get=MANAGE_READ),
    # The htmx fragment that polls a job answers exactly like the page it lives on.
    "reports:report_job_status": Route(args=lambda w: [w.job.pk], get=MANAGE_READ),
    "reports:report_job_retry": Route(args=lambda w: [w.job.pk], get=POST_ONLY, post=MANAGE_CYCLE, prepare=failed_job),
    "reports:report_download": Route(args=lambda w: [w.job.pk], get=MANAGE_READ),
    # The action plan: the coordinator writes; focal points of the country read it and report progress on
    # the actions their organisation leads (the ministry leads the action here); observers read.
    "plans:plan_page": Route(args=the_plan_cycle, get=READ_CYCLE, prepare=with_plan),
    "plans:plan_create": Route(
        args=the_plan_cycle, get=POST_ONLY, post=MANAGE_CYCLE, data=lambda w: {"currency": "EUR"}
    ),
    "plans:action_create": Route(
        args=the_plan_cycle, get=MANAGE_READ, post=MANAGE_CYCLE, data=action_form, prepare=with_plan
    ),
    "plans:suggestion_accept": Route(
        args=the_plan_cycle,
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"indicator": "C01.1"},
        prepare=with_plan_and_a_gap,
    ),
    "plans:suggestion_dismiss": Route(
        args=the_plan_cycle, get=POST_ONLY, post=MANAGE_CYCLE, data=lambda w: {"indicator": "C01.1"}, prepare=with_plan
    ),
    "plans:suggestion_restore": Route(
        args=the_plan_cycle, get=POST_ONLY, post=MANAGE_CYCLE, prepare=with_plan_and_a_dismissal
    ),
    "plans:actions_carry_over": Route(
        args=the_plan_cycle,
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"action": [w.old_action.pk]},
        prepare=with_plan_and_an_earlier_one,
    ),
    "plans:plan_endorse": Route(
        args=the_plan_cycle,
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"endorsed_on": date.today().isoformat(), "endorsed_by": "Cabinet"},
        prepare=with_plan,
    ),
    "plans:plan_revision": Route(args=lambda w: [w.cycle.pk, w.revision.number], get=READ_CYCLE, prepare=with_plan),
    "plans:plan_export": Route(args=the_plan_cycle, get=READ_CYCLE, prepare=with_plan),
    "plans:plan_pdf_generate": Route(args=the_plan_cycle, get=POST_ONLY, post=MANAGE_CYCLE, prepare=with_plan),
    "plans:plan_job_status": Route(args=lambda w: [w.plan_job.pk], get=MANAGE_READ, prepare=with_plan_pdf),
    "plans:plan_pdf_download": Route(args=lambda w: [w.plan_job.pk], get=READ_CYCLE, prepare=with_plan_pdf),
    "plans:action_detail": Route(args=the_action, get=READ_CYCLE, prepare=with_plan),
    "plans:action_row": Route(args=the_action, get=READ_CYCLE, prepare=with_plan),
    "plans:action_update": Route(
        args=the_action, get=MANAGE_READ, post=MANAGE_CYCLE, data=action_form, prepare=with_plan
    ),
    "plans:action_delete": Route(args=the_action, get=POST_ONLY, post=MANAGE_CYCLE, prepare=with_plan),
    "plans:funding_add": Route(
        args=the_action,
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"source": "national_budget", "funder": "Treasury", "amount": "100.50"},
        prepare=with_plan,
    ),
    "plans:funding_delete": Route(
        args=lambda w: [w.action.pk, w.funding.pk], get=POST_ONLY, post=MANAGE_CYCLE, prepare=with_plan
    ),
    "plans:milestone_add": Route(
        args=the_action,
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        data=lambda w: {"title": "Decree signed", "due_on": date.today().isoformat()},
        prepare=with_plan,
    ),
    "plans:progress_post": Route(
        args=the_action,
        get=POST_ONLY,
        post=row(LOGIN, 404, 403, OK, OK, OK),
        data=lambda w: {"status": "in_progress", "progress": "30", "note": "Budget request filed."},
        prepare=with_plan,
    ),
    # Personal API tokens: one's own, created and revoked on the account page.
    "api_tokens": Route(
        post=row(LOGIN, OK, OK, OK, OK, OK), data=lambda w: {"name": "Dashboard", "scope": "read", "days": "30"}
    ),
    "api_token_revoke": Route(
        args=lambda w: [w.token.pk], get=POST_ONLY, post=row(LOGIN, 404, 404, OK, 404, 404), prepare=own_token
    ),
    # The REST API: the catalogue to everyone signed in; the rest scoped as the pages above.
    "api:framework-version-list": Route(get=API_SIGNED_IN),
    "api:framework-version-detail": Route(args=lambda w: [w.cycle.framework_version_id], get=API_SIGNED_IN),
    "api:crosswalk-list": Route(get=API_SIGNED_IN),
    "api:crosswalk-detail": Route(args=lambda w: [w.crosswalk.pk], get=API_SIGNED_IN, prepare=with_crosswalk),
    "api:cycle-list": Route(get=API_SIGNED_IN),
    "api:cycle-detail": Route(args=the_cycle, get=API_READ_CYCLE),
    # Observers see the cycle and, as on its page, no organisation's questionnaire: empty lists.
    "api:cycle-organisations": Route(args=the_cycle, get=API_READ_CYCLE),
    "api:cycle-submissions": Route(args=the_cycle, get=API_READ_CYCLE),
    "api:cycle-plan": Route(args=the_plan_cycle, get=API_READ_CYCLE, prepare=with_plan),
    "api:cycle-report-jobs": Route(args=the_cycle, get=API_MANAGE_READ),
    "api:submission-list": Route(get=API_SIGNED_IN),
    "api:submission-detail": Route(args=the_submission, get=API_READ_SUBMISSION),
    "api:submission-answers": Route(args=the_submission, get=API_READ_SUBMISSION),
    "api:answer-detail": Route(
        args=lambda w: [w.submission.pk, w.answer.pk],
        get=API_READ_SUBMISSION,
        post=API_ANSWER,
        method="PUT",
        headers={"HTTP_IF_MATCH": '"0"'},
        data=lambda w: {"choice": "2", "evidence": "Decree 12/2024.", "comment": ""},
    ),
    # Figures: a questionnaire's as its figures page (focal points write), national ones as the national-data page.
    "api:submission-figures": Route(
        args=the_submission,
        get=API_READ_SUBMISSION,
        post=API_ANSWER,
        headers={"HTTP_IF_MATCH": figures_etag([])},
        data=lambda w: {"figures": [{"metric": "M01.1", "year": 2025, "value": "120000", "source": "Budget law"}]},
    ),
    "api:submission-figure": Route(
        args=lambda w: [w.submission.pk, "M01.1", 2024],
        get=API_READ_SUBMISSION,
        post=API_ANSWER,
        method="PUT",
        headers={"HTTP_IF_MATCH": "*"},
        data=lambda w: {"value": "110000", "source": "Budget law, revised"},
        prepare=reported_figure,
    ),
    "api:cycle-national-figures": Route(args=the_cycle, get=row(401, 404, OK, 403, OK, OK), prepare=national_figure),
    "api:cycle-national-figure": Route(
        args=lambda w: [w.cycle.pk, "M01.1", 2023],
        get=row(401, 404, OK, 403, OK, OK),
        post=API_MANAGE_READ,
        method="PUT",
        headers={"HTTP_IF_MATCH": "*"},
        data=lambda w: {"value": "95000", "rationale": "Budget law 2023, as amended."},
        prepare=national_figure,
    ),
    "api:report-job-detail": Route(args=lambda w: [w.job.pk], get=API_MANAGE_READ),
    "api:action-detail": Route(args=the_action, get=API_READ_CYCLE, prepare=with_plan),
    "api:action-progress": Route(
        args=the_action,
        get=API_POST_ONLY,
        post=row(401, 404, 403, OK, OK, OK),
        data=lambda w: {"status": "in_progress", "progress": 30, "note": "Budget request filed."},
        prepare=with_plan,
    ),
    # The schema and its readers describe the API and hold no data.
    "api:schema": Route(get=EVERYONE),
    "api:docs": Route(get=EVERYONE),
    "api:redoc": Route(get=EVERYONE),
    # The learning network: aggregates only for the secretariat (the superuser here; tests/network covers the
    # secretariat role itself), consents for the country's coordinator, the library for everyone signed in.
    "network:insight": Route(),
    "network:consent": Route(args=the_cycle, get=MANAGE_READ),
    "network:consent_give": Route(
        args=lambda w: [w.cycle.pk, "secretariat"], get=POST_ONLY, post=MANAGE_CYCLE, prepare=closed
    ),
    "network:consent_withdraw": Route(
        args=lambda w: [w.cycle.pk, "secretariat"],
        get=POST_ONLY,
        post=MANAGE_CYCLE,
        prepare=closed_and_consented("secretariat"),
    ),
    "network:aggregates": Route(get=row(LOGIN, 403, 403, 403, 403, OK)),
    "network:aggregates_csv": Route(get=row(LOGIN, 403, 403, 403, 403, OK), prepare=closed_and_consented("aggregates")),
    "network:aggregates_xlsx": Route(
        get=row(LOGIN, 403, 403, 403, 403, OK), prepare=closed_and_consented("aggregates")
    ),
    "network:shared_list": Route(get=row(LOGIN, 403, 403, 403, 403, OK)),
    "network:shared_report": Route(
        args=the_cycle, get=row(LOGIN, 404, 404, 404, 404, OK), prepare=closed_and_consented("secretariat")
    ),
    "network:library": Route(),
    "network:practice_create": Route(
        get=row(LOGIN, OK, 403, 403, OK, OK), post=row(LOGIN, OK, 403, 403, OK, OK), data=entry_form
    ),
    "network:moderation": Route(get=row(LOGIN, 403, 403, 403, 403, OK)),
    "network:practice_detail": Route(
        args=lambda w: [w.practice.pk], get=row(LOGIN, 404, 404, 404, OK, OK), prepare=draft_entry
    ),
    "network:practice_update": Route(
        args=lambda w: [w.practice.pk],
        get=row(LOGIN, 404, 404, 404, OK, OK),
        post=row(LOGIN, 404, 404, 404, OK, OK),
        data=entry_form,
        prepare=draft_entry,
    ),
    "network:practice_submit": Route(
        args=lambda w: [w.practice.pk], get=POST_ONLY, post=row(LOGIN, 404, 404, 404, OK, 403), prepare=draft_entry
    ),
    "network:practice_publish": Route(
        args=lambda w: [w.practice.pk], get=POST_ONLY, post=row(LOGIN, 404, 404, 404, 403, OK), prepare=submitted_entry
    ),
    "network:practice_return": Route(
        args=lambda w: [w.practice.pk],
        get=POST_ONLY,
        post=row(LOGIN, 404, 404, 404, 403, OK),
        data=lambda w: {"reason": "Add the results."},
        prepare=submitted_entry,
    ),
    # Countries and their first coordinator: the secretariat's (the superuser here; tests/network/test_countries.py
    # covers the secretariat role, its regions' scope and the 404 beyond it).
    "network:countries": Route(get=row(LOGIN, 403, 403, 403, 403, OK)),
    "network:country_create": Route(
        get=row(LOGIN, 403, 403, 403, 403, OK),
        post=row(LOGIN, 403, 403, 403, 403, OK),
        data=lambda w: {"name": "Atlantis", "code": "AT"},
    ),
    "network:country_update": Route(
        args=lambda w: [w.cycle.country_id],
        get=row(LOGIN, 403, 403, 403, 403, OK),
        post=row(LOGIN, 403, 403, 403, 403, OK),
        data=lambda w: {"name": "Arcadia Republic", "code": w.cycle.country.code},
    ),
    "network:coordinator_invite": Route(
        args=lambda w: [w.new_country.pk],
        get=POST_ONLY,
        post=row(LOGIN, 403, 403, 403, 403, OK),
        data=lambda w: {"email": "first.coordinator@example.org"},
        prepare=country_without_coordinator,
    ),
    "network:coordinator_invitation_resend": Route(
        args=lambda w: [w.new_country.pk, w.invitation.pk],
        get=POST_ONLY,
        post=row(LOGIN, 403, 403, 403, 403, OK),
        prepare=pending_coordinator_invitation,
    ),
    "network:exchange": Route(get=row(LOGIN, OK, 403, 403, OK, OK)),
    "network:exchange_ask": Route(
        get=POST_ONLY,
        post=row(LOGIN, OK, 403, 403, OK, 403),
        data=lambda w: {"capability": w.capability.pk, "message": "How?", "route": "direct"},
        prepare=both_open_to_exchange,
    ),
    "network:exchange_forward": Route(
        args=lambda w: [w.exchange.pk],
        get=POST_ONLY,
        post=row(LOGIN, 404, 404, 404, 404, OK),
        prepare=exchange_through_the_secretariat,
    ),
    "network:exchange_answer": Route(
        args=lambda w: [w.reply.pk, "accept"],
        get=POST_ONLY,
        post=row(LOGIN, 404, 404, 404, OK, 404),
        prepare=exchange_asked_of_a,
    ),
    # Two-step verification: everyone signed in may use it; the logins here count as verified (see
    # conftest), so admins and coordinators hold a device and the others none. The POSTs send no
    # code: the form is refused before any device is asked (tests/test_two_factor.py covers the rest).
    "two_factor:manage": Route(),
    "two_factor:setup": Route(post=row(LOGIN, 200, 200, 200, 200, 200)),
    "two_factor:verify": Route(post=row(LOGIN, 302, 302, 302, 302, 302)),
    "two_factor:backup_codes": Route(),
    "two_factor:regenerate": Route(get=POST_ONLY, post=row(LOGIN, 400, 302, 302, 400, 400)),
    # Switching off is for those not required to use it, and they have nothing to switch off here.
    "two_factor:remove": Route(get=POST_ONLY, post=row(LOGIN, 403, 302, 302, 403, 403)),
}


def url_names():
    """Every named URL of the project: root names, and the assessments, reports, plans, two_factor and api names.

    The admin's own URLs are covered by ``test_the_admin_is_for_staff_only``.
    """
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("assessments", "evidence", "reports", "plans", "network", "two_factor", "api"):
                names |= {f"{pattern.namespace}:{p.name}" for p in pattern.url_patterns}
            else:
                assert pattern.namespace == "admin", f"URLs under {pattern.pattern} are in no permission matrix"
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_url_has_a_row_in_the_permission_matrix():
    declared = {f"assessments:{p.name}" for p in assessment_urls.urlpatterns}
    declared |= {f"evidence:{p.name}" for p in evidence_urls.urlpatterns}
    declared |= {f"reports:{p.name}" for p in report_urls.urlpatterns}
    declared |= {f"plans:{p.name}" for p in plan_urls.urlpatterns}
    declared |= {f"network:{p.name}" for p in network_urls.urlpatterns}

    assert declared <= url_names(), "assessments.urls is not included under its namespace"
    assert set(MATRIX) == url_names() - OUTSIDE_THE_MATRIX
    assert {"home", "healthz"} <= set(MATRIX)
    for name, route in MATRIX.items():
        assert set(route.get) == set(PERSONAS), name
        assert route.post is None or set(route.post) == set(PERSONAS), name
        # A mutation refuses GET, so its row must say who may POST.
        assert route.get != POST_ONLY or route.post is not None, name


@pytest.fixture
def world(cycle, submission, answer, coordinator, focal_point, observer, outsider, cycle_b, superuser):
    """Country A's open cycle and a second one still in preparation, both with the ministry taking part."""
    draft_cycle = make_cycle(
        country=cycle.country,
        framework_version=cycle.framework_version,
        organisations=[submission.organisation],
        by=coordinator,
        open=False,
        title="Next assessment",
    )
    # A finished report of country A, its file in place, for the job URLs.
    job = ReportJob.objects.create(
        cycle=cycle,
        requested_by=coordinator,
        data={},
        status=ReportJob.Status.DONE,
        file="reports/matrix.pdf",
        task_id="matrix",
    )
    target = Path(settings.MEDIA_ROOT) / job.file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"%PDF-1.7 matrix")
    return SimpleNamespace(
        cycle=cycle,
        job=job,
        enabler=Enabler.objects.filter(version=cycle.framework_version).first(),
        metric=Metric.objects.get(version=cycle.framework_version, code="M01.1"),
        draft_cycle=draft_cycle,
        submission=submission,
        answer=answer,
        focal_point=focal_point,
        coordinator=coordinator,
        personas={
            "anonymous": None,
            "outsider": outsider,
            "observer": observer,
            "focal_point": focal_point,
            "coordinator": coordinator,
            "superuser": superuser,
        },
    )


def state(w):
    """What a request could change, read back from the database."""
    for obj in (w.cycle, w.draft_cycle, w.submission, w.answer):
        obj.refresh_from_db()
    counted = [
        Cycle,
        CycleTarget,
        Organisation,
        Submission,
        Answer,
        AnswerRevision,
        RoleAssignment,
        get_user_model(),
        Reminder,
        ReviewComment,
        AuditEvent,
        ValidatedLevel,
        EnablerScore,
        ReportJob,
        Document,
        Attachment,
        MetricValue,
        NationalFigure,
    ]
    return {
        "cycle": (w.cycle.status, w.cycle.closed_at),
        "draft cycle": (w.draft_cycle.status, w.draft_cycle.opened_at),
        "submission": (w.submission.status, w.submission.return_reason, w.submission.reviewed_by_id),
        "answer": (w.answer.choice, w.answer.evidence, w.answer.version),
        "job": ReportJob.objects.filter(pk=w.job.pk).values_list("status", "attempts", "task_id").get(),
        "targets": sorted(CycleTarget.objects.values_list("pk", "target_level")),
        "review comments": sorted(ReviewComment.objects.values_list("pk", "text", "sent_at")),
        "invitations": sorted(Invitation.objects.values_list("pk", "status", "sent_at", "send_count")),
        "countries": sorted(Country.objects.values_list("pk", "code", "name")),
        "regions": sorted(Region.countries.through.objects.values_list("region_id", "country_id")),
        "rows": {model.__name__: model.objects.count() for model in counted},
        "mail": len(mail.outbox),
        "evidence": sorted(Attachment.objects.values_list("pk", "review", "review_note", "removed_at")),
        "documents": sorted(Document.objects.values_list("pk", "removed_at", "superseded_by")),
        "plans": {
            model.__name__: list(model.objects.order_by("pk").values())
            for model in apps.get_app_config("plans").get_models()
        },
        # Tokens made or revoked (a token's use notes only its last_used_at).
        "tokens": sorted(ApiToken.objects.values_list("pk", "revoked_at")),
    }


def assert_outcome(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login")), response
    elif expected == OK:
        assert response.status_code in (200, 201, 302), response
        assert response.status_code in (200, 201) or not response.url.startswith(reverse("login")), response.url
    elif expected == FORM_ERROR:
        assert response.status_code == 200, response
        assert "Select a valid choice" in response.content.decode()
    else:
        assert response.status_code == expected, response


CASES = [
    pytest.param(name, method, persona, id=f"{name.split(':')[-1]}-{method}-{persona}")
    for name, route in MATRIX.items()
    for method in (["GET", "POST"] if route.post else ["GET"])
    for persona in PERSONAS
]


@pytest.mark.parametrize(("name", "method", "persona"), CASES)
def test_every_url_answers_each_persona_as_the_matrix_says(
    client, world, name, method, persona, django_capture_on_commit_callbacks
):
    route = MATRIX[name]
    expected = (route.get if method == "GET" else route.post)[persona]
    if route.prepare:
        route.prepare(world)
    data = route.data(world) if method == "POST" else None
    credentials = sign_in(client, world, name, persona)
    before = state(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, world, name, route, credentials, write=method == "POST", data=data)

    assert_outcome(response, expected)
    after = state(world)
    if method == "GET":
        # Reads change nothing, though a coordinator's read of a submission is audited.
        before["rows"].pop("AuditEvent"), after["rows"].pop("AuditEvent")
        assert after == before
    elif expected == OK and route.writes:
        assert after != before, "an allowed POST should have done something"
    else:
        assert after == before, "a refused POST changed something"


# Tenancy beyond the matrix ------------------------------------------------------------------------------


def test_the_outsider_reaches_their_own_countrys_cycle_and_questionnaire(client, outsider, cycle_b, submission_b):
    """So the outsider's 404s in the matrix come from tenancy, not from broken fixtures."""
    client.force_login(outsider)

    assert client.get(cycle_b.get_absolute_url()).status_code == 200
    assert client.get(submission_b.get_absolute_url()).status_code == 200


def test_cycle_lists_show_only_the_users_own_country(client, outsider, observer, cycle, cycle_b):
    client.force_login(outsider)
    for url in (reverse("assessments:cycle_list"), reverse("home")):
        body = client.get(url).content.decode()
        assert "Borduria review 2026" in body
        assert "National assessment 2026" not in body and cycle.get_absolute_url() not in body

    client.force_login(observer)
    body = client.get(reverse("assessments:cycle_list")).content.decode()
    assert "National assessment 2026" in body and "Borduria review 2026" not in body


def test_an_observer_sees_a_cycle_but_no_organisations_answers(client, observer, cycle, submission):
    client.force_login(observer)

    body = client.get(cycle.get_absolute_url()).content.decode()

    assert "Answers of individual organisations are visible only to the national coordinator" in body
    assert submission.get_absolute_url() not in body
    assert 'id="participants"' not in body


def test_a_focal_point_cannot_reach_another_organisations_questionnaire_in_their_country(
    client, focal_point, coordinator, cycle, country_a
):
    police = OrganisationFactory(country=country_a, name="National Police", sector=SectorFactory(code="ngo"))
    services.cycle_add_organisation(cycle=cycle, organisation=police, by=coordinator)
    other = cycle.submissions.get(organisation=police)
    client.force_login(focal_point)

    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessments:questionnaire_history", args=[other.pk])).status_code == 404
    body = client.get(cycle.get_absolute_url()).content.decode()
    assert other.get_absolute_url() not in body


def test_an_answer_of_another_questionnaire_cannot_be_saved_through_ones_own(
    client, focal_point, submission, submission_b
):
    foreign = submission_b.answers.first()
    client.force_login(focal_point)

    response = client.post(
        reverse("assessments:answer_update", args=[submission.pk, foreign.pk]),
        {f"a{foreign.pk}-choice": "4", f"a{foreign.pk}-evidence": "x", f"a{foreign.pk}-version": "0"},
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.choice, foreign.version) == ("", 0)


def test_audit_trail_shows_a_coordinator_their_country_only(client, world, coordinator, outsider):
    client.force_login(coordinator)
    client.get(world.submission.get_absolute_url())  # a read, audited
    body = client.get(reverse("assessments:audit_trail")).content.decode()
    assert "Viewed a submission" in body and world.submission.organisation.name in body

    client.force_login(outsider)
    body = client.get(reverse("assessments:audit_trail")).content.decode()
    assert world.submission.organisation.name not in body
    assert "Borduria" in body


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_the_admin_is_for_staff_only(client, world, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for persona in ("anonymous", "outsider", "observer", "focal_point", "coordinator"):
        client.logout()
        if world.personas[persona]:
            client.force_login(world.personas[persona])
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), (persona, url)
    client.force_login(world.personas["superuser"])
    assert client.get(url).status_code == 200
