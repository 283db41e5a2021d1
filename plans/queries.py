"""Reading a plan: its actions shaped for the page, totals, suggestions, snapshots and changes since.

``plan_actions`` runs 6 queries whatever the number of actions (see tests/plans/test_queries.py).
"""

from collections import OrderedDict
from decimal import Decimal

from django.apps import apps
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from capabilities.models import Capability, Domain

from .models import ZERO, Action, Funding, Milestone, PlanRevision, ProgressUpdate, SuggestionDismissal
from .services import Money, priority_for_gap


def plan_actions(plan, *, pk=None):
    """The plan's actions with everything the page shows (6 queries: actions, other capabilities,
    supporting organisations, funding, milestones, updates). ``a.latest`` is the newest update or None."""
    queryset = Action.objects.filter(plan=plan)
    if pk is not None:
        queryset = queryset.filter(pk=pk)
    actions = list(
        queryset.select_related(
            "capability__domain", "lead_organisation", "updated_by", "suggested_from", "carried_from"
        )
        .prefetch_related(
            Prefetch("other_capabilities", queryset=Capability.objects.order_by("number")),
            "supporting_organisations",
            Prefetch("fundings", queryset=Funding.objects.order_by("pk")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
            Prefetch(
                "updates", queryset=ProgressUpdate.objects.select_related("by", "milestone").order_by("-at", "-pk")
            ),
        )
        .order_by("capability__number", "priority", "due_on", "pk")
    )
    today = timezone.localdate()
    for a in actions:
        a.funded = sum((f.amount for f in a.fundings.all()), ZERO)
        a.gap = a.estimated_cost - a.funded
        a.overdue = a.is_overdue(today)
        updates = list(a.updates.all())
        a.latest = updates[0] if updates else None
        a.spent = next((u.spent for u in updates if u.spent is not None), None)
    return actions


def counts_in_totals(action):
    """Dropped actions are no longer planned spending; they stay listed but leave the totals."""
    return action.status != Action.Status.DROPPED


def filter_actions(actions, *, status="", lead="", overdue=False, unfunded=False):
    shown = actions
    if status:
        shown = [a for a in shown if a.status == status]
    if lead:
        shown = [a for a in shown if str(a.lead_organisation_id) == lead]
    if overdue:
        shown = [a for a in shown if a.overdue]
    if unfunded:
        shown = [a for a in shown if a.gap > 0 and counts_in_totals(a)]
    return shown


def group_by_domain(actions, domains):
    """[(domain, Money, [(capability, [actions])])] in framework order; domains without actions are left out."""
    groups = OrderedDict((d.pk, {"domain": d, "money": Money(), "caps": OrderedDict()}) for d in domains)
    for a in actions:
        group = groups[a.capability.domain_id]
        group["caps"].setdefault(a.capability.number, (a.capability, []))[1].append(a)
        if counts_in_totals(a):
            group["money"].add(a.estimated_cost, a.funded)
    return [
        {"domain": g["domain"], "money": g["money"], "capabilities": list(g["caps"].values())}
        for g in groups.values()
        if g["caps"]
    ]


def plan_totals(actions):
    total = Money()
    for a in actions:
        if counts_in_totals(a):
            total.add(a.estimated_cost, a.funded)
    return total


def domain_money(actions, domains):
    """Cost and funded per domain, every domain of the framework (for the funding chart)."""
    money = OrderedDict((d.pk, (d, Money())) for d in domains)
    for a in actions:
        if counts_in_totals(a):
            money[a.capability.domain_id][1].add(a.estimated_cost, a.funded)
    return list(money.values())


def framework_domains(plan):
    return list(Domain.objects.filter(version_id=plan.cycle.framework_version_id).order_by("order", "code"))


def suggestions(plan, data, actions):
    """Draft actions for every priority capability, from the report's next steps (1 query for dismissals).

    An indicator already behind an action (accepted from a suggestion) or ignored by the coordinator is
    not offered again. Each suggestion is plain data; nothing is saved until a person accepts it.
    """
    dismissed = set(SuggestionDismissal.objects.filter(plan=plan).values_list("indicator__code", flat=True))
    taken = {a.suggested_from.code for a in actions if a.suggested_from_id}
    caps = {c["number"]: c for c in data["capabilities"]}
    rows = []
    for rank, p in enumerate(data["priorities"], start=1):
        cap = caps[p["capability"]]
        steps = [s for s in cap["next_steps"] if s["indicator"] not in dismissed | taken]
        if not steps:
            continue
        rows.append(
            {
                "rank": rank,
                "capability": cap,
                "gap": p["gap"],
                "priority": priority_for_gap(p["gap"]),
                "steps": [
                    {
                        **s,
                        "title": draft_title(s),
                        "description": draft_description(s),
                    }
                    for s in steps
                ],
            }
        )
    return rows


def with_capability_resources(rows):
    """Each suggestion row with ``resources``: what the apps above plans offer on its capability (the
    network's good-practice library: ``[{"title", "url"}]``), through their ``capability_resources`` hook,
    since plans imports none of them. One query per app that offers any, none without suggestions."""
    numbers = [row["capability"]["number"] for row in rows]
    for row in rows:
        row["resources"] = []
    if not numbers:
        return rows
    for config in apps.get_app_configs():
        provider = getattr(config, "capability_resources", None)
        if callable(provider):
            offered = provider(numbers=numbers)
            for row in rows:
                row["resources"].extend(offered.get(row["capability"]["number"], []))
    return rows


def draft_title(step):
    text = step["text"].strip().rstrip(".") or step["question"]
    return f"{step['indicator']}: {text}"[:200]


def draft_description(step):
    return f"{step['question']} — {step['indicator']}: {step['current']:g} → {step['level']}"


def _money(value):
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def plan_snapshot(plan):
    """The plan as plain data: what an endorsed revision freezes and what the PDF and changes are read from."""
    actions = plan_actions(plan)
    return {
        "currency": plan.currency,
        "actions": [
            {
                "id": a.pk,
                "capability": a.capability.number,
                "capability_title": a.capability.title,
                "domain": a.capability.domain.code,
                "title": a.title,
                "description": a.description,
                "expected_result": a.expected_result,
                "lead": a.lead_organisation.name if a.lead_organisation else "",
                "supporting": [o.name for o in a.supporting_organisations.all()],
                "starts_on": a.starts_on.isoformat() if a.starts_on else None,
                "due_on": a.due_on.isoformat() if a.due_on else None,
                "priority": a.priority,
                "status": a.status,
                "status_label": str(a.get_status_display()),
                "status_reason": a.status_reason,
                "progress": a.progress,
                "estimated_cost": _money(a.estimated_cost),
                "funded": _money(a.funded),
                "fundings": [
                    {"source": f.source, "funder": f.funder, "amount": _money(f.amount)} for f in a.fundings.all()
                ],
            }
            for a in actions
        ],
        "totals": {
            "cost": _money(plan_totals(actions).cost),
            "funded": _money(plan_totals(actions).funded),
        },
    }


COMPARED = {
    "title": _("title"),
    "capability": _("capability"),
    "lead": _("lead organisation"),
    "starts_on": _("start"),
    "due_on": _("due"),
    "priority": _("priority"),
    "status": _("status"),
    "estimated_cost": _("estimated cost"),
    "funded": _("funded"),
}


def changes_since(snapshot, current):
    """What changed between an endorsed snapshot and the plan now: added, removed and changed actions."""
    before = {a["id"]: a for a in snapshot["actions"]}
    after = {a["id"]: a for a in current["actions"]}
    added = [after[i] for i in after if i not in before]
    removed = [before[i] for i in before if i not in after]
    changed = []
    for i in after.keys() & before.keys():
        fields = [f for f in COMPARED if before[i].get(f) != after[i].get(f)]
        if fields:
            changed.append(
                {
                    "action": after[i],
                    "fields": [(f, before[i].get(f), after[i].get(f)) for f in fields],
                    "labels": [str(COMPARED[f]) for f in fields],
                }
            )
    changed.sort(key=lambda c: (c["action"]["capability"], c["action"]["id"]))
    return {"added": added, "removed": removed, "changed": changed, "any": bool(added or removed or changed)}


def latest_revision(plan):
    return PlanRevision.objects.filter(plan=plan).select_related("recorded_by").order_by("-number").first()


def actions_led_by(user):
    """The unfinished actions led by the organisations this user is a focal point of (1 query), due first."""
    actions = list(
        Action.objects.filter(lead_organisation__roles__user=user, lead_organisation__roles__role="focal_point")
        .exclude(status__in=Action.CLOSED_STATUSES)
        .select_related("plan__cycle__country", "lead_organisation", "capability")
        .distinct()
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    for a in actions:
        a.overdue = a.is_overdue(today)
    return actions


def timeline_rows(actions):
    """Plain rows for the timeline chart, dropped actions left out, in capability order."""
    return [
        {
            "capability": a.capability.number,
            "capability_title": a.capability.title,
            "title": a.title,
            "starts_on": a.starts_on,
            "due_on": a.due_on,
            "status": a.status,
            "overdue": a.overdue,
        }
        for a in actions
        if a.status != Action.Status.DROPPED
    ]


def carry_over_candidates(plan):
    """The previous plan and its unfinished actions not carried into this plan yet (2 queries)."""
    from .services import previous_plan

    previous = previous_plan(plan)
    if previous is None:
        return None, []
    candidates = list(
        Action.objects.filter(plan=previous)
        .exclude(status__in=Action.CLOSED_STATUSES)
        .exclude(carried_to__plan=plan)
        .select_related("capability", "lead_organisation")
        .order_by("capability__number", "pk")
    )
    return previous, candidates


def earlier_updates(action):
    """The progress history of the actions this one was carried from, newest first (one query per cycle back)."""
    history, current, seen = [], action.carried_from, set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        updates = list(current.updates.select_related("by").order_by("-at", "-pk"))
        history.append({"action": current, "cycle": current.plan.cycle, "updates": updates})
        current = current.carried_from
    return history


def did_it_work(previous_actions, data):
    """Per capability: the previous plan's actions (done or not, money spent) beside the change in level.

    ``flag`` marks "actions done and level unchanged": at least one action done, and a national level in
    both cycles that did not rise — an investment that did not work, or a level over-stated before.
    """
    caps = {c["number"]: c for c in data["capabilities"]}
    rows = OrderedDict()
    for a in sorted(previous_actions, key=lambda a: (a.capability.number, a.pk)):
        cap = caps.get(a.capability.number)
        row = rows.setdefault(
            a.capability.number,
            {
                "number": a.capability.number,
                "title": cap["title"] if cap else a.capability.title,
                "previous": cap["previous"] if cap else None,
                "level": cap["level"] if cap else None,
                "delta": cap["delta"] if cap else None,
                "done": 0,
                "not_done": 0,
                "spent": ZERO,
                "actions": [],
            },
        )
        row["actions"].append(a)
        if a.status == Action.Status.DONE:
            row["done"] += 1
        elif a.status != Action.Status.DROPPED:
            row["not_done"] += 1
        row["spent"] += a.spent if a.spent is not None else ZERO
    for row in rows.values():
        row["flag"] = row["done"] > 0 and row["delta"] is not None and row["delta"] <= 0
    return list(rows.values())
