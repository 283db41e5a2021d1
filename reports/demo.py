"""What ``seed_demo`` adds for the reports app (called through ``ReportsConfig.seed_demo``).

Three years of national data for Demoland: 2023 was validated in the closed 2024 cycle; the
organisations of the open 2026 cycle reported 2024 and 2025, and the coordinator validated them. Some
figures are "not collected" (data gaps), and the hotline's removals slowed while its capability's level
rose, so that the gap report has something to say about both. And a public Word summary of the open
cycle, ready on its report page.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model

from assessments.models import Cycle, MetricValue
from capabilities.models import Metric

from . import services
from .models import NationalFigure, ReportJob

NOT_COLLECTED = None
# code -> (2023, 2024, 2025); None is "not collected".
FIGURES = {
    "M01.1": ("2400000", "2650000", NOT_COLLECTED),
    "M04.1": ("310", "355", "402"),
    "M05.1": ("96", "104", "121"),
    "M05.2": ("61", "70", "78"),
    "M07.1": ("18", "27", "31"),
    "M08.1": ("142", "171", "188"),
    "M09.1": ("420", "610", "835"),
    "M11.1": ("1180", "1320", "1495"),
    "M12.1": ("5200", "6100", "6900"),
    "M13.1": (NOT_COLLECTED, "34.5", "41"),
    "M16.1": ("3900", "4600", "5100"),
    "M16.2": ("30", "34", "41"),
    "M17.1": ("8800", "9700", "11200"),
}
YEARS = (2023, 2024, 2025)


def _rows(cycle):
    return {m.code: m for m in Metric.objects.filter(version_id=cycle.framework_version_id).prefetch_related("sectors")}


def seed(*, country, coordinator):
    cycles = list(Cycle.objects.filter(country=country).exclude(status=Cycle.Status.DRAFT).order_by("opens_on"))
    if len(cycles) < 2:
        return
    earlier, current = cycles[0], cycles[-1]
    for code, metric in _rows(earlier).items():
        if code in FIGURES:
            _national(earlier, metric, 2023, FIGURES[code][0], coordinator)
    metrics = _rows(current)
    reporters = {}
    for submission in current.submissions.select_related("organisation"):
        for metric in metrics.values():
            if submission.organisation.sector_id in {s.pk for s in metric.sectors.all()}:
                reporters.setdefault(metric.code, []).append(submission)
    users = get_user_model().objects.filter(roles__organisation__in=[s.organisation for s in current.submissions.all()])
    reporter_of = {u.roles.first().organisation_id: u for u in users.prefetch_related("roles")}
    for code, metric in metrics.items():
        if code not in FIGURES:
            continue
        for index, year in ((1, 2024), (2, 2025)):
            value = FIGURES[code][index]
            for n, submission in enumerate(reporters.get(code, [])):
                # The first reporter gives the figure; another one of the same metric a slightly different count.
                reported = None if value is None else Decimal(value) * (1 if n == 0 else Decimal("0.9"))
                MetricValue.objects.update_or_create(
                    submission=submission,
                    metric=metric,
                    year=year,
                    defaults={
                        "value": None
                        if reported is None
                        else reported.quantize(Decimal("1") if metric.unit == "count" else Decimal("0.01")),
                        "not_collected": reported is None,
                        "source": "Annual statistics" if n == 0 else "Case management system",
                        "confidence": "" if n == 0 else "Excludes two regions.",
                        "updated_by": reporter_of.get(submission.organisation_id),
                    },
                )
            _national(current, metric, year, value, coordinator)


def _national(cycle, metric, year, value, by):
    NationalFigure.objects.update_or_create(
        cycle=cycle,
        metric=metric,
        year=year,
        defaults={
            "value": None if value is None else Decimal(value),
            "not_collected": value is None,
            "rationale": "Not collected nationally this year: a data gap to close."
            if value is None
            else "The lead agency's annual statistics, checked with the other reporters.",
            "set_by": by,
        },
    )


DEMO_PUBLIC_SECTIONS = ["profile", "priorities", "method"]


def seed_demo_reports(*, country, coordinator):
    """Render a public Word summary of the open cycle once, through the job machinery as the page does.

    Running seed_demo again finds it and adds nothing. The job is rendered here, in this process, so the
    demo needs no worker; the message published when the transaction commits then finds it done and is skipped.
    """
    cycle = (
        Cycle.objects.select_related("country", "framework_version")
        .filter(country=country, status=Cycle.Status.OPEN)
        .first()
    )
    if cycle is None or ReportJob.objects.filter(cycle=cycle, variant=ReportJob.Variant.PUBLIC).exists():
        return None
    job, created = services.report_job_request(
        cycle=cycle,
        by=coordinator,
        format=ReportJob.Format.DOCX,
        variant=ReportJob.Variant.PUBLIC,
        public_sections=DEMO_PUBLIC_SECTIONS,
    )
    if created:
        services.report_job_run(job_id=job.pk, task_id=job.task_id)
    return job
