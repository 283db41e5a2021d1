"""The overdue digest: once per ISO week, each lead organisation's focal points and the country's
coordinators get the overdue and upcoming actions, in their own language.

Idempotent: the ``DigestSent`` row for (person, week) is written before the e-mail goes (its unique
constraint is the claim); a failed send removes it, so the next run tries again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from assessments.emails import send_templated_mail
from assessments.models import Role, RoleAssignment

from .models import Action, DigestSent, Plan

log = logging.getLogger(__name__)
UPCOMING_DAYS = 14


def period_of(day):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_plans():
    """Each country's newest plan: older ones are final once a later cycle's plan continues them."""
    newest = {}
    for plan in Plan.objects.select_related("cycle__country").order_by("cycle__country_id", "-cycle__opens_on"):
        newest.setdefault(plan.cycle.country_id, plan)
    return list(newest.values())


def digest_recipients(*, today):
    """{user: [actions]} for this week: overdue or due within two weeks, unfinished."""
    plans = current_plans()
    actions = list(
        Action.objects.filter(plan__in=plans, due_on__isnull=False, due_on__lte=today + timedelta(days=UPCOMING_DAYS))
        .exclude(status__in=Action.CLOSED_STATUSES)
        .select_related("plan__cycle__country", "lead_organisation", "capability")
        .order_by("due_on", "pk")
    )
    country_ids = {a.plan.cycle.country_id for a in actions}
    org_ids = {a.lead_organisation_id for a in actions if a.lead_organisation_id}
    roles = (
        RoleAssignment.objects.filter(
            user__is_active=True,
        )
        .filter(role__in=[Role.COORDINATOR, Role.FOCAL_POINT])
        .select_related("user__profile")
    )
    recipients = {}
    for r in roles:
        if r.role == Role.COORDINATOR and r.country_id in country_ids:
            mine = [a for a in actions if a.plan.cycle.country_id == r.country_id]
        elif r.role == Role.FOCAL_POINT and r.organisation_id in org_ids:
            mine = [a for a in actions if a.lead_organisation_id == r.organisation_id]
        else:
            continue
        bucket = recipients.setdefault(r.user, {})
        for a in mine:
            bucket[a.pk] = a
    return {user: sorted(found.values(), key=lambda a: (a.due_on, a.pk)) for user, found in recipients.items() if found}


def _language(user):
    profile = getattr(user, "profile", None)
    return (profile.language if profile and profile.language else None) or settings.LANGUAGE_CODE


def overdue_digest_send(*, today=None, base_url=None):
    """Send this period's digests not sent yet. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    period = period_of(today)
    base_url = base_url if base_url is not None else settings.SITE_URL.rstrip("/")
    sent = 0
    for user, actions in digest_recipients(today=today).items():
        if not user.email:
            continue
        try:
            with transaction.atomic():
                claim = DigestSent.objects.create(
                    user=user, period=period, actions=",".join(str(a.pk) for a in actions), sent_at=timezone.now()
                )
        except IntegrityError:
            continue  # already sent this period
        for a in actions:
            a.overdue = a.is_overdue(today)
            a.link = f"{base_url}{a.get_absolute_url()}"
        try:
            with translation.override(_language(user)):
                send_templated_mail(
                    "plans/email/digest",
                    {
                        "user": user,
                        "overdue": [a for a in actions if a.overdue],
                        "upcoming": [a for a in actions if not a.overdue],
                        "period": period,
                    },
                    [user.email],
                )
        except Exception:
            log.exception("Could not send the plan digest to user %s; it is tried again next run.", user.pk)
            claim.delete()
            continue
        sent += 1
    return sent
