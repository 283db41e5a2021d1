"""Consents, library moderation and peer exchange: every write, checked inside its own transaction."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import participants
from assessments.access import coordinated_country_ids, coordinates
from assessments.emails import mail_after_commit
from assessments.models import AuditEvent, Country, Cycle, Invitation, Role, RoleAssignment
from assessments.services import audit
from reports.consolidation import cycle_report_data

from .access import exchange_requests_for_secretariat, is_secretariat, secretariat_countries, secretariat_regions
from .models import Consent, ContributedLevel, ExchangeReply, ExchangeRequest, Practice


def final_levels(cycle):
    """``[(number, domain code, level)]``: the closed cycle's national levels (validated where set), as its
    gap report states them; capabilities without a level (a data gap) are left out."""
    data = cycle_report_data(cycle, language="en")
    return [
        (c["number"], c["domain"], Decimal(str(c["level"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        for c in data["capabilities"]
        if c["level"] is not None
    ]


def _locked_closed_cycle(cycle, by):
    """The cycle read again under a row lock, with the coordinator's right checked on it."""
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not coordinates(by, locked.country_id):
        raise PermissionDenied(_("Only the country's national coordinator decides what the country shares."))
    if locked.status != Cycle.Status.CLOSED:
        raise ValidationError(_("Consents are given for a closed cycle, whose figures are final."))
    return locked


@transaction.atomic
def consent_give(*, cycle, kind, by, capabilities=(), request=None) -> Consent:
    """1. Lock the cycle and check the coordinator and that it is closed. 2. Refuse a second current
    consent of the kind. 3. Record who and when; for aggregates copy the final levels; for exchange the
    capabilities offered. 4. Audit."""
    locked = _locked_closed_cycle(cycle, by)
    if kind not in Consent.Kind.values:
        raise ValidationError(_("Unknown consent."))
    if Consent.objects.current().filter(cycle=locked, kind=kind).exists():
        raise ValidationError(_("This consent is already given for this cycle."))
    capabilities = list(capabilities)
    if kind == Consent.Kind.EXCHANGE:
        if not capabilities:
            raise ValidationError(_("Choose at least one capability to share your experience of."))
        if any(c.version_id != locked.framework_version_id for c in capabilities):
            raise ValidationError(_("Choose capabilities of the cycle's framework version."))
    consent = Consent.objects.create(cycle=locked, kind=kind, given_by=by, given_at=timezone.now())
    if kind == Consent.Kind.AGGREGATES:
        ContributedLevel.objects.bulk_create(
            ContributedLevel(consent=consent, version_id=locked.framework_version_id, number=n, domain=d, level=lv)
            for n, d, lv in final_levels(locked)
        )
    if kind == Consent.Kind.EXCHANGE:
        consent.capabilities.set(capabilities)
    audit(
        user=by,
        action=AuditEvent.Action.CONSENT_GIVEN,
        country=locked.country,
        cycle=locked,
        detail=Consent.Kind(kind).label,
        request=request,
    )
    return consent


@transaction.atomic
def consent_withdraw(*, cycle, kind, by, request=None) -> int:
    """Stamp the current consent as withdrawn (a conditional update: two clicks withdraw once). Every
    aggregate computed afterwards leaves the country out; the row stays as the record."""
    locked = _locked_closed_cycle(cycle, by)
    done = (
        Consent.objects.current().filter(cycle=locked, kind=kind).update(withdrawn_by=by, withdrawn_at=timezone.now())
    )
    if not done:
        raise ValidationError(_("This consent is not given for this cycle."))
    audit(
        user=by,
        action=AuditEvent.Action.CONSENT_WITHDRAWN,
        country=locked.country,
        cycle=locked,
        detail=Consent.Kind(kind).label,
        request=request,
    )
    return done


def may_write_library(user):
    return is_secretariat(user) or bool(coordinated_country_ids(user))


@transaction.atomic
def practice_save(*, practice, by, capabilities, indicators=(), request=None) -> Practice:
    """Create or change an entry. Coordinators write for their country, the secretariat for the network;
    an entry is changed by its author (or the secretariat) while it is a draft or returned."""
    if not may_write_library(by):
        raise PermissionDenied(_("Good-practice entries are written by coordinators and the secretariat."))
    if practice.pk is not None:
        locked = Practice.objects.select_for_update().get(pk=practice.pk)
        if locked.author_id != by.pk and not is_secretariat(by):
            raise PermissionDenied(_("Only the author or the secretariat may change this entry."))
        if not locked.is_editable_status and not is_secretariat(by):
            raise ValidationError(_("A submitted or published entry can no longer be changed by its author."))
        practice.status, practice.author_id, practice.country_id = locked.status, locked.author_id, locked.country_id
    else:
        practice.author = by
        countries = sorted(coordinated_country_ids(by))
        practice.country_id = countries[0] if countries else None
        practice.status = Practice.Status.DRAFT
    if practice.country_id is None:
        practice.show_country = False
    if practice.translation_of_id is not None:
        _check_translation(practice)
    practice.save()
    practice.capabilities.set(capabilities)
    practice.indicators.set(indicators)
    audit(user=by, action=AuditEvent.Action.LIBRARY_CHANGED, detail=f"{practice.pk}: saved", request=request)
    return practice


def _check_translation(practice):
    """A translation names the original (never another translation), in a language of its own."""
    original = Practice.objects.get(pk=practice.translation_of_id)
    if original.translation_of_id is not None:
        original = Practice.objects.get(pk=original.translation_of_id)
    practice.translation_of = original
    if practice.language == original.language:
        raise ValidationError(
            {
                "language": _("A translation is in another language than the original (%(language)s).")
                % {"language": original.get_language_display()}
            }
        )
    taken = (
        Practice.objects.filter(translation_of=original, language=practice.language)
        .exclude(pk=practice.pk)
        .exclude(status=Practice.Status.RETURNED)
    )
    if taken.exists():
        raise ValidationError(
            {
                "language": _("This entry has a translation in %(language)s already.")
                % {"language": practice.get_language_display()}
            }
        )


def practice_versions(practice):
    """The original and its published translations, other than ``practice``: ``[Practice]`` by language."""
    root = practice.translation_of_id or practice.pk
    return list(
        Practice.objects.published()
        .filter(Q(pk=root) | Q(translation_of_id=root))
        .exclude(pk=practice.pk)
        .only("pk", "title", "language", "translation_of_id")
        .order_by("language", "pk")
    )


def _move(practice, *, by, allowed_from, to, request, reason=""):
    updated = Practice.objects.filter(pk=practice.pk, status__in=allowed_from).update(
        status=to,
        return_reason=reason,
        published_at=timezone.now() if to == Practice.Status.PUBLISHED else None,
    )
    if not updated:
        raise ValidationError(_("This entry is not in a state that allows this step."))
    audit(user=by, action=AuditEvent.Action.LIBRARY_CHANGED, detail=f"{practice.pk}: {to}", request=request)
    practice.refresh_from_db()
    return practice


@transaction.atomic
def practice_submit(*, practice, by, request=None) -> Practice:
    if practice.author_id != by.pk:
        raise PermissionDenied(_("Only the author submits an entry for moderation."))
    return _move(
        practice, by=by, allowed_from=Practice.EDITABLE_STATUSES, to=Practice.Status.SUBMITTED, request=request
    )


@transaction.atomic
def practice_publish(*, practice, by, request=None) -> Practice:
    if not is_secretariat(by):
        raise PermissionDenied(_("The secretariat moderates the library."))
    return _move(
        practice, by=by, allowed_from=[Practice.Status.SUBMITTED], to=Practice.Status.PUBLISHED, request=request
    )


@transaction.atomic
def practice_return(*, practice, by, reason, request=None) -> Practice:
    if not is_secretariat(by):
        raise PermissionDenied(_("The secretariat moderates the library."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the author should change.")})
    return _move(
        practice,
        by=by,
        allowed_from=[Practice.Status.SUBMITTED],
        to=Practice.Status.RETURNED,
        reason=reason.strip(),
        request=request,
    )


# Peer exchange -------------------------------------------------------------------------------------------


def open_country_ids(*, number, region=None, exclude_country_id=None):
    """Countries with a current exchange consent (of a closed cycle) on capability ``number``."""
    consents = Consent.objects.current().filter(
        kind=Consent.Kind.EXCHANGE, cycle__status=Cycle.Status.CLOSED, capabilities__number=number
    )
    if region is not None:
        consents = consents.filter(cycle__country__regions=region)
    if exclude_country_id is not None:
        consents = consents.exclude(cycle__country_id=exclude_country_id)
    return set(consents.values_list("cycle__country_id", flat=True))


def open_regions(*, exclude_country_id):
    """``{capability number: sorted region names}`` where some other country is open to exchange. One query."""
    rows = (
        Consent.objects.current()
        .filter(kind=Consent.Kind.EXCHANGE, cycle__status=Cycle.Status.CLOSED)
        .exclude(cycle__country_id=exclude_country_id)
        .values_list("capabilities__number", "cycle__country__regions__name")
        .distinct()
    )
    found = {}
    for number, region in rows:
        found.setdefault(number, set())
        if region:
            found[number].add(region)
    return {n: sorted(names) for n, names in found.items()}


def _replies_for(exchange, country_ids):
    ExchangeReply.objects.bulk_create(ExchangeReply(request=exchange, country_id=pk) for pk in sorted(country_ids))


@transaction.atomic
def exchange_request_create(*, country, capability, region, message, route, by, request=None) -> ExchangeRequest:
    """1. Check the coordinator. 2. Find the open countries (never shown to the asker). 3. Record the request;
    sent directly, each open country gets a reply row to answer; through the secretariat, none until it
    forwards the request. 4. Audit."""
    if not coordinates(by, country.pk):
        raise PermissionDenied(_("Only the country's national coordinator asks for an exchange."))
    if not message.strip():
        raise ValidationError({"message": _("Say what you would like to learn.")})
    targets = open_country_ids(number=capability.number, region=region, exclude_country_id=country.pk)
    if not targets:
        raise ValidationError(_("No country is open to exchange on this capability there yet."))
    exchange = ExchangeRequest.objects.create(
        capability=capability,
        region=region,
        country=country,
        message=message.strip(),
        route=route,
        requested_by=by,
        requested_at=timezone.now(),
    )
    if route == ExchangeRequest.Route.DIRECT:
        _replies_for(exchange, targets)
    audit(
        user=by,
        action=AuditEvent.Action.EXCHANGE_REQUESTED,
        country=country,
        detail=f"capability {capability.number}, {route}",
        request=request,
    )
    return exchange


@transaction.atomic
def exchange_forward(*, exchange, by, request=None) -> ExchangeRequest:
    """The secretariat passes a request on to the countries open at that moment (once: a conditional update)."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Only the secretariat forwards exchange requests."))
    claimed = (
        exchange_requests_for_secretariat(by)
        .filter(pk=exchange.pk, forwarded_at__isnull=True)
        .update(forwarded_by=by, forwarded_at=timezone.now())
    )
    if not claimed:
        if not exchange_requests_for_secretariat(by).filter(pk=exchange.pk).exists():
            raise PermissionDenied(_("This request comes from a country outside your regions."))
        raise ValidationError(_("This request was already forwarded."))
    exchange.refresh_from_db()
    targets = open_country_ids(
        number=exchange.capability.number, region=exchange.region, exclude_country_id=exchange.country_id
    )
    if not secretariat_regions(by)[1]:
        # A regional secretariat passes requests on within its regions only.
        targets &= set(secretariat_countries(by).values_list("pk", flat=True))
    _replies_for(exchange, targets)
    audit(
        user=by, action=AuditEvent.Action.EXCHANGE_REQUESTED, detail=f"forwarded request {exchange.pk}", request=request
    )
    return exchange


@transaction.atomic
def exchange_answer(*, reply, accept, by, request=None) -> ExchangeReply:
    if not coordinates(by, reply.country_id):
        raise PermissionDenied(_("Only the country's national coordinator answers an exchange request."))
    status = ExchangeReply.Status.ACCEPTED if accept else ExchangeReply.Status.DECLINED
    done = ExchangeReply.objects.filter(pk=reply.pk, status=ExchangeReply.Status.PENDING).update(
        status=status, answered_by=by, answered_at=timezone.now()
    )
    if not done:
        raise ValidationError(_("This request was already answered."))
    audit(
        user=by,
        action=AuditEvent.Action.EXCHANGE_ANSWERED,
        country=reply.country,
        detail=f"request {reply.request_id}: {status}",
        request=request,
    )
    reply.refresh_from_db()
    return reply


# Countries and their first coordinator ------------------------------------------------------------------


def _secretariat_scope(by):
    """``(regions, whole)`` of a secretariat, refused to anyone else."""
    if not is_secretariat(by):
        raise PermissionDenied(_("Countries are managed by the network secretariat."))
    return secretariat_regions(by)


def _country_regions(*, country, chosen, by):
    """The regions a country ends up in: the ones chosen (all within the secretariat's regions) and, for a
    regional secretariat, the country's regions outside its scope, which it does not see and cannot remove."""
    regions, whole = _secretariat_scope(by)
    allowed = set(regions.values_list("pk", flat=True))
    chosen_ids = {r.pk for r in chosen}
    if not chosen_ids <= allowed:
        raise PermissionDenied(_("A region outside your scope was chosen."))
    if whole:
        return chosen_ids
    if not chosen_ids:
        raise ValidationError({"regions": _("Choose at least one of your regions, or the country leaves your scope.")})
    kept = set() if country is None else set(country.regions.exclude(pk__in=allowed).values_list("pk", flat=True))
    return chosen_ids | kept


def _audit_country(by, action, country, request):
    audit(user=by, action=action, country=country, detail=f"{country.code} {country.name}", request=request)


@transaction.atomic
def country_create(*, name, code, regions, by, request=None) -> Country:
    """A country joins the network, in regions of the secretariat's scope."""
    region_ids = _country_regions(country=None, chosen=regions, by=by)
    country = Country.objects.create(name=name, code=code)
    country.regions.set(region_ids)
    _audit_country(by, AuditEvent.Action.COUNTRY_CREATED, country, request)
    return country


def _country_locked_in_scope(pk, by):
    """The country under a row lock, or 404 when it is outside the secretariat's scope (checked on current rows)."""
    _secretariat_scope(by)
    country = Country.objects.select_for_update().filter(pk=pk).first()
    if country is None or not secretariat_countries(by).filter(pk=pk).exists():
        raise Http404("No such country.")
    return country


@transaction.atomic
def country_update(*, country, name, code, regions, by, request=None) -> Country:
    country = _country_locked_in_scope(country.pk, by)
    region_ids = _country_regions(country=country, chosen=regions, by=by)
    country.name, country.code = name, code
    country.save(update_fields=["name", "code"])
    country.regions.set(region_ids)
    _audit_country(by, AuditEvent.Action.COUNTRY_CHANGED, country, request)
    return country


def _mail_coordinator_invitation(invitation, *, by, base_url):
    mail_after_commit(
        "network/email/coordinator_invitation",
        [participants.invitation_letter(invitation, base_url=base_url)],
        by=by,
        country=invitation.country,
    )


@transaction.atomic
def coordinator_invite(*, country, email, by, base_url, first_name="", last_name="", request=None) -> Invitation:
    """Offer a person the national-coordinator role of a country without one, by e-mail.

    1. Lock the country and check, on current rows, that it is in the secretariat's scope (else 404)
       and has no national coordinator yet: later coordinators are the country's own business.
    2. A new address gets an account (unusable password until the person sets one through the link)
       holding the role at once, as for focal points: the account has no past anywhere to reveal.
    3. An existing account gets a pending invitation and no role until its owner accepts it on their
       home page (``assessments.participants.invitation_accept``).
    """
    country = _country_locked_in_scope(country.pk, by)
    if RoleAssignment.objects.filter(role=Role.COORDINATOR, country=country).exists():
        raise ValidationError({"email": _("%(country)s has a national coordinator already.") % {"country": country}})
    offer = {"role": Invitation.Offered.COORDINATOR, "country": country}
    invitation = participants.invite_person(
        email=email,
        first_name=first_name,
        last_name=last_name,
        by=by,
        same=offer,
        offer=offer,
        grants={"role": Role.COORDINATOR, "country": country},
    )
    email = invitation.email
    audit(
        user=by,
        action=AuditEvent.Action.COORDINATOR_INVITED,
        country=country,
        detail=f"{email} → {country}"
        + (" (existing account: awaiting acceptance)" if not invitation.created_account else ""),
        request=request,
    )
    _mail_coordinator_invitation(invitation, by=by, base_url=base_url)
    return invitation


@transaction.atomic
def coordinator_invitation_resend(*, country, invitation, by, base_url, request=None) -> Invitation:
    """E-mail a coordinator invitation again, at most once per interval (``participants.invitation_send_again``)."""
    country = _country_locked_in_scope(country.pk, by)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user", "country", "invited_by")
        .filter(pk=invitation.pk, country=country, role=Invitation.Offered.COORDINATOR)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    participants.invitation_send_again(invitation)
    audit(
        user=by,
        action=AuditEvent.Action.INVITATION_RESENT,
        country=country,
        detail=f"{invitation.email} → coordinator of {country} (#{invitation.send_count})",
        request=request,
    )
    _mail_coordinator_invitation(invitation, by=by, base_url=base_url)
    return invitation
