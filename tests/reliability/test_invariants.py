"""The database itself refuses what the forms and services would never write.

Each write below bypasses forms and services (``bulk_create``, ``update``, ``bulk_update``), as a
script, a migration or a future bug might. The constraint in ``Meta`` must refuse it with an
``IntegrityError`` and leave nothing behind. Runs on SQLite and PostgreSQL alike.
"""

from datetime import timedelta

import pytest
from django.db import DataError, IntegrityError, transaction
from django.db.models import F

from assessments.models import Answer, Country, Cycle, CycleTarget, Role, RoleAssignment
from reports.models import EnablerScore, ReportJob, ValidatedLevel

pytestmark = pytest.mark.django_db


def refused(write, errors=IntegrityError):
    with pytest.raises(errors):
        with transaction.atomic():
            write()


def test_an_answer_outside_the_scale_is_refused(answer):
    refused(lambda: Answer.objects.filter(pk=answer.pk).update(choice="7"))
    answer.choice = "7"
    refused(lambda: Answer.objects.bulk_update([answer], ["choice"]))

    assert Answer.objects.get(pk=answer.pk).choice == ""


def test_a_second_answer_to_one_indicator_is_refused(answer):
    before = Answer.objects.count()

    refused(lambda: Answer.objects.bulk_create([Answer(submission=answer.submission, indicator=answer.indicator)]))

    assert Answer.objects.count() == before


def test_a_target_beyond_the_scale_is_refused(cycle):
    levels = list(cycle.targets.order_by("pk").values_list("target_level", flat=True))

    refused(lambda: cycle.targets.update(target_level=9))
    first = cycle.targets.order_by("pk").first()
    refused(lambda: CycleTarget.objects.bulk_create([CycleTarget(cycle=cycle, capability_id=first.capability_id)]))

    assert list(cycle.targets.order_by("pk").values_list("target_level", flat=True)) == levels


@pytest.mark.parametrize(("level", "rationale"), [(2, ""), (5, "Courts confirmed it.")])
def test_a_validated_level_without_rationale_or_beyond_the_scale_is_refused(cycle, coordinator, level, rationale):
    capability = cycle.targets.first().capability

    refused(
        lambda: ValidatedLevel.objects.bulk_create(
            [ValidatedLevel(cycle=cycle, capability=capability, level=level, rationale=rationale, set_by=coordinator)]
        )
    )

    assert not ValidatedLevel.objects.exists()


def test_an_enabler_score_beyond_the_scale_is_refused(cycle, coordinator):
    enabler = cycle.framework_version.enablers.first()
    assert enabler is not None

    refused(lambda: EnablerScore.objects.bulk_create([EnablerScore(cycle=cycle, enabler=enabler, level=5)]))

    assert not EnablerScore.objects.exists()


def test_a_second_active_report_job_for_a_cycle_is_refused(cycle, coordinator):
    ReportJob.objects.create(cycle=cycle, requested_by=coordinator, data={}, status=ReportJob.Status.QUEUED)

    refused(
        lambda: ReportJob.objects.bulk_create(
            [ReportJob(cycle=cycle, requested_by=coordinator, data={}, status=ReportJob.Status.RUNNING)]
        )
    )

    assert list(ReportJob.objects.values_list("status", flat=True)) == [ReportJob.Status.QUEUED]
    # Finished jobs are history: any number of them may sit beside the active one.
    ReportJob.objects.create(cycle=cycle, data={}, status=ReportJob.Status.FAILED)
    ReportJob.objects.create(cycle=cycle, data={}, status=ReportJob.Status.DONE, file="reports/x.pdf")
    assert ReportJob.objects.count() == 3


def test_a_finished_report_job_without_a_file_is_refused(cycle):
    refused(lambda: ReportJob.objects.bulk_create([ReportJob(cycle=cycle, data={}, status=ReportJob.Status.DONE)]))

    assert not ReportJob.objects.exists()


def test_a_role_outside_its_place_is_refused(coordinator, country_a, organisation):
    before = RoleAssignment.objects.count()

    refused(
        lambda: RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=coordinator, role=Role.FOCAL_POINT, country=country_a)]
        )
    )
    refused(
        lambda: RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=coordinator, role=Role.COORDINATOR, country=country_a, organisation=organisation)]
        )
    )
    refused(lambda: RoleAssignment.objects.filter(user=coordinator).update(role=Role.FOCAL_POINT))

    assert RoleAssignment.objects.count() == before
    assert RoleAssignment.objects.get(user=coordinator).role == Role.COORDINATOR


def test_a_cycle_that_closes_before_it_opens_is_refused(cycle):
    refused(lambda: Cycle.objects.filter(pk=cycle.pk).update(closes_on=F("opens_on") - timedelta(days=1)))

    saved = Cycle.objects.get(pk=cycle.pk)
    assert saved.closes_on == cycle.closes_on >= saved.opens_on


def test_a_cycle_status_outside_its_choices_is_refused(cycle):
    refused(lambda: Cycle.objects.filter(pk=cycle.pk).update(status="archived"))

    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN


def test_a_country_code_that_is_not_two_capitals_is_refused(db):
    refused(lambda: Country.objects.bulk_create([Country(code="ab", name="Lowercase")]))
    refused(lambda: Country.objects.bulk_create([Country(code="A1", name="Digit")]))
    # Three letters: PostgreSQL stops it at the column length (DataError), SQLite at the check.
    refused(lambda: Country.objects.bulk_create([Country(code="abc", name="Too long")]), (IntegrityError, DataError))

    assert not Country.objects.exists()
