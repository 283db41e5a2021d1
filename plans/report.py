"""The plan's section of the gap report: priorities → actions → cost, and what the previous plan achieved.

Called by reports through ``PlansConfig.report_sections`` when a report job freezes its data (reports
never imports plans). Everything returned is JSON-ready: amounts are Decimal strings, dates ISO strings.
"""

from .models import Action, Plan
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
