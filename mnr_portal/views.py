from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from accounts.models import ApiToken
from accounts.services import token_create, token_revoke
from assessments.access import roles_of
from assessments.models import AuditEvent, Cycle, Invitation, Role, Submission
from assessments.queries import with_progress
from assessments.services import audit
from capabilities.models import FrameworkVersion
from mnr_portal.language import isolate
from plans.queries import actions_led_by
from reports.services import worker_seen_recently

from . import two_factor
from .forms import ApiTokenForm, CodeForm, VerifyForm


@login_required
def home(request):
    """What this user can do: one section per role they hold."""
    user = request.user
    roles = roles_of(user)
    has = {r.role for r in roles}
    # Roles offered to an existing account wait here for its owner's answer (accept or decline).
    invitations = list(
        Invitation.objects.filter(user=user, status=Invitation.Status.PENDING).select_related(
            "organisation__country", "organisation__sector", "country", "invited_by"
        )
    )
    context = {
        "invitations": invitations,
        "versions": FrameworkVersion.objects.exclude(status="retired") if user.is_staff else [],
        "is_coordinator": Role.COORDINATOR in has or user.is_superuser,
        "is_observer": Role.OBSERVER in has,
        "has_no_role": not roles and not user.is_staff and not invitations,
        # The middleware lets an unverified user this far only with no authenticator and no duty to have one.
        "offer_two_factor": not user.is_verified(),
    }
    if Role.FOCAL_POINT in has:
        context["questionnaires"] = with_progress(
            Submission.objects.filter(organisation__roles__user=user, organisation__roles__role=Role.FOCAL_POINT)
            .exclude(cycle__status=Cycle.Status.DRAFT)
            .select_related("cycle__country", "organisation")
            .order_by("-cycle__opens_on", "organisation__name")
        )
        context["our_actions"] = actions_led_by(user)
    if context["is_coordinator"] or context["is_observer"]:
        # The cycles of the countries this user coordinates or observes (all of them for a superuser).
        cycles = Cycle.objects.select_related("country", "framework_version")
        if not user.is_superuser:
            cycles = cycles.filter(
                country__roles__user=user, country__roles__role__in=[Role.COORDINATOR, Role.OBSERVER]
            ).distinct()
        context["cycles"] = cycles
    return render(request, "home.html", context)


def healthz(request):
    """Liveness for load balancers and compose: the database answers; worker freshness is reported.

    "Recently" is ``reports.services.WORKER_FRESH``, the figure the report page warns after. Every other
    request waits at most the database's lock and statement timeouts, so /healthz keeps answering
    while a few saves wait on row locks (gunicorn runs threads, see docker-compose.yml).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "worker_seen_recently": worker_seen_recently()})


# Two-step verification --------------------------------------------------------------------------
# Who is sent here, and when, is decided by two_factor.TwoFactorMiddleware; these pages do the rest.

NEW_CODES_SESSION_KEY = "two_factor_new_backup_codes"


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next")
    # A path on this site only: redirect() would take "home" or "0" for a URL name and fail to reverse it.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse("home")


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _too_many(exc):
    return ngettext(
        "Too many attempts. Wait %(seconds)d second before trying again.",
        "Too many attempts. Wait %(seconds)d seconds before trying again.",
        exc.seconds,
    ) % {"seconds": exc.seconds}


def _check(form, request, device):
    """The device that accepted the form's code, or None with the reason added to the form."""
    try:
        matched = (
            two_factor.code_verify(user=request.user, device=device, code=form.cleaned_data["code"], request=request)
            if device is not None
            else None
        )
    except two_factor.TooManyAttempts as exc:
        form.add_error("code", _too_many(exc))
        return None
    if matched is None:
        if form.is_backup_code:
            form.add_error("code", _("That backup code is not valid, or it has already been used."))
        else:
            form.add_error(
                "code",
                _("That code is not valid. Enter the code your app shows now; check that your phone's clock is right."),
            )
    return matched


def _mark_verified(request, device):
    # A new session key at the moment of elevation, as at login: a key seen before stays unverified.
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@login_required
def two_factor_setup(request):
    """Add an authenticator app (or replace it, once verified): scan, confirm with a first code."""
    user = request.user
    next_url = _next_url(request)
    current = two_factor.confirmed_device(user)
    if current is not None and not user.is_verified():
        # Replacing needs the current device first; otherwise a stolen password would be enough.
        return redirect(_with_next("two_factor:verify", next_url))
    device = two_factor.totp_device_pending(user=user)
    form = CodeForm(request.POST or None, next_url=next_url, submit_label=_("Confirm and turn on"))
    if request.method == "POST" and form.is_valid():
        matched = _check(form, request, device)
        if matched is not None:
            request.session[NEW_CODES_SESSION_KEY] = two_factor.totp_device_confirm(device=matched, request=request)
            _mark_verified(request, matched)
            messages.success(request, _("Two-step verification is on."))
            return redirect(_with_next("two_factor:backup_codes", next_url))
    context = {
        "form": form,
        "qr_svg": two_factor.totp_qr_svg(device),
        "secret": two_factor.totp_secret(device),
        "replacing": current is not None,
        "required": two_factor.requires_two_factor(user),
    }
    return render(request, "two_factor/setup.html", context)


@never_cache
@login_required
def two_factor_verify(request):
    """The second step after the password: a code from the app, or a backup code (used up)."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    device = two_factor.confirmed_device(user)
    if device is None:
        # Removed since the session learnt of it (another session, the admin): nothing to verify.
        two_factor.remember_authenticator(request, False)
        if not two_factor.requires_two_factor(user):
            return redirect(next_url)
        return redirect(_with_next("two_factor:setup", next_url))
    form = VerifyForm(request.POST or None, next_url=next_url)
    if request.method == "POST" and form.is_valid():
        target = two_factor.backup_device(user) if form.is_backup_code else device
        matched = _check(form, request, target)
        if matched is not None:
            _mark_verified(request, matched)
            if form.is_backup_code:
                left = matched.token_set.count()
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code; %(left)d is left. Create new ones under Two-step verification.",
                        "You used a backup code; %(left)d are left. Create new ones under Two-step verification.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    return render(request, "two_factor/verify.html", {"form": form})


@never_cache
@login_required
def two_factor_backup_codes(request):
    """New backup codes, shown once: they are taken out of the session as the page is drawn."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("two_factor:manage")
    context = {"codes": [f"{c[:5]} {c[5:]}" for c in codes], "next_url": _next_url(request)}
    return render(request, "two_factor/backup_codes.html", context)


def _manage_page(request, regenerate_form=None, remove_form=None, status=200):
    user = request.user
    device = two_factor.confirmed_device(user)
    backup = two_factor.backup_device(user)
    required = two_factor.requires_two_factor(user)
    context = {
        "device": device,
        "required": required,
        "backup_codes_left": backup.token_set.count() if backup is not None else 0,
        "regenerate_form": regenerate_form
        or CodeForm(
            prefix="regenerate",
            action=reverse("two_factor:regenerate"),
            submit_label=_("Create new backup codes"),
        ),
        "remove_form": None,
    }
    if device is not None and not required:
        context["remove_form"] = remove_form or CodeForm(
            prefix="remove", action=reverse("two_factor:remove"), submit_label=_("Turn off two-step verification")
        )
    return render(request, "two_factor/manage.html", context, status=status)


@login_required
def two_factor_manage(request):
    """Status, new backup codes, replacing the app, and switching off for those allowed to."""
    return _manage_page(request)


@login_required
@require_POST
def two_factor_regenerate(request):
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("two_factor:setup")
    form = CodeForm(request.POST, prefix="regenerate", action=reverse("two_factor:regenerate"))
    if form.is_valid() and _check(form, request, device) is not None:
        request.session[NEW_CODES_SESSION_KEY] = two_factor.backup_codes_regenerate(user=request.user, request=request)
        messages.success(request, _("New backup codes created; the old ones no longer work."))
        return redirect(_with_next("two_factor:backup_codes", reverse("two_factor:manage")))
    return _manage_page(request, regenerate_form=form, status=400)


@login_required
@require_POST
def two_factor_remove(request):
    if two_factor.requires_two_factor(request.user):
        raise PermissionDenied("Two-step verification is required for this account; replace the app instead.")
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("two_factor:manage")
    form = CodeForm(request.POST, prefix="remove", action=reverse("two_factor:remove"))
    if form.is_valid() and _check(form, request, device) is not None:
        two_factor.two_factor_remove(user=request.user, request=request)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, _("Two-step verification is off for your account."))
        return redirect("two_factor:manage")
    return _manage_page(request, remove_form=form, status=400)


# Personal API tokens (the REST API, docs/api.md) ----------------------------------------------------------


@never_cache
@login_required
def api_tokens(request):
    """The person's tokens; creating one shows its text on this response only (it is stored hashed)."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                token, new_token = token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    days=form.cleaned_data["days"],
                    second_factor_required=two_factor.requires_two_factor(request.user),
                    second_factor_verified=request.user.is_verified(),
                )
                audit(
                    user=request.user,
                    action=AuditEvent.Action.API_TOKEN_CREATED,
                    detail=f"{token.name} ({token.prefix}, {token.scope})",
                    request=request,
                    api_token=token,
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user),
        "now": timezone.now(),
    }
    return render(request, "accounts/api_tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("No such token.")
    with transaction.atomic():
        token_revoke(token=token, by=request.user)
        audit(
            user=request.user,
            action=AuditEvent.Action.API_TOKEN_REVOKED,
            detail=f"{token.name} ({token.prefix})",
            request=request,
            api_token=token,
        )
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": isolate(token.name)})
    return redirect("api_tokens")


def not_found(request, exception=None):
    """404: an API client gets problem details (RFC 9457) for a URL that is none of the API's; a person, the page."""
    if request.path_info.startswith("/api/"):
        body = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": _("Not found.")}
        return JsonResponse(body, status=404, content_type="application/problem+json")
    return defaults.page_not_found(request, exception)
