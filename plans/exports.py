"""The plan's actions with their latest update as XLSX; text a spreadsheet would run as a formula is neutralised."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.exports import neutralise

from .queries import plan_actions


def plan_xlsx(plan):
    """One row per action, in plan order (the 6 queries of ``plan_actions``)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Actions")[:31]
    headers = [
        _("Domain"),
        _("Capability"),
        _("Action"),
        _("Description"),
        _("Expected result"),
        _("Lead organisation"),
        _("Supporting organisations"),
        _("Start"),
        _("Due"),
        _("Priority"),
        _("Status"),
        _("Reason"),
        _("Progress (%)"),
        _("Overdue"),
        _("Estimated cost (%(currency)s)") % {"currency": plan.currency},
        _("Funded (%(currency)s)") % {"currency": plan.currency},
        _("Funding gap (%(currency)s)") % {"currency": plan.currency},
        _("Funding sources"),
        _("Latest update"),
        _("Latest update by"),
        _("Latest update on"),
        _("Evidence"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for a in plan_actions(plan):
        latest = a.latest
        row = [
            f"{a.capability.domain.code}. {a.capability.domain.name}",
            f"{a.capability.number}. {a.capability.title}",
            a.title,
            a.description,
            a.expected_result,
            a.lead_organisation.name if a.lead_organisation else "",
            "; ".join(o.name for o in a.supporting_organisations.all()),
            a.starts_on,
            a.due_on,
            a.get_priority_display(),
            a.get_status_display(),
            a.status_reason,
            a.progress,
            _("yes") if a.overdue else "",
            a.estimated_cost,
            a.funded,
            a.gap,
            "; ".join(f"{f.get_source_display()}: {f.funder} {f.amount}" for f in a.fundings.all()),
            latest.note if latest else "",
            (latest.by.get_full_name() or latest.by.get_username()) if latest and latest.by else "",
            latest.at.strftime("%Y-%m-%d") if latest else "",
            latest.evidence if latest else "",
        ]
        sheet.append([neutralise(v) for v in row])
        for cell in sheet[sheet.max_row][14:17]:
            cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
