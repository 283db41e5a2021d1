import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Cycle
from reports.consolidation import ALL_SECTIONS, frozen_report_data, public_view
from reports.docx import render_report_docx
from reports.models import ReportJob
from reports.pdf import render_report_pdf


class Command(BaseCommand):
    help = (
        "Render a cycle's gap report to a PDF or Word file: from current data, or from a report job's frozen data; "
        "--public SECTIONS renders the public summary of those sections."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="File to write (.pdf or .docx).")
        parser.add_argument("--format", choices=["pdf", "docx"], help="Default: from the output's extension.")
        parser.add_argument(
            "--public",
            help=f"Render the public summary with these comma-separated sections: {','.join(ALL_SECTIONS)}.",
        )
        parser.add_argument("--job", type=int, help="Re-render this report job's frozen data (same document).")
        parser.add_argument("--language", help="Report language (default: the cycle's report language).")

    def handle(self, *args, cycle_id, output, job=None, language=None, public=None, **options):
        from django.conf import settings

        fmt = options.get("format") or ("docx" if output.lower().endswith(".docx") else "pdf")
        sections = [code.strip() for code in public.split(",") if code.strip()] if public is not None else None
        if sections is not None and (not sections or set(sections) - set(ALL_SECTIONS)):
            raise CommandError(f"--public takes one or more of {', '.join(ALL_SECTIONS)}.")

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
        if sections is not None and data["meta"].get("audience") != "public":
            data = public_view(data, sections)
        started = time.perf_counter()
        if fmt == "docx":
            document, pages = render_report_docx(data), None
        else:
            document, pages = render_report_pdf(data)
        try:
            Path(output).write_bytes(document)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        size = f"{pages} pages, " if pages else ""
        self.stdout.write(
            f"Wrote {output}: {size}{len(document) // 1024} KiB, rendered in {time.perf_counter() - started:.1f} s."
        )
