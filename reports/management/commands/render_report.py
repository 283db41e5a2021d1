import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Cycle
from reports.consolidation import frozen_report_data
from reports.models import ReportJob
from reports.pdf import render_report_pdf


class Command(BaseCommand):
    help = "Render a cycle's gap report to a PDF file: from current data, or from a report job's frozen data."

    def add_arguments(self, parser):
        parser.add_argument("cycle_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="PDF file to write.")
        parser.add_argument("--job", type=int, help="Re-render this report job's frozen data (same document).")
        parser.add_argument("--language", help="Report language (default: the cycle's report language).")

    def handle(self, *args, cycle_id, output, job=None, language=None, **options):
        from django.conf import settings

        if language and language not in dict(settings.LANGUAGES):
            raise CommandError(f"Unknown language {language!r}; use one of {', '.join(dict(settings.LANGUAGES))}.")
        cycle = Cycle.objects.select_related("country", "framework_version").filter(pk=cycle_id).first()
        if cycle is None:
            raise CommandError(f"No cycle with id {cycle_id}.")
        if job is not None:
            frozen = ReportJob.objects.filter(pk=job, cycle=cycle).values_list("data", flat=True).first()
            if frozen is None:
                raise CommandError(f"No report job {job} for cycle {cycle_id}.")
            data = frozen
        else:
            data = frozen_report_data(cycle, language=language)
        started = time.perf_counter()
        pdf, pages = render_report_pdf(data)
        try:
            Path(output).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        self.stdout.write(
            f"Wrote {output}: {pages} pages, {len(pdf) // 1024} KiB, rendered in {time.perf_counter() - started:.1f} s."
        )
