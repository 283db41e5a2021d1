"""A cycle's participants: many organisations at once, and the invitations of their focal points.

Services in the sense of ``services.py`` (keyword-only, atomic, checked against current rows), kept
apart so that module stays readable.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .emails import Letter, mail_after_commit
from .models import AuditEvent, Invitation, Organisation, Role, RoleAssignment, Submission
from .services import (
    audit,
    cycle_add_organisation,
    cycle_lock_for_change,
    organisation_create,
)

# An invitation is e-mailed again at most once in this interval (a double click sends one).
INVITATION_RESEND_INTERVAL = timedelta(minutes=10)


def _set_password_link(user, base_url):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{base_url}/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"


def invitation_letter(invitation, *, base_url):
    """The invitation e-mail: a set-password link for a new account, the home page to accept for an existing one."""
    user = invitation.user
    context = {
        "user": user,
        "organisation": invitation.organisation,
        "country": invitation.target_country,
        "invited_by": invitation.invited_by,
        "needs_acceptance": invitation.status == Invitation.Status.PENDING,
        "has_password": user.has_usable_password(),
        "home_link": f"{base_url}/",
        "link": _set_password_link(user, base_url) if not user.has_usable_password() else f"{base_url}/",
    }
    return Letter(email=invitation.email, user=user, context=context)


@transaction.atomic
def focal_point_invite(*, cycle, organisation, email, by, base_url, first_name="", last_name="") -> Invitation:
    """Offer a person the focal-point role of an organisation taking part in ``cycle``, by e-mail.

    1. Refuse a closed cycle and an organisation that does not take part in it (current rows).
    2. A new address gets an account (unusable password until the person sets one through the link)
       holding the role at once: the account has no past anywhere to reveal.
    3. An existing account gets a pending invitation and no role: the person accepts or declines it
       on their home page, and only from acceptance on does the country see their activity.
    """
    cycle = cycle_lock_for_change(cycle.pk)
    if not Submission.objects.filter(cycle=cycle, organisation=organisation).exists():
        raise ValidationError({"organisation": _("%(org)s does not take part in this cycle.") % {"org": organisation}})

    def already_focal_point(user, email):
        if RoleAssignment.objects.filter(user=user, role=Role.FOCAL_POINT, organisation=organisation).exists():
            raise ValidationError(
                {"email": _("%(email)s is already a focal point of %(org)s.") % {"email": email, "org": organisation}}
            )

    invitation = invite_person(
        email=email,
        first_name=first_name,
        last_name=last_name,
        by=by,
        same={"organisation": organisation},
        offer={"organisation": organisation, "cycle": cycle},
        grants={"role": Role.FOCAL_POINT, "organisation": organisation},
        check=already_focal_point,
    )
    email = invitation.email
    audit(
        user=by,
        action=AuditEvent.Action.USER_INVITED,
        country=cycle.country,
        cycle=cycle,
        detail=f"{email} → {organisation}"
        + (" (existing account: awaiting acceptance)" if not invitation.created_account else ""),
    )
    mail_after_commit(
        "assessments/email/invitation",
        [invitation_letter(invitation, base_url=base_url)],
        by=by,
        country=cycle.country,
        cycle=cycle,
    )
    return invitation


def invite_person(*, email, first_name, last_name, by, same, offer, grants, check=None) -> Invitation:
    """What every invitation does, inside the caller's transaction (its rules checked and its row locked).

    An existing account (found by e-mail or user name) gets a pending invitation and no role, refused
    while one is pending for the ``same`` target; ``check(user, email)`` may refuse it first. A new address
    gets an account (unusable password until the person sets one through the link) holding the role
    (``grants``: the RoleAssignment's fields) at once: it has no past anywhere to reveal. ``offer``: the
    Invitation's fields naming what is offered.
    """
    User = get_user_model()
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first() or User.objects.filter(username__iexact=email).first()
    now = timezone.now()
    if user is not None:
        if check is not None:
            check(user, email)
        pending = Invitation.objects.filter(user=user, status=Invitation.Status.PENDING, **same).first()
        if pending is not None:
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s was invited on %(date)s and has not answered yet; resend the invitation instead."
                    )
                    % {"email": email, "date": date_format(timezone.localtime(pending.created_at), "DATE_FORMAT")}
                }
            )
        return Invitation.objects.create(**offer, user=user, email=email, invited_by=by, sent_at=now)
    user = User(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.create(user=user, **grants)
    return Invitation.objects.create(
        **offer,
        user=user,
        email=email,
        invited_by=by,
        sent_at=now,
        status=Invitation.Status.ACCEPTED,
        created_account=True,
    )


def invitation_can_resend(invitation):
    """Pending, or made for a new account whose owner has not logged in yet."""
    if invitation.status == Invitation.Status.PENDING:
        return True
    return (
        invitation.status == Invitation.Status.ACCEPTED
        and invitation.created_account
        and invitation.user.last_login is None
    )


def invitation_send_again(invitation):
    """Count a fresh sending of ``invitation`` (locked by the caller), refused once it was answered or when it
    was sent less than ``INVITATION_RESEND_INTERVAL`` ago. The caller audits and mails."""
    if not invitation_can_resend(invitation):
        raise ValidationError(
            _("%(email)s has already answered this invitation; there is nothing to resend.")
            % {"email": invitation.email}
        )
    now = timezone.now()
    if invitation.sent_at > now - INVITATION_RESEND_INTERVAL:
        raise ValidationError(
            _("The invitation to %(email)s was sent at %(time)s; it can be sent again from %(next)s.")
            % {
                "email": invitation.email,
                "time": date_format(timezone.localtime(invitation.sent_at), "TIME_FORMAT"),
                "next": date_format(timezone.localtime(invitation.sent_at + INVITATION_RESEND_INTERVAL), "TIME_FORMAT"),
            }
        )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, send_count=F("send_count") + 1)
    invitation.refresh_from_db(fields=["sent_at", "send_count"])


@transaction.atomic
def invitation_resend(*, cycle, invitation, by, base_url) -> Invitation:
    """E-mail an invitation again (a fresh set-password link for a new account), at most once per interval."""
    cycle = cycle_lock_for_change(cycle.pk)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user", "organisation__country", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.is_coordinator or invitation.organisation.country_id != cycle.country_id:
        raise ValidationError(_("This invitation belongs to another country."))
    invitation_send_again(invitation)
    audit(
        user=by,
        action=AuditEvent.Action.INVITATION_RESENT,
        country=cycle.country,
        cycle=cycle,
        detail=f"{invitation.email} → {invitation.organisation} (#{invitation.send_count})",
    )
    mail_after_commit(
        "assessments/email/invitation",
        [invitation_letter(invitation, base_url=base_url)],
        by=by,
        country=cycle.country,
        cycle=cycle,
    )
    return invitation


def _invitation_lock_pending(invitation, by):
    current = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation__country", "country", "cycle")
        .get(pk=invitation.pk)
    )
    if current.user_id != by.pk:
        raise PermissionDenied(_("This invitation is addressed to someone else."))
    if current.status != Invitation.Status.PENDING:
        raise ValidationError(_("You have already answered this invitation."))
    return current


def _invitation_detail(invitation):
    return f"coordinator · {invitation.country}" if invitation.is_coordinator else str(invitation.organisation)


@transaction.atomic
def invitation_accept(*, invitation, by, request=None) -> RoleAssignment:
    """The invited person takes the role offered (focal point of the organisation, or national coordinator of
    the country); from now on the country's trail shows their activity."""
    invitation = _invitation_lock_pending(invitation, by)
    if invitation.is_coordinator:
        role, _created = RoleAssignment.objects.get_or_create(
            user=by, role=Role.COORDINATOR, country=invitation.country
        )
    else:
        role, _created = RoleAssignment.objects.get_or_create(
            user=by, role=Role.FOCAL_POINT, organisation=invitation.organisation
        )
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ACCEPTED, responded_at=timezone.now())
    audit(
        user=by,
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        country=invitation.target_country,
        cycle=invitation.cycle,
        detail=_invitation_detail(invitation),
        request=request,
    )
    return role


@transaction.atomic
def invitation_decline(*, invitation, by, request=None) -> Invitation:
    invitation = _invitation_lock_pending(invitation, by)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.DECLINED, responded_at=timezone.now())
    # No IP address: the person never joined the country, and their whereabouts are not its business.
    audit(
        user=by,
        action=AuditEvent.Action.INVITATION_DECLINED,
        country=invitation.target_country,
        cycle=invitation.cycle,
        detail=_invitation_detail(invitation),
    )
    invitation.refresh_from_db()
    return invitation


@dataclass
class OrganisationRow:
    """One line of a bulk import, as the form read it: ``organisation`` is set for an existing one."""

    number: int
    name: str
    sector: object
    emails: list
    organisation: Organisation | None = None


@transaction.atomic
def organisations_import(*, cycle, rows, by, base_url) -> list[Submission]:
    """Add many organisations to a cycle at once, all or nothing, and invite their focal points.

    1. Lock the cycle (refused once closed) and recheck every row against the current rows: a name
       taken meanwhile, an organisation that joined meanwhile. Any problem refuses the whole list,
       each problem named by its row.
    2. Create the new organisations, add all of them to the cycle, invite each e-mail address.
    """
    cycle = cycle_lock_for_change(cycle.pk)
    problems = []
    taking_part = set(Submission.objects.filter(cycle=cycle).values_list("organisation_id", flat=True))
    existing = {o.name.lower(): o for o in Organisation.objects.filter(country=cycle.country)}
    for row in rows:
        known = existing.get(row.name.lower())
        if row.organisation is None and known is not None:
            row.organisation = known
        if row.organisation is not None and row.organisation.pk in taking_part:
            problems.append(
                _("Row %(n)d: %(org)s already takes part in this cycle.") % {"n": row.number, "org": row.organisation}
            )
        elif row.organisation is not None and row.organisation.sector_id != row.sector.pk:
            problems.append(
                _("Row %(n)d: %(org)s exists already with the sector “%(sector)s”.")
                % {"n": row.number, "org": row.organisation, "sector": row.organisation.sector}
            )
    if problems:
        raise ValidationError(problems)
    submissions = []
    for row in rows:
        organisation = row.organisation or organisation_create(
            country=cycle.country, name=row.name, sector=row.sector, by=by
        )
        submissions.append(cycle_add_organisation(cycle=cycle, organisation=organisation, by=by))
        for email in row.emails:
            try:
                focal_point_invite(cycle=cycle, organisation=organisation, email=email, by=by, base_url=base_url)
            except ValidationError as exc:
                raise ValidationError(
                    [_("Row %(n)d: %(problem)s") % {"n": row.number, "problem": m} for m in exc.messages]
                ) from exc
    return submissions
