"""Writes to a national action plan. Every function locks the plan's row, checks who may write against
current rows, and refuses a plan that a later cycle's plan has replaced.

A plan is tracked until the next cycle: closing its cycle does not freeze it (the cycle's answers and
levels are final; what the country does about them goes on).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AuditEvent, Cycle, Organisation, Role, RoleAssignment
from assessments.services import audit

from .models import ZERO, Action, Funding, Milestone, Plan, PlanRevision, ProgressUpdate, SuggestionDismissal

# Priority drawn from the gap ranking: a gap of two levels or more is high, one level medium.
HIGH_GAP, MEDIUM_GAP = 2, 1
ACTION_FIELDS = (
    "title",
    "description",
    "expected_result",
    "capability",
    "lead_organisation",
    "starts_on",
    "due_on",
    "priority",
    "status",
    "status_reason",
    "estimated_cost",
)


class ActionConflict(Exception):
    """Someone saved the action after the version the edit started from; nothing was saved."""

    def __init__(self, current):
        super().__init__(f"action {current.pk} is at version {current.version}")
        self.current = current


def priority_for_gap(gap):
    if gap is not None and gap >= HIGH_GAP:
        return Action.Priority.HIGH
    if gap is not None and gap >= MEDIUM_GAP:
        return Action.Priority.MEDIUM
    return Action.Priority.LOW


def is_coordinator(user, country_id):
    """Read from the database, not the per-request cache: services check against current rows."""
    return (
        user.is_superuser
        or RoleAssignment.objects.filter(user=user, role=Role.COORDINATOR, country_id=country_id).exists()
    )


def is_lead_focal_point(user, action):
    return (
        action.lead_organisation_id is not None
        and RoleAssignment.objects.filter(
            user=user, role=Role.FOCAL_POINT, organisation_id=action.lead_organisation_id
        ).exists()
    )


def _require_coordinator(by, plan_or_cycle):
    country_id = plan_or_cycle.country_id if isinstance(plan_or_cycle, Cycle) else plan_or_cycle.cycle.country_id
    if not is_coordinator(by, country_id):
        raise PermissionDenied(_("Only the country's national coordinator can change the action plan."))


def plan_lock(plan_id) -> Plan:
    """The plan as it is now, locked until the transaction ends; refused once a later cycle's plan replaced it."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("cycle__country").get(pk=plan_id)
    later = (
        Plan.objects.filter(cycle__country_id=plan.cycle.country_id, cycle__opens_on__gt=plan.cycle.opens_on)
        .select_related("cycle")
        .first()
    )
    if later is not None:
        raise ValidationError(
            _("This plan is final: the plan of “%(cycle)s” continues it. Make changes there.")
            % {"cycle": later.cycle.title}
        )
    return plan


def _audit(*, by, plan, what, request=None, kind=AuditEvent.Action.PLAN_CHANGED):
    audit(
        user=by,
        action=kind,
        country=plan.cycle.country,
        cycle=plan.cycle,
        request=request,
        detail=what,
    )


def _check_organisations(plan, organisations):
    for org in organisations:
        if org is not None and org.country_id != plan.cycle.country_id:
            raise ValidationError(_("Choose organisations of %(country)s.") % {"country": plan.cycle.country.name})


def _check_capabilities(plan, capabilities):
    for cap in capabilities:
        if cap.version_id != plan.cycle.framework_version_id:
            raise ValidationError(_("Choose capabilities of the cycle's framework."))


def action_validate(values, *, funded=ZERO):
    """The rules of an action's own fields, with messages that say what to do."""
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Give the action a title.")
    cost = values.get("estimated_cost")
    if cost is None or cost < 0:
        errors["estimated_cost"] = _("Enter the estimated cost as an amount of zero or more.")
    elif cost < funded:
        errors["estimated_cost"] = _(
            "The action is already funded with %(funded)s; the estimated cost cannot be lower. Remove funding first."
        ) % {"funded": funded}
    starts, due = values.get("starts_on"), values.get("due_on")
    if starts and due and due < starts:
        errors["due_on"] = _("The due date must be on or after the start date.")
    if values.get("status") in Action.NEEDS_REASON and not (values.get("status_reason") or "").strip():
        errors["status_reason"] = _("Say why the action is blocked or dropped.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(*, cycle, currency, by, request=None) -> Plan:
    """Start the cycle's plan (one per cycle); the cycle must have been opened, so that there are gaps to act on."""
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("country").get(pk=cycle.pk)
    _require_coordinator(by, cycle)
    if cycle.status == Cycle.Status.DRAFT:
        raise ValidationError(_("Open the cycle first: the plan is drawn from its results."))
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise ValidationError({"currency": _("Enter the currency as its three-letter ISO 4217 code, e.g. EUR.")})
    existing = Plan.objects.filter(cycle=cycle).first()
    if existing is not None:
        return existing
    plan = Plan.objects.create(cycle=cycle, currency=currency, created_by=by)
    _audit(by=by, plan=plan, what=f"plan started ({currency})", request=request)
    return plan


def _funded(action_id):
    return sum((f.amount for f in Funding.objects.filter(action_id=action_id)), ZERO)


@transaction.atomic
def action_create(
    *,
    plan,
    by,
    other_capabilities=(),
    indicators=(),
    supporting_organisations=(),
    suggested_from=None,
    request=None,
    **values,
) -> Action:
    """Add an action to the plan (the coordinator's choice; suggestions are never added on their own)."""
    plan = plan_lock(plan.pk)
    _require_coordinator(by, plan)
    action_validate(values)
    _check_capabilities(plan, [values["capability"], *other_capabilities])
    _check_organisations(plan, [values.get("lead_organisation"), *supporting_organisations])
    fields = {k: values[k] for k in ACTION_FIELDS if k in values}
    fields["title"] = fields["title"].strip()
    action = Action.objects.create(
        plan=plan, suggested_from=suggested_from, version=1, updated_by=by, updated_at=timezone.now(), **fields
    )
    action.other_capabilities.set([c for c in other_capabilities if c.pk != action.capability_id])
    action.indicators.set(indicators)
    action.supporting_organisations.set(
        [o for o in supporting_organisations if o.pk != getattr(action.lead_organisation, "pk", None)]
    )
    _audit(by=by, plan=plan, what=f"action {action.pk} added: {action.title}", request=request)
    return action


@transaction.atomic
def action_update(
    *,
    action,
    base_version,
    by,
    other_capabilities=None,
    indicators=None,
    supporting_organisations=None,
    request=None,
    **values,
) -> Action:
    """Save the coordinator's edit if nobody changed the action since ``base_version``.

    1. Lock the plan; check the coordinator and the rules (cost not below what is funded).
    2. Conditional update on the version; 0 rows means someone saved first → ActionConflict.
    3. Replace the related sets that were given.
    """
    plan = plan_lock(action.plan_id)
    _require_coordinator(by, plan)
    current = Action.objects.select_related("updated_by").get(pk=action.pk, plan=plan)
    merged = {k: getattr(current, k) for k in ACTION_FIELDS} | values
    action_validate(merged, funded=_funded(current.pk))
    _check_capabilities(plan, [merged["capability"], *(other_capabilities or [])])
    _check_organisations(plan, [merged.get("lead_organisation"), *(supporting_organisations or [])])
    fields = {k: values[k] for k in ACTION_FIELDS if k in values}
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    if fields.get("status") is not None and fields["status"] not in Action.NEEDS_REASON:
        fields.setdefault("status_reason", "")
    if fields.get("status") == Action.Status.DONE:
        fields["progress"] = 100
    updated = Action.objects.filter(pk=current.pk, version=base_version).update(
        version=F("version") + 1, updated_by=by, updated_at=timezone.now(), **fields
    )
    if not updated:
        raise ActionConflict(current)
    current.refresh_from_db()
    if other_capabilities is not None:
        current.other_capabilities.set([c for c in other_capabilities if c.pk != current.capability_id])
    if indicators is not None:
        current.indicators.set(indicators)
    if supporting_organisations is not None:
        current.supporting_organisations.set(
            [o for o in supporting_organisations if o.pk != current.lead_organisation_id]
        )
    _audit(by=by, plan=plan, what=f"action {current.pk} changed (v{current.version})", request=request)
    return current


@transaction.atomic
def action_delete(*, action, by, request=None) -> None:
    """Remove an action added by mistake; an action with progress updates is dropped with a reason instead."""
    plan = plan_lock(action.plan_id)
    _require_coordinator(by, plan)
    if ProgressUpdate.objects.filter(action_id=action.pk).exists():
        raise ValidationError(_("This action has progress updates: set its status to dropped, with the reason."))
    Action.objects.filter(pk=action.pk, plan=plan).delete()
    _audit(by=by, plan=plan, what=f"action {action.pk} removed: {action.title}", request=request)


@transaction.atomic
def funding_add(*, action, source, funder, amount, by, request=None) -> Funding:
    plan = plan_lock(action.plan_id)
    _require_coordinator(by, plan)
    action = Action.objects.get(pk=action.pk, plan=plan)
    funder = (funder or "").strip()
    errors = {}
    if source not in Funding.Source.values:
        errors["source"] = _("Choose a funding source.")
    if not funder:
        errors["funder"] = _("Say who funds it.")
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter an amount greater than zero.")
    elif _funded(action.pk) + amount > action.estimated_cost:
        errors["amount"] = _(
            "Funding would exceed the estimated cost (%(cost)s %(currency)s); at most %(left)s can be added."
        ) % {
            "cost": action.estimated_cost,
            "currency": plan.currency,
            "left": action.estimated_cost - _funded(action.pk),
        }
    if errors:
        raise ValidationError(errors)
    funding = Funding.objects.create(action=action, source=source, funder=funder, amount=amount)
    Action.objects.filter(pk=action.pk).update(version=F("version") + 1, updated_by=by, updated_at=timezone.now())
    _audit(by=by, plan=plan, what=f"action {action.pk}: funding {amount} from {funder}", request=request)
    return funding


@transaction.atomic
def funding_delete(*, funding, by, request=None) -> None:
    plan = plan_lock(funding.action.plan_id)
    _require_coordinator(by, plan)
    Funding.objects.filter(pk=funding.pk, action__plan=plan).delete()
    Action.objects.filter(pk=funding.action_id).update(
        version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    _audit(by=by, plan=plan, what=f"action {funding.action_id}: funding removed ({funding.funder})", request=request)


@transaction.atomic
def milestone_add(*, action, title, due_on, by, request=None) -> Milestone:
    plan = plan_lock(action.plan_id)
    _require_coordinator(by, plan)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Name the milestone.")
    if due_on is None:
        errors["due_on"] = _("Give the milestone a date.")
    if errors:
        raise ValidationError(errors)
    milestone = Milestone.objects.create(action_id=action.pk, title=title, due_on=due_on)
    _audit(by=by, plan=plan, what=f"action {action.pk}: milestone {title}", request=request)
    return milestone


@transaction.atomic
def progress_post(
    *, action, by, status, progress, note, evidence="", milestone=None, spent=None, request=None
) -> ProgressUpdate:
    """A progress update by a focal point of the lead organisation (or the coordinator on their behalf).

    The update sets the action's status and progress, so its version rises: an edit begun before it is stale.
    """
    plan = plan_lock(action.plan_id)
    action = Action.objects.get(pk=action.pk, plan=plan)
    if not (is_lead_focal_point(by, action) or is_coordinator(by, plan.cycle.country_id)):
        raise PermissionDenied(_("Only the focal points of the lead organisation can report progress on this action."))
    note, evidence = (note or "").strip(), (evidence or "").strip()
    errors = {}
    if status not in Action.Status.values:
        errors["status"] = _("Choose a status.")
    if progress is None or not 0 <= progress <= 100:
        errors["progress"] = _("Enter the progress as a percentage from 0 to 100.")
    if not note:
        errors["note"] = _("Write what happened since the last update.")
    if spent is not None and spent < 0:
        errors["spent"] = _("Enter the amount spent as zero or more.")
    if milestone is not None and milestone.action_id != action.pk:
        errors["milestone"] = _("Choose a milestone of this action.")
    if errors:
        raise ValidationError(errors)
    if status == Action.Status.DONE:
        progress = 100
    now = timezone.now()
    update = ProgressUpdate.objects.create(
        action=action,
        status=status,
        progress=progress,
        milestone=milestone,
        note=note,
        evidence=evidence,
        spent=spent,
        by=by,
        at=now,
    )
    fields = {"status": status, "progress": progress}
    if status in Action.NEEDS_REASON:
        fields["status_reason"] = note
    elif status != action.status:
        fields["status_reason"] = ""
    Action.objects.filter(pk=action.pk).update(version=F("version") + 1, updated_by=by, updated_at=now, **fields)
    if milestone is not None and milestone.reached_on is None:
        Milestone.objects.filter(pk=milestone.pk).update(reached_on=timezone.localdate())
    _audit(
        by=by,
        plan=plan,
        what=f"action {action.pk}: update {status} {progress}%",
        request=request,
        kind=AuditEvent.Action.PLAN_PROGRESS,
    )
    return update


@transaction.atomic
def suggestion_dismiss(*, plan, indicator, by, request=None) -> SuggestionDismissal:
    plan = plan_lock(plan.pk)
    _require_coordinator(by, plan)
    if indicator.version_id != plan.cycle.framework_version_id:
        raise ValidationError(_("Choose capabilities of the cycle's framework."))
    dismissal, _created = SuggestionDismissal.objects.get_or_create(plan=plan, indicator=indicator, defaults={"by": by})
    _audit(by=by, plan=plan, what=f"suggestion {indicator.code} ignored", request=request)
    return dismissal


@transaction.atomic
def suggestion_restore(*, plan, by, request=None) -> int:
    plan = plan_lock(plan.pk)
    _require_coordinator(by, plan)
    deleted, _rows = SuggestionDismissal.objects.filter(plan=plan).delete()
    if deleted:
        _audit(by=by, plan=plan, what="ignored suggestions shown again", request=request)
    return deleted


@transaction.atomic
def plan_endorse(*, plan, endorsed_on, endorsed_by, note, by, request=None) -> PlanRevision:
    """Freeze the plan as it is now as an endorsed revision; later changes are measured against it."""
    from .queries import plan_snapshot

    plan = plan_lock(plan.pk)
    _require_coordinator(by, plan)
    endorsed_by = (endorsed_by or "").strip()
    errors = {}
    if endorsed_on is None:
        errors["endorsed_on"] = _("Give the date of the endorsement.")
    elif endorsed_on > timezone.localdate():
        errors["endorsed_on"] = _("The endorsement date cannot be in the future.")
    if not endorsed_by:
        errors["endorsed_by"] = _("Say who endorsed the plan, for example the national committee.")
    if errors:
        raise ValidationError(errors)
    if not Action.objects.filter(plan=plan).exists():
        raise ValidationError(_("Add actions before endorsing the plan."))
    number = plan.revision + 1
    revision = PlanRevision.objects.create(
        plan=plan,
        number=number,
        endorsed_on=endorsed_on,
        endorsed_by=endorsed_by,
        note=(note or "").strip(),
        snapshot=plan_snapshot(plan),
        recorded_by=by,
    )
    Plan.objects.filter(pk=plan.pk).update(revision=number)
    _audit(
        by=by,
        plan=plan,
        what=f"revision {number} endorsed by {endorsed_by} on {endorsed_on}",
        request=request,
        kind=AuditEvent.Action.PLAN_ENDORSED,
    )
    return revision


@dataclass
class Money:
    cost: Decimal = ZERO
    funded: Decimal = ZERO

    @property
    def gap(self):
        return self.cost - self.funded

    def add(self, cost, funded):
        self.cost += cost
        self.funded += funded


def organisations_of(plan):
    return Organisation.objects.filter(country_id=plan.cycle.country_id).order_by("name")


def previous_plan(plan):
    """The plan of the country's cycle before this one, if it had one."""
    return (
        Plan.objects.filter(cycle__country_id=plan.cycle.country_id, cycle__opens_on__lt=plan.cycle.opens_on)
        .exclude(pk=plan.pk)
        .select_related("cycle")
        .order_by("-cycle__opens_on")
        .first()
    )


@transaction.atomic
def actions_carry_over(*, plan, action_ids, by, request=None) -> list[Action]:
    """Copy the chosen unfinished actions of the previous plan into this one; each copy points to its original,
    so its progress history stays readable. Capabilities are matched by number in this cycle's framework.

    1. Lock this plan; only its coordinator chooses; only unfinished actions of the previous plan, once each.
    2. Copy the action, its funding and its milestones not reached yet.
    """
    plan = plan_lock(plan.pk)
    _require_coordinator(by, plan)
    previous = previous_plan(plan)
    if previous is None:
        raise ValidationError(_("There is no earlier plan to carry actions over from."))
    chosen = list(
        Action.objects.filter(plan=previous, pk__in=action_ids)
        .exclude(status__in=Action.CLOSED_STATUSES)
        .exclude(carried_to__plan=plan)
        .select_related("capability")
        .prefetch_related("fundings", "milestones", "supporting_organisations", "other_capabilities", "indicators")
    )
    if not chosen:
        raise ValidationError(_("Choose at least one unfinished action that has not been carried over yet."))
    capabilities = {c.number: c for c in plan.cycle.framework_version.capabilities.all()}
    indicators = {i.code: i for i in plan.cycle.framework_version.indicators.all()}
    carried = []
    now = timezone.now()
    for old in chosen:
        capability = capabilities.get(old.capability.number)
        if capability is None:
            raise ValidationError(
                _("“%(title)s” serves capability %(number)s, which this cycle's framework does not have.")
                % {"title": old.title, "number": old.capability.number}
            )
        new = Action.objects.create(
            plan=plan,
            capability=capability,
            title=old.title,
            description=old.description,
            expected_result=old.expected_result,
            lead_organisation=old.lead_organisation,
            starts_on=old.starts_on,
            due_on=old.due_on,
            priority=old.priority,
            status=old.status,
            status_reason=old.status_reason,
            progress=old.progress,
            estimated_cost=old.estimated_cost,
            carried_from=old,
            version=1,
            updated_by=by,
            updated_at=now,
        )
        new.supporting_organisations.set(old.supporting_organisations.all())
        new.other_capabilities.set(
            [capabilities[c.number] for c in old.other_capabilities.all() if c.number in capabilities]
        )
        new.indicators.set([indicators[i.code] for i in old.indicators.all() if i.code in indicators])
        Funding.objects.bulk_create(
            Funding(action=new, source=f.source, funder=f.funder, amount=f.amount) for f in old.fundings.all()
        )
        Milestone.objects.bulk_create(
            Milestone(action=new, title=m.title, due_on=m.due_on) for m in old.milestones.all() if m.reached_on is None
        )
        carried.append(new)
    _audit(by=by, plan=plan, what=f"{len(carried)} action(s) carried over from plan {previous.pk}", request=request)
    return carried
