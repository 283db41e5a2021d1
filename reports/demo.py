"""The report jobs ``seed_demo`` shows on the demo cycle's report page (called through ``ReportsConfig.seed_demo``)."""

from assessments.models import Cycle

from . import services
from .models import ReportJob

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
