"""Query counts that must not grow with the size of a cycle or of a capability.

Each test names its queries, then runs the same code on a small and a large case with the same n.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Cycle, Reminder
from assessments.participants import focal_point_invite
from capabilities.models import LEVELS, Capability, Domain, FrameworkVersion, Indicator, LevelDescriptor, MaturityLevel
from capabilities.services import framework_publish
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, UserFactory, make_cycle

pytestmark = pytest.mark.django_db

SECTORS = ["ministry", "law_enforcement", "ngo"]


def organisations(country, n):
    return [
        OrganisationFactory(country=country, name=f"Organisation {i:02}", sector=SectorFactory(code=SECTORS[i % 3]))
        for i in range(n)
    ]


@pytest.mark.parametrize("n_organisations", [2, 8])
def test_opening_a_cycle_takes_the_same_queries_for_any_number_of_organisations(
    django_assert_num_queries, tiny_framework, country_a, coordinator, n_organisations
):
    draft = make_cycle(
        country=country_a,
        framework_version=tiny_framework,
        organisations=organisations(country_a, n_organisations),
        by=coordinator,
        open=False,
    )
    cycle = Cycle.objects.select_related("country").get(pk=draft.pk)  # as the view's access helper loads it

    # 1 savepoint, 2 flip draft → open (conditional update), 3 re-read status and opened_at,
    # 4 submissions with their organisations, 5 indicator ids per sector, 6 one bulk insert of every
    # answer, 7 the country's previous cycle (none: nothing to carry forward), 8 audit event, 9 the
    # focal points to tell (their e-mails go after commit), 10 release savepoint.
    with django_assert_num_queries(10):
        services.cycle_open(cycle=cycle, by=coordinator)

    assert Answer.objects.filter(submission__cycle=cycle).count() == 3 * n_organisations


@pytest.mark.parametrize("n_organisations", [2, 8])
def test_carrying_answers_forward_takes_the_same_queries_for_any_number_of_organisations(
    django_assert_num_queries, tiny_framework, country_a, coordinator, n_organisations
):
    from datetime import date, timedelta

    from assessments.models import Carry, Submission

    members = organisations(country_a, n_organisations)
    previous = make_cycle(
        country=country_a,
        framework_version=tiny_framework,
        organisations=members,
        by=coordinator,
        opens_on=date.today() - timedelta(days=365),
        period="2024",
    )
    Answer.objects.filter(submission__cycle=previous).update(choice="2")
    Submission.objects.filter(cycle=previous).update(status=Submission.Status.ACCEPTED)
    services.cycle_close(cycle=previous, by=coordinator)
    draft = make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=members, by=coordinator, open=False
    )
    cycle = Cycle.objects.select_related("country").get(pk=draft.pk)

    # 1 savepoint, 2 flip, 3 re-read, 4 submissions, 5 indicator ids per sector, 6 bulk insert of the
    # answers; carrying forward: 7 previous cycle, 8 its counted questionnaires of these organisations,
    # 9 their answers, 10 the new empty answers with their codes, 11 one bulk update, 12 one bulk insert of
    # the revisions, 13 its audit event, 14 the carried answers' evidence documents and links (none here: no
    # insert); 15 audit event of the opening, 16 focal points, 17 release savepoint.
    # (Same version: no crosswalk query.)
    with django_assert_num_queries(17):
        services.cycle_open(cycle=cycle, by=coordinator)

    assert set(Answer.objects.filter(submission__cycle=cycle).values_list("carry", "choice")) == {
        (Carry.PREFILLED, "2")
    }


def framework_with_one_capability(*, indicators, sector):
    """A published version whose only capability has ``indicators`` indicators, all asked of ``sector``."""
    version = FrameworkVersion.objects.create(code=f"BIG-{indicators}", title=f"{indicators} indicators")
    MaturityLevel.objects.bulk_create(
        MaturityLevel(version=version, level=level, name=f"Level {level}") for level in LEVELS
    )
    domain = Domain.objects.create(version=version, code="A", name="Policy and governance", outcome="Leaders commit.")
    capability = Capability.objects.create(
        version=version, domain=domain, number=1, title="Leadership", summary="A body.", outcome="Coordination."
    )
    created = Indicator.objects.bulk_create(
        Indicator(version=version, capability=capability, code=f"C01.{n}", order=n, question=f"Question {n}?")
        for n in range(1, indicators + 1)
    )
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(indicator=indicator, level=level, text=f"{indicator.code} at level {level}.")
        for indicator in created
        for level in LEVELS
    )
    Indicator.sectors.through.objects.bulk_create(
        Indicator.sectors.through(indicator_id=indicator.pk, sector_id=sector.pk) for indicator in created
    )
    return framework_publish(version=version)


@pytest.mark.parametrize("n_indicators", [5, 50])
def test_the_capability_page_takes_the_same_queries_for_any_number_of_indicators(
    django_assert_num_queries, client, country_a, organisation, focal_point, coordinator, n_indicators
):
    version = framework_with_one_capability(indicators=n_indicators, sector=organisation.sector)
    cycle = make_cycle(country=country_a, framework_version=version, organisations=[organisation], by=coordinator)
    submission = cycle.submissions.get()
    # Answered, so that every card shows who saved it last.
    Answer.objects.filter(submission=submission).update(
        choice="2", version=1, updated_by=focal_point, updated_at=timezone.now()
    )
    client.force_login(focal_point)
    url = reverse("assessments:questionnaire_capability", args=[submission.pk, 1])
    client.get(url)  # the session's first page learns whether the user holds an authenticator; the
    # process reads the version's framework tree once (levels, capabilities, indicators, descriptors)

    # 1 session, 2 user, 3 the user's roles (two-step verification: required? also: may this user see
    # the questionnaire, and answer it?), 4 submission by primary key with cycle, country, framework
    # version, organisation and sector, 5 the capability's answers with who saved them, 6 the review
    # comments sent with a return (prefetch), 7 the evidence documents and links with their documents
    # (prefetch), 8 answers counted per capability (the progress navigation). Capability, levels,
    # indicators and descriptors come from the cached framework tree.
    with django_assert_num_queries(8):
        response = client.get(url)

    body = response.content.decode()
    assert body.count('class="card indicator-card') == n_indicators
    assert f"C01.{n_indicators} at level 4." in body
    assert body.count("by Farid Osei") == n_indicators


@pytest.mark.parametrize("n_organisations", [3, 12])
def test_the_coordinators_cycle_page_takes_the_same_queries_for_any_number_of_organisations(
    django_assert_num_queries, client, tiny_framework, country_a, coordinator, n_organisations
):
    participants = organisations(country_a, n_organisations)
    for organisation in participants:
        FocalPointRoleFactory(organisation=organisation)
    cycle = make_cycle(country=country_a, framework_version=tiny_framework, organisations=participants, by=coordinator)
    services.reminders_send(cycle=cycle, by=coordinator, base_url="http://testserver")
    # Per organisation: a new account invited (can be resent) and an existing account awaiting acceptance.
    existing = UserFactory(email="elsewhere@example.org")
    for i, organisation in enumerate(participants):
        for email in (f"new{i}@example.org", existing.email):
            focal_point_invite(cycle=cycle, organisation=organisation, email=email, by=coordinator, base_url="")
    # One organisation outside the cycle, offered in the "add an organisation" list.
    OrganisationFactory(country=country_a, name="Not yet taking part")
    client.force_login(coordinator)

    # 1 session, 2 user, 3 the device that verified the session (two-step verification), 4 cycle with
    # country and framework version, 5 the user's roles, 6 submissions with organisation, sector and
    # answer counts (one annotated query), 7 organisations that can still join and 8 sectors
    # (add-organisation form), 9 organisations in the cycle (invite form), 10 the last reminders with
    # organisation and sender, 11 the organisations' invitations and 12 their focal points (with users).
    with django_assert_num_queries(12):
        response = client.get(cycle.get_absolute_url())

    body = response.content.decode()
    assert body.count("<td>Organisation ") == n_organisations
    assert body.count("0/3") == n_organisations
    assert Reminder.objects.filter(cycle=cycle).count() == n_organisations
    assert "Not yet taking part" in body
    assert body.count("Awaiting acceptance</span>") == n_organisations
    assert body.count(">Resend invitation<") == 2 * n_organisations
