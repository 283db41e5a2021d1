"""The plan's section of the gap report: priorities → actions → cost, and what the previous plan achieved.

Called by reports through ``PlansConfig.report_sections`` when a report job freezes its data (reports
never imports plans). Everything returned is JSON-ready: amounts are Decimal strings, dates ISO strings.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports import formatting

from .models import Action, Plan
from .money import amount, money
from .queries import did_it_work, plan_actions, plan_totals

TEMPLATE = "plans/report_section.html"


def _money(total):
    return {"cost": str(total.cost), "funded": str(total.funded), "gap": str(total.gap)}


def _action(a):
    return {
        "title": a.title,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "lead": a.lead_organisation.name if a.lead_organisation_id else "",
        "due_on": a.due_on.isoformat() if a.due_on else None,
        "cost": str(a.estimated_cost),
        "funded": str(a.funded),
    }


def plan_part(plan, data):
    """Each priority of the report with the plan's actions on it and their cost; then the rest and the totals."""
    actions = plan_actions(plan)
    titles = {c["number"]: c["title"] for c in data["capabilities"]}
    priorities, numbers = [], set()
    for rank, p in enumerate(data["priorities"], start=1):
        mine = [a for a in actions if a.capability.number == p["capability"]]
        numbers.add(p["capability"])
        priorities.append(
            {
                "rank": rank,
                "capability": p["capability"],
                "title": titles.get(p["capability"], ""),
                "level_gap": p["gap"],
                "actions": [_action(a) for a in mine],
                **_money(plan_totals(mine)),
            }
        )
    others = [a for a in actions if a.capability.number not in numbers]
    return {
        "currency": plan.currency,
        "revision": plan.revision,
        "priorities": priorities,
        "others": {"n": len(others), **_money(plan_totals(others))},
        "totals": {"n": len(actions), **_money(plan_totals(actions))},
    }


def did_it_work_part(previous, data):
    """Per capability, the previous cycle's actions (done or not, money spent) beside the change in level."""
    rows = did_it_work(plan_actions(previous), data)
    return {
        "cycle": previous.cycle.title,
        "currency": previous.currency,
        "rows": [
            {
                **{k: row[k] for k in ("number", "title", "previous", "level", "delta", "done", "not_done", "flag")},
                "spent": str(row["spent"]),
                "actions": [
                    {
                        "title": a.title,
                        "status_label": str(a.get_status_display()),
                        "done": a.status == Action.Status.DONE,
                    }
                    for a in row["actions"]
                ],
            }
            for row in rows
        ],
        "flagged": sum(1 for row in rows if row["flag"]),
    }


def report_sections(*, cycle, data):
    """[] when the cycle has no plan and the compared previous cycle had none (or no actions in it)."""
    plan = Plan.objects.filter(cycle=cycle).first()
    previous_cycle = data.get("previous_cycle") or {}
    previous = (
        Plan.objects.filter(cycle_id=previous_cycle["id"]).select_related("cycle").first()
        if previous_cycle.get("id")
        else None
    )
    section = {
        "plan": plan_part(plan, data) if plan is not None else None,
        "did_it_work": did_it_work_part(previous, data) if previous is not None else None,
    }
    if section["did_it_work"] is not None and not section["did_it_work"]["rows"]:
        section["did_it_work"] = None
    if section["plan"] is None and section["did_it_work"] is None:
        return []
    return [{"template": TEMPLATE, "data": section}]


def write_docx(document, section):
    """The section in the Word gap report: the chapters, sentences and tables of templates/plans/report_section.html.

    ``document`` is reports.docx's ``ReportDocument``: it writes in the report's language and direction.
    """
    plan = section.get("plan")
    if plan:
        document.heading(_("Priorities, actions and cost"))
        if plan["revision"]:
            document.paragraph(
                _(
                    "The national action plan (endorsed revision %(n)s and the changes since) for each priority of "
                    "this report, largest weighted gap first: its actions and what they cost."
                )
                % {"n": plan["revision"]}
            )
        else:
            document.paragraph(
                _(
                    "The national action plan (not endorsed yet) for each priority of this report, largest weighted "
                    "gap first: its actions and what they cost."
                )
            )
        currency = plan["currency"]
        rows = []
        for p in plan["priorities"]:
            actions = "\n".join(
                f"{a['title']} — {a['status_label']}" + (f" · {a['lead']}" if a["lead"] else "") for a in p["actions"]
            )
            rows.append(
                [
                    p["rank"],
                    f"{p['capability']}. {p['title']}",
                    formatting.gap(p["level_gap"]),
                    actions or _("no action planned"),
                    amount(p["cost"]),
                    amount(p["funded"]),
                ]
            )
        if plan["others"]["n"]:
            n = plan["others"]["n"]
            rows.append(
                [
                    "",
                    _("Actions on other capabilities"),
                    "",
                    ngettext("%(n)s action", "%(n)s actions", n) % {"n": n},
                    amount(plan["others"]["cost"]),
                    amount(plan["others"]["funded"]),
                ]
            )
        rows.append(["", _("Whole plan"), "", "", amount(plan["totals"]["cost"]), amount(plan["totals"]["funded"])])
        document.table(
            [
                _("Priority"),
                _("Capability"),
                _("Gap"),
                _("Actions"),
                _("Cost (%(currency)s)") % {"currency": currency},
                _("Funded (%(currency)s)") % {"currency": currency},
            ],
            rows,
        )
        document.paragraph(
            _("Estimated cost %(cost)s, funded %(funded)s: funding gap %(gap)s.")
            % {
                "cost": money(plan["totals"]["cost"], currency),
                "funded": money(plan["totals"]["funded"], currency),
                "gap": money(plan["totals"]["gap"], currency),
            }
            + " "
            + _("Dropped actions are listed but leave the totals.")
        )
    worked = section.get("did_it_work")
    if worked:
        document.heading(_("Actions since the last cycle and the change in level"))
        text = _(
            "Per capability, the actions of the plan of “%(cycle)s” (done or not, money spent) beside the change in "
            "national level since that cycle."
        ) % {"cycle": worked["cycle"]}
        if worked["flagged"]:
            text += " " + ngettext(
                "%(n)s capability has actions done and a level unchanged: the investment did not work, or the "
                "earlier level was over-stated.",
                "%(n)s capabilities have actions done and a level unchanged: the investment did not work, or the "
                "earlier level was over-stated.",
                worked["flagged"],
            ) % {"n": worked["flagged"]}
        document.paragraph(text)
        rows = []
        for row in worked["rows"]:
            label = f"{row['number']}. {row['title']}"
            if row["flag"]:
                label += f" ({_('Actions done, level unchanged')})"
            actions = _("%(done)s done, %(not_done)s not done") % {"done": row["done"], "not_done": row["not_done"]}
            actions += "".join(f"\n{a['title']} · {a['status_label']}" for a in row["actions"])
            rows.append(
                [
                    label,
                    actions,
                    amount(row["spent"]),
                    formatting.number(row["previous"]),
                    formatting.number(row["level"]),
                    formatting.signed(row["delta"]),
                ]
            )
        document.table(
            [
                _("Capability"),
                _("Actions"),
                _("Spent (%(currency)s)") % {"currency": worked["currency"]},
                _("Previous"),
                _("Now"),
                _("Change"),
            ],
            rows,
        )
