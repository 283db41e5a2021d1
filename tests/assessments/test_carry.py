"""Answers carried forward from the country's previous cycle: per crosswalk relation, and their confirmation."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments import carry, services
from assessments.models import Answer, AnswerRevision, AuditEvent, Carry, Cycle, Submission
from capabilities.models import CrosswalkEntry
from tests.factories import OrganisationFactory, SectorFactory, make_crosswalk, make_cycle, make_framework

pytestmark = pytest.mark.django_db

IND, CAP = CrosswalkEntry.Kind.INDICATOR, CrosswalkEntry.Kind.CAPABILITY
LAST_YEAR = date.today() - timedelta(days=400)

# The old version's answers of the ministry: (choice, evidence).
OLD_ANSWERS = {
    "C01.1": ("3", "Decree 12/2019 founds the council."),
    "C01.2": ("2", "Budget line 14."),
    "C01.3": ("1", "Draft protocol."),
    "C01.5": ("4", "Removed from the framework."),
    "C02.1": ("3", "Hotline since 2018."),
    "C02.2": ("1", "Pilot in one region."),
    "C03.1": ("dk", ""),
}


@pytest.fixture
def versions(db):
    """Two versions and the crosswalk between them, with one indicator of each relation kind."""
    old = make_framework("CARRY-1", {1: ["C01.1", "C01.2", "C01.3", "C01.5"], 2: ["C02.1", "C02.2"], 3: ["C03.1"]})
    new = make_framework("CARRY-2", {1: ["C01.1", "C01.2", "C01.4"], 2: ["C02.3"], 3: ["C03.2", "C03.3"], 5: ["C05.1"]})
    make_crosswalk(
        old,
        new,
        [
            (IND, "C01.1", "C01.1", "equal"),
            (IND, "C01.2", "C01.2", "subset"),
            (IND, "C01.3", "C01.4", "superset"),
            (IND, "C01.5", "", "removed"),
            (IND, "C02.1", "C02.3", "merged"),
            (IND, "C02.2", "C02.3", "merged"),
            (IND, "C03.1", "C03.2", "split"),
            (IND, "C03.1", "C03.3", "split"),
            (IND, "", "C05.1", "new"),
            (CAP, "1", "1", "equal"),
            (CAP, "2", "2", "merged"),
            (CAP, "3", "3", "split"),
            (CAP, "", "5", "new"),
        ],
    )
    return old, new


@pytest.fixture
def ministry(country_a, versions):
    return OrganisationFactory(country=country_a, name="Ministry of Justice", sector=SectorFactory(code="ministry"))


def answered_cycle(*, country, version, organisation, by, answers, status=Submission.Status.ACCEPTED):
    """Last year's cycle of ``country`` on ``version``, answered by ``organisation`` and closed."""
    cycle = make_cycle(
        country=country,
        framework_version=version,
        organisations=[organisation],
        by=by,
        title="Assessment 2024",
        period="2024",
        opens_on=LAST_YEAR,
    )
    submission = cycle.submissions.get(organisation=organisation)
    for code, (choice, evidence) in answers.items():
        Answer.objects.filter(submission=submission, indicator__code=code).update(choice=choice, evidence=evidence)
    Submission.objects.filter(pk=submission.pk).update(status=status)
    services.cycle_close(cycle=cycle, by=by)
    return cycle


def carried(cycle, organisation):
    return {
        a.indicator.code: a
        for a in Answer.objects.filter(submission__cycle=cycle, submission__organisation=organisation).select_related(
            "indicator"
        )
    }


@pytest.fixture
def carried_cycle(versions, country_a, ministry, coordinator):
    old, new = versions
    previous = answered_cycle(
        country=country_a, version=old, organisation=ministry, by=coordinator, answers=OLD_ANSWERS
    )
    cycle = make_cycle(country=country_a, framework_version=new, organisations=[ministry], by=coordinator)
    return previous, cycle


def test_equal_carries_level_and_evidence_awaiting_confirmation(carried_cycle, ministry, coordinator):
    previous, cycle = carried_cycle
    answer = carried(cycle, ministry)["C01.1"]

    assert (answer.carry, answer.carry_relation, answer.carried_period) == (Carry.PREFILLED, "equal", "2024")
    assert (answer.choice, answer.evidence, answer.version) == ("3", "Decree 12/2019 founds the council.", 1)
    assert answer.carried_from == Answer.objects.get(submission__cycle=previous, indicator__code="C01.1")
    assert answer.awaits_confirmation and not answer.counts
    revision = answer.revisions.get()
    assert (revision.source, revision.choice, revision.changed_by) == (AnswerRevision.Source.CARRIED, "3", coordinator)


@pytest.mark.parametrize(
    ("code", "relation", "choice", "evidence"),
    [
        ("C01.2", "subset", "2", "Budget line 14."),
        ("C01.4", "superset", "1", "Draft protocol."),
        ("C03.2", "split", "dk", ""),
        ("C03.3", "split", "dk", ""),
        # Merged: the lowest level of the merged indicators, with the evidence of each.
        ("C02.3", "merged", "1", "C02.1: Hotline since 2018.\n\nC02.2: Pilot in one region."),
    ],
)
def test_a_changed_indicator_gets_the_last_answer_as_a_suggestion_only(
    carried_cycle, ministry, code, relation, choice, evidence
):
    _previous, cycle = carried_cycle
    answer = carried(cycle, ministry)[code]

    assert (answer.carry, answer.carry_relation) == (Carry.SUGGESTED, relation)
    assert (answer.carried_choice, answer.carried_evidence) == (choice, evidence)
    assert (answer.choice, answer.evidence, answer.version) == ("", "", 0)
    assert not answer.revisions.exists()


def test_new_and_removed_indicators_carry_nothing(carried_cycle, ministry):
    previous, cycle = carried_cycle
    answers = carried(cycle, ministry)
    removed = Answer.objects.get(submission__cycle=previous, indicator__code="C01.5")

    assert (answers["C05.1"].carry, answers["C05.1"].choice, answers["C05.1"].carried_choice) == ("", "", "")
    assert not Answer.objects.filter(carried_from=removed).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ANSWERS_CARRIED, cycle=cycle).get().detail == (
        "from Assessment 2024 (CARRY-1): 1 pre-filled, 5 suggested"
    )


def test_the_same_version_carries_every_answer_as_equal(versions, country_a, ministry, coordinator):
    old, _new = versions
    answered_cycle(country=country_a, version=old, organisation=ministry, by=coordinator, answers=OLD_ANSWERS)

    cycle = make_cycle(country=country_a, framework_version=old, organisations=[ministry], by=coordinator)

    answers = carried(cycle, ministry)
    assert {code: (a.carry, a.choice) for code, a in answers.items()} == {
        code: (Carry.PREFILLED, choice) for code, (choice, _evidence) in OLD_ANSWERS.items()
    }


def test_nothing_is_carried_without_a_crosswalk_between_the_versions(country_a, ministry, coordinator, versions):
    old, _new = versions
    other = make_framework("CARRY-3", {1: ["C01.1"]})
    answered_cycle(country=country_a, version=old, organisation=ministry, by=coordinator, answers=OLD_ANSWERS)

    cycle = make_cycle(country=country_a, framework_version=other, organisations=[ministry], by=coordinator)

    assert [a.carry for a in carried(cycle, ministry).values()] == [""]


def test_a_questionnaire_the_last_report_did_not_count_is_not_carried(versions, country_a, ministry, coordinator):
    old, new = versions
    answered_cycle(
        country=country_a,
        version=old,
        organisation=ministry,
        by=coordinator,
        answers=OLD_ANSWERS,
        status=Submission.Status.DRAFT,
    )

    cycle = make_cycle(country=country_a, framework_version=new, organisations=[ministry], by=coordinator)

    assert {a.carry for a in carried(cycle, ministry).values()} == {""}


def test_an_answer_never_confirmed_last_time_is_not_carried_again(versions, country_a, ministry, coordinator):
    old, _new = versions
    first = answered_cycle(country=country_a, version=old, organisation=ministry, by=coordinator, answers=OLD_ANSWERS)
    Cycle.objects.filter(pk=first.pk).update(opens_on=LAST_YEAR - timedelta(days=400))
    second = make_cycle(
        country=country_a, framework_version=old, organisations=[ministry], by=coordinator, opens_on=LAST_YEAR
    )
    Submission.objects.filter(cycle=second).update(status=Submission.Status.ACCEPTED)
    services.cycle_close(cycle=second, by=coordinator)

    third = make_cycle(country=country_a, framework_version=old, organisations=[ministry], by=coordinator)

    assert {a.carry for a in carried(third, ministry).values()} == {""}


def test_an_organisation_joining_an_open_cycle_gets_its_answers_carried(versions, country_a, ministry, coordinator):
    old, new = versions
    answered_cycle(country=country_a, version=old, organisation=ministry, by=coordinator, answers=OLD_ANSWERS)
    other = OrganisationFactory(country=country_a, name="Police", sector=SectorFactory(code="law_enforcement"))
    cycle = make_cycle(country=country_a, framework_version=new, organisations=[other], by=coordinator)

    services.cycle_add_organisation(cycle=cycle, organisation=ministry, by=coordinator)

    assert carried(cycle, ministry)["C01.1"].carry == Carry.PREFILLED


def test_a_previous_cycle_is_found_across_versions(carried_cycle):
    previous, cycle = carried_cycle
    assert carry.previous_cycle(cycle) == previous


# Confirming ---------------------------------------------------------------------------------------------


@pytest.fixture
def ministry_focal_point(ministry):
    from tests.factories import FocalPointRoleFactory, UserFactory

    user = UserFactory(username="mina", first_name="Mina", last_name="Haddad")
    FocalPointRoleFactory(user=user, organisation=ministry)
    return user


def test_confirming_records_who_and_when_in_the_history_and_the_audit_trail(
    carried_cycle, ministry, ministry_focal_point
):
    _previous, cycle = carried_cycle
    answer = carried(cycle, ministry)["C01.1"]

    carry.answer_confirm(answer=answer, by=ministry_focal_point)
    carry.answer_confirm(answer=answer, by=ministry_focal_point)  # a second click changes nothing

    answer.refresh_from_db()
    assert (answer.carry, answer.choice, answer.version, answer.confirmed_by) == (
        Carry.CONFIRMED,
        "3",
        2,
        ministry_focal_point,
    )
    assert answer.counts
    revision = answer.revisions.get(version=2)
    assert (revision.source, revision.changed_by, revision.choice) == (
        AnswerRevision.Source.CONFIRMED,
        ministry_focal_point,
        "3",
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.ANSWER_CONFIRMED)
    assert (event.user, event.detail) == (ministry_focal_point, "C01.1: 3 (confirmed, equal, from 2024)")


def test_taking_a_suggestion_sets_it_as_the_answer(carried_cycle, ministry, ministry_focal_point):
    _previous, cycle = carried_cycle
    answer = carried(cycle, ministry)["C01.2"]

    carry.answer_confirm(answer=answer, by=ministry_focal_point)

    answer.refresh_from_db()
    assert (answer.carry, answer.choice, answer.evidence, answer.version) == (
        Carry.CONFIRMED,
        "2",
        "Budget line 14.",
        1,
    )
    assert answer.revisions.get().source == AnswerRevision.Source.CONFIRMED


def test_changing_a_carried_answer_confirms_it(carried_cycle, ministry, ministry_focal_point):
    _previous, cycle = carried_cycle
    answer = carried(cycle, ministry)["C01.1"]

    services.answer_save(
        answer=answer, choice="2", evidence="Council met twice.", comment="", base_version=1, by=ministry_focal_point
    )

    answer.refresh_from_db()
    assert (answer.carry, answer.choice, answer.confirmed_by, answer.version) == (
        Carry.CONFIRMED,
        "2",
        ministry_focal_point,
        2,
    )


def test_confirming_is_refused_once_the_questionnaire_is_submitted_or_the_cycle_closed(
    carried_cycle, ministry, ministry_focal_point, coordinator
):
    _previous, cycle = carried_cycle
    answer = carried(cycle, ministry)["C01.1"]
    services.submission_submit(submission=answer.submission, by=ministry_focal_point, confirm_unanswered=True)

    with pytest.raises(PermissionDenied, match="submitted"):
        carry.answer_confirm(answer=answer, by=ministry_focal_point)

    services.cycle_close(cycle=cycle, by=coordinator)
    with pytest.raises(PermissionDenied, match="closed"):
        carry.answer_confirm(answer=answer, by=ministry_focal_point)
    answer.refresh_from_db()
    assert answer.carry == Carry.PREFILLED


def test_an_answer_not_carried_has_nothing_to_confirm(carried_cycle, ministry, ministry_focal_point):
    _previous, cycle = carried_cycle
    with pytest.raises(ValidationError, match="nothing to confirm"):
        carry.answer_confirm(answer=carried(cycle, ministry)["C05.1"], by=ministry_focal_point)


def test_submitting_with_unconfirmed_answers_needs_the_confirmation_and_keeps_them_out(
    client, carried_cycle, ministry, ministry_focal_point
):
    _previous, cycle = carried_cycle
    submission = cycle.submissions.get(organisation=ministry)
    client.force_login(ministry_focal_point)

    page = client.get(reverse("assessments:questionnaire", args=[submission.pk]))
    assert 'id="unconfirmed"' in page.content.decode()
    # Every other indicator answered: only the carried C01.1 stands in the way.
    Answer.objects.filter(submission=submission).exclude(carry=Carry.PREFILLED).update(choice="1", carry="")
    with pytest.raises(ValidationError, match="not confirmed"):
        services.submission_submit(submission=submission, by=ministry_focal_point)

    services.submission_submit(submission=submission, by=ministry_focal_point, confirm_unanswered=True)

    assert Answer.objects.get(submission=submission, indicator__code="C01.1").carry == Carry.PREFILLED
    event = AuditEvent.objects.get(action=AuditEvent.Action.SUBMISSION_SUBMITTED)
    assert event.detail == "1 carried, not confirmed"


# Pages ----------------------------------------------------------------------------------------------------


def test_the_capability_page_shows_the_carried_answer_with_its_old_evidence(
    client, carried_cycle, ministry, ministry_focal_point
):
    _previous, cycle = carried_cycle
    submission = cycle.submissions.get(organisation=ministry)
    client.force_login(ministry_focal_point)

    page = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 1])).content.decode()

    assert "From 2024: Level 3 — confirm or change" in page
    assert "Decree 12/2019 founds the council." in page
    assert "Suggestion from 2024: Level 2" in page
    assert "Confirm all on this page" in page


def test_confirm_with_htmx_answers_the_note_the_state_and_the_navigation(
    client, carried_cycle, ministry, ministry_focal_point
):
    _previous, cycle = carried_cycle
    answer = carried(cycle, ministry)["C01.1"]
    client.force_login(ministry_focal_point)

    response = client.post(
        reverse("assessments:answer_confirm", args=[answer.submission_id, answer.pk]), HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="carry-{answer.pk}"' in body and "confirmed by <bdi>Mina Haddad</bdi>" in body
    assert f'id="version-{answer.pk}" name="a{answer.pk}-version" value="2" hx-swap-oob="true"' in body
    assert 'id="questionnaire-nav"' in body


def test_confirm_without_script_goes_back_to_the_answer(client, carried_cycle, ministry, ministry_focal_point):
    _previous, cycle = carried_cycle
    answer = carried(cycle, ministry)["C01.1"]
    client.force_login(ministry_focal_point)

    response = client.post(reverse("assessments:answer_confirm", args=[answer.submission_id, answer.pk]))

    assert response.status_code == 302 and response.url.endswith("/capabilities/1/#ind-C01.1")
    answer.refresh_from_db()
    assert answer.carry == Carry.CONFIRMED


def test_confirm_all_on_a_page_records_each_answer(
    client, versions, country_a, ministry, coordinator, ministry_focal_point
):
    old, _new = versions
    answered_cycle(country=country_a, version=old, organisation=ministry, by=coordinator, answers=OLD_ANSWERS)
    cycle = make_cycle(country=country_a, framework_version=old, organisations=[ministry], by=coordinator)
    submission = cycle.submissions.get(organisation=ministry)
    client.force_login(ministry_focal_point)

    response = client.post(reverse("assessments:answers_confirm_all", args=[submission.pk, 1]))

    assert response.status_code == 302
    page_one = Answer.objects.filter(submission=submission, indicator__capability__number=1)
    assert {a.carry for a in page_one} == {Carry.CONFIRMED}
    assert set(
        Answer.objects.filter(submission=submission)
        .exclude(indicator__capability__number=1)
        .values_list("carry", flat=True)
    ) == {Carry.PREFILLED}
    for answer in page_one:
        assert (
            answer.revisions.filter(source=AnswerRevision.Source.CONFIRMED, changed_by=ministry_focal_point).count()
            == 1
        )
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANSWER_CONFIRMED, submission=submission)
    assert sorted(e.detail.split(":")[0] for e in events) == ["C01.1", "C01.2", "C01.3", "C01.5"]
