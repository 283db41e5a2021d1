"""The network's pages: a coordinator's position beside anonymised distributions, the consents, the
secretariat's aggregates, exports and shared reports.

No page here lists countries together with levels (tests/network/test_no_league_table.py walks them).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import participants
from assessments.access import coordinated_country_ids, get_cycle_for_user
from assessments.models import AuditEvent, Cycle, Invitation, Role, RoleAssignment
from assessments.services import audit, base_url_of
from capabilities.models import Capability, FrameworkVersion
from mnr_portal.language import isolate
from reports.consolidation import observer_report_data

from . import access, aggregates, exports, queries, services
from .forms import (
    CoordinatorInviteForm,
    CountryForm,
    ExchangeConsentForm,
    ExchangeRequestForm,
    LibrarySearchForm,
    PracticeForm,
    PracticeReturnForm,
)
from .models import Consent, ContributedLevel, ExchangeReply, ExchangeRequest, Practice, Region


def _errors(exc):
    return " ".join(exc.messages)


def _position(own, figure):
    """Where the coordinator's own level sits in a shown distribution: the cell it falls in."""
    if own is None or not figure.shown:
        return None
    return aggregates.bin_of(own)


@login_required
def insight(request):
    """The coordinator's own levels (latest closed cycle) beside their regions' and the network's distributions."""
    countries = list(access.coordinated_countries(request.user))
    country = next(
        (c for c in countries if str(c.pk) == request.GET.get("country")), countries[0] if countries else None
    )
    secretariat = access.is_secretariat(request.user)
    if country is None:
        return render(request, "network/insight.html", {"countries": [], "secretariat": secretariat})
    cycle = (
        Cycle.objects.filter(country=country, status=Cycle.Status.CLOSED)
        .select_related("country", "framework_version")
        .order_by("-closed_at", "-pk")
        .first()
    )
    context = {
        "countries": countries,
        "country": country,
        "cycle": cycle,
        "scopes": [],
        "k": None,
        "secretariat": secretariat,
    }
    if cycle is not None:
        own = {n: level for n, _d, level in services.final_levels(cycle)}
        scopes = [aggregates.scope_figures(version=cycle.framework_version, region=r) for r in country.regions.all()]
        scopes.append(aggregates.scope_figures(version=cycle.framework_version))
        for scope in scopes:
            for row in scope["capabilities"]:
                row["own"] = own.get(row["number"])
                row["position"] = _position(row["own"], row["figure"])
        context |= {"scopes": scopes, "k": aggregates.distribution([]).k, "levels": aggregates.LEVELS}
    return render(request, "network/insight.html", context)


def _consent_cycle(request, pk):
    return get_cycle_for_user(request, pk, manage=True)


@login_required
def consent_page(request, pk):
    cycle = _consent_cycle(request, pk)
    consents = list(Consent.objects.filter(cycle=cycle).select_related("given_by", "withdrawn_by"))
    current = {c.kind: c for c in consents if c.is_current}
    return render(
        request,
        "network/consent.html",
        {
            "cycle": cycle,
            "closed": cycle.status == Cycle.Status.CLOSED,
            "kinds": [(kind, current.get(kind)) for kind in Consent.Kind],
            "history": consents,
            "exchange_form": ExchangeConsentForm(version=cycle.framework_version),
            "exchange_capabilities": list(current[Consent.Kind.EXCHANGE].capabilities.order_by("number"))
            if Consent.Kind.EXCHANGE in current
            else [],
        },
    )


@login_required
@require_POST
def consent_give(request, pk, kind):
    cycle = _consent_cycle(request, pk)
    if kind not in Consent.Kind.values:
        raise Http404("No such consent.")
    capabilities = []
    if kind == Consent.Kind.EXCHANGE:
        form = ExchangeConsentForm(request.POST, version=cycle.framework_version)
        if not form.is_valid():
            messages.error(request, _("Choose at least one capability to share your experience of."))
            return redirect("network:consent", pk=cycle.pk)
        capabilities = form.cleaned_data["capabilities"]
    try:
        services.consent_give(cycle=cycle, kind=kind, by=request.user, capabilities=capabilities, request=request)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Consent recorded: %(kind)s.") % {"kind": Consent.Kind(kind).label})
    return redirect("network:consent", pk=cycle.pk)


@login_required
@require_POST
def consent_withdraw(request, pk, kind):
    cycle = _consent_cycle(request, pk)
    if kind not in Consent.Kind.values:
        raise Http404("No such consent.")
    try:
        services.consent_withdraw(cycle=cycle, kind=kind, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Consent withdrawn: %(kind)s.") % {"kind": Consent.Kind(kind).label})
    return redirect("network:consent", pk=cycle.pk)


def _secretariat(request):
    if not access.is_secretariat(request.user):
        raise PermissionDenied(_("The network aggregates are for the network secretariat."))


def _versions():
    """Framework versions that have contributions, newest first: the aggregates are per version."""
    return list(
        FrameworkVersion.objects.filter(pk__in=ContributedLevel.objects.values("version_id")).order_by(
            "-published_at", "-pk"
        )
    )


def _scopes(request, version):
    regions, whole = access.secretariat_regions(request.user)
    scopes = [aggregates.scope_figures(version=version, region=r) for r in regions]
    if whole:
        scopes.insert(0, aggregates.scope_figures(version=version))
    return scopes


def _chosen_version(request, versions):
    return next((v for v in versions if str(v.pk) == request.GET.get("version")), versions[0] if versions else None)


@login_required
def secretariat_aggregates(request):
    _secretariat(request)
    versions = _versions()
    version = _chosen_version(request, versions)
    return render(
        request,
        "network/aggregates.html",
        {
            "versions": versions,
            "version": version,
            "scopes": _scopes(request, version) if version else [],
            "k": aggregates.distribution([]).k,
            "levels": aggregates.LEVELS,
        },
    )


@login_required
def aggregates_export(request, fmt):
    _secretariat(request)
    versions = _versions()
    version = _chosen_version(request, versions)
    # No contribution yet: the file holds its header only, so a scheduled download does not break.
    scopes = _scopes(request, version) if version else []
    code = version.code if version else "none"
    audit(user=request.user, action=AuditEvent.Action.AGGREGATES_EXPORTED, detail=code, request=request)
    if fmt == "csv":
        response = HttpResponse(exports.aggregates_csv(version, scopes), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.aggregates_xlsx(version, scopes),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="network-aggregates-{code}.{fmt}"'
    return response


@login_required
def shared_list(request):
    """Countries of the secretariat's scope that shared a closed cycle's results with it: names and links,
    never a level (the levels are on each country's own page)."""
    _secretariat(request)
    cycles = (
        Cycle.objects.filter(
            status=Cycle.Status.CLOSED,
            country__in=access.secretariat_countries(request.user),
            network_consents__kind=Consent.Kind.SECRETARIAT,
            network_consents__withdrawn_at__isnull=True,
        )
        .select_related("country")
        .order_by("country__name", "-closed_at")
    )
    return render(request, "network/shared_list.html", {"cycles": cycles, "regions": Region.objects.all()})


@login_required
def shared_report(request, pk):
    cycle = access.get_shared_cycle_for_secretariat(request, pk)
    data = observer_report_data(cycle)
    audit(
        user=request.user,
        action=AuditEvent.Action.SHARED_REPORT_VIEWED,
        country=cycle.country,
        cycle=cycle,
        request=request,
    )
    return render(request, "network/shared_report.html", {"cycle": cycle, "data": data})


# The good-practice library -------------------------------------------------------------------------------


def _practice_for_user(request, pk):
    practice = Practice.objects.visible_to(request.user).select_related("country", "author").filter(pk=pk).first()
    if practice is None:
        raise Http404("No such entry.")
    return practice


@login_required
def library(request):
    form = LibrarySearchForm(request.GET or None)
    entries = Practice.objects.published()
    if form.is_valid():
        entries = queries.practice_search(
            entries, **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        )
    page = Paginator(entries.select_related("country").prefetch_related("capabilities"), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    mine = (
        Practice.objects.filter(author=request.user).exclude(status=Practice.Status.PUBLISHED).order_by("-updated_at")
    )
    return render(
        request,
        "network/library.html",
        {
            "form": form,
            "page": page,
            "mine": mine,
            "may_write": services.may_write_library(request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def practice_detail(request, pk):
    practice = _practice_for_user(request, pk)
    return render(
        request,
        "network/practice_detail.html",
        {
            "practice": practice,
            "capabilities": list(practice.capabilities.select_related("version").order_by("version", "number")),
            "versions": services.practice_versions(practice),
            "may_translate": practice.status == Practice.Status.PUBLISHED and services.may_write_library(request.user),
            "is_author": practice.author_id == request.user.pk,
            "secretariat": access.is_secretariat(request.user),
            "return_form": PracticeReturnForm(),
        },
    )


def _practice_form_page(request, practice, template="network/practice_form.html", initial=None):
    form = PracticeForm(request.POST or None, instance=practice, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.practice_save(
                practice=form.save(commit=False),
                by=request.user,
                capabilities=form.cleaned_data["capabilities"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Entry saved."))
            return redirect(saved)
    return render(request, template, {"form": form, "practice": practice})


@login_required
def practice_create(request):
    if not services.may_write_library(request.user):
        raise PermissionDenied(_("Good-practice entries are written by coordinators and the secretariat."))
    original = request.GET.get("translation_of", "")
    if not original:
        return _practice_form_page(request, Practice())
    original = _practice_for_user(request, original if original.isdigit() else 0)
    original = original.translation_of or original
    if original.status != Practice.Status.PUBLISHED:
        raise Http404("Only a published entry is translated.")
    practice = Practice(translation_of=original, resources=original.resources, tags=original.tags)
    reader_language = (translation.get_language() or "").split("-")[0]
    initial = {
        "capabilities": list(original.capabilities.values_list("pk", flat=True)),
        "language": reader_language if reader_language != original.language else "",
    }
    return _practice_form_page(request, practice, initial=initial)


@login_required
def practice_update(request, pk):
    practice = _practice_for_user(request, pk)
    if practice.author_id != request.user.pk and not access.is_secretariat(request.user):
        raise PermissionDenied(_("Only the author or the secretariat may change this entry."))
    return _practice_form_page(request, practice)


def _moderation_step(request, pk, step, **kwargs):
    practice = _practice_for_user(request, pk)
    try:
        step(practice=practice, by=request.user, request=request, **kwargs)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Entry status: %(status)s.") % {"status": practice.get_status_display()})
    return redirect(practice)


@login_required
@require_POST
def practice_submit(request, pk):
    return _moderation_step(request, pk, services.practice_submit)


@login_required
@require_POST
def practice_publish(request, pk):
    return _moderation_step(request, pk, services.practice_publish)


@login_required
@require_POST
def practice_return(request, pk):
    form = PracticeReturnForm(request.POST)
    if not form.is_valid():
        practice = _practice_for_user(request, pk)
        if not access.is_secretariat(request.user):
            raise PermissionDenied(_("The secretariat moderates the library."))
        messages.error(request, _("Say what the author should change."))
        return redirect(practice)
    return _moderation_step(request, pk, services.practice_return, reason=form.cleaned_data["reason"])


@login_required
def moderation(request):
    _secretariat(request)
    entries = Practice.objects.filter(status=Practice.Status.SUBMITTED).select_related("author").order_by("updated_at")
    return render(request, "network/moderation.html", {"entries": entries})


# Peer exchange ------------------------------------------------------------------------------------------


def _exchange_country(request):
    countries = list(access.coordinated_countries(request.user))
    return countries[0] if countries else None


def _exchange_version(country):
    cycle = Cycle.objects.filter(country=country).select_related("framework_version").order_by("-opens_on").first()
    if cycle is not None:
        return cycle.framework_version
    return FrameworkVersion.objects.published().order_by("-published_at").first()


def _contacts(country_ids):
    """``{country id: [(name, e-mail)]}`` of coordinators, for exchanges both sides accepted. One query."""
    found = {}
    for role in RoleAssignment.objects.filter(role=Role.COORDINATOR, country_id__in=country_ids).select_related("user"):
        found.setdefault(role.country_id, []).append((role.user.get_full_name() or role.user.username, role.user.email))
    return found


@login_required
def exchange(request):
    """A coordinator sees in which regions some country is open to exchange on each capability (never which),
    asks, and answers requests; contacts show only on accepted replies. The secretariat forwards requests."""
    country = _exchange_country(request)
    secretariat = access.is_secretariat(request.user)
    if country is None and not secretariat:
        raise PermissionDenied(_("Peer exchange is for national coordinators and the secretariat."))
    context = {"country": country, "secretariat": secretariat}
    if country is not None:
        version = _exchange_version(country)
        regions = services.open_regions(exclude_country_id=country.pk)
        capabilities = list(Capability.objects.filter(version=version).order_by("number")) if version else []
        mine = list(
            ExchangeRequest.objects.filter(country=country)
            .select_related("capability", "region")
            .prefetch_related(Prefetch("replies", queryset=ExchangeReply.objects.select_related("country")))
        )
        incoming = list(
            ExchangeReply.objects.filter(country=country)
            .select_related("request__capability", "request__country", "request__requested_by")
            .order_by("-request__requested_at")
        )
        accepted = {r.country_id for m in mine for r in m.replies.all() if r.status == ExchangeReply.Status.ACCEPTED}
        contacts = _contacts(accepted)
        for m in mine:
            for r in m.replies.all():
                r.contacts = contacts.get(r.country_id, []) if r.status == ExchangeReply.Status.ACCEPTED else []
        context |= {
            "open": [(c, regions.get(c.number)) for c in capabilities if c.number in regions],
            "form": ExchangeRequestForm(version=version) if version else None,
            "mine": mine,
            "incoming": incoming,
        }
    if secretariat:
        context["to_forward"] = list(
            access.exchange_requests_for_secretariat(request.user)
            .filter(forwarded_at__isnull=True)
            .select_related("capability", "region")
            .order_by("requested_at")
        )
    return render(request, "network/exchange.html", context)


@login_required
@require_POST
def exchange_ask(request):
    country = _exchange_country(request)
    if country is None:
        raise PermissionDenied(_("Only national coordinators ask for an exchange."))
    form = ExchangeRequestForm(request.POST, version=_exchange_version(country))
    if not form.is_valid():
        messages.error(request, _("Choose a capability and say what you would like to learn."))
        return redirect("network:exchange")
    try:
        services.exchange_request_create(country=country, by=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Request sent. You will see who accepted, and how to reach them, here."))
    return redirect("network:exchange")


@login_required
@require_POST
def exchange_forward(request, pk):
    if not access.is_secretariat(request.user):
        raise Http404("No such request.")
    found = (
        access.exchange_requests_for_secretariat(request.user)
        .select_related("capability", "region")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such request.")
    try:
        services.exchange_forward(exchange=found, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Request forwarded to the open countries."))
    return redirect("network:exchange")


@login_required
@require_POST
def exchange_answer(request, pk, answer):
    if answer not in ("accept", "decline"):
        raise Http404("No such answer.")
    reply = (
        ExchangeReply.objects.select_related("country")
        .filter(pk=pk, country_id__in=coordinated_country_ids(request.user))
        .first()
    )
    if reply is None:
        raise Http404("No such request.")
    try:
        services.exchange_answer(reply=reply, accept=answer == "accept", by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Answer recorded."))
    return redirect("network:exchange")


# Countries and their first coordinator (the secretariat) --------------------------------------------------


def _countries_secretariat(request):
    if not access.is_secretariat(request.user):
        raise PermissionDenied(_("Countries are managed by the network secretariat."))


def _country_for_secretariat(request, pk):
    """A country of the secretariat's scope; anyone else gets 403, a country outside the scope 404."""
    _countries_secretariat(request)
    country = access.secretariat_countries(request.user).filter(pk=pk).first()
    if country is None:
        raise Http404("No such country.")
    return country


@login_required
def countries(request):
    """The countries of the secretariat's scope, by name, with their regions and coordinators. Never a level,
    a count of answers or any order but the name (tests/network/test_no_league_table.py)."""
    _countries_secretariat(request)
    rows = (
        access.secretariat_countries(request.user)
        .order_by("name")
        .prefetch_related(
            Prefetch("regions", queryset=Region.objects.order_by("name")),
            Prefetch(
                "roles",
                queryset=RoleAssignment.objects.filter(role=Role.COORDINATOR)
                .select_related("user")
                .order_by("user__last_name", "user__first_name", "pk"),
                to_attr="coordinators",
            ),
            Prefetch(
                "coordinator_invitations",
                queryset=Invitation.objects.filter(
                    role=Invitation.Offered.COORDINATOR, status=Invitation.Status.PENDING
                ).order_by("email"),
                to_attr="pending_invitations",
            ),
        )
    )
    return render(request, "network/countries.html", {"countries": rows})


def _country_form(request, country):
    regions, whole = access.secretariat_regions(request.user)
    return CountryForm(request.POST or None, instance=country, regions=regions, whole=whole)


@login_required
def country_create(request):
    _countries_secretariat(request)
    form = _country_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            country = services.country_create(
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                regions=form.cleaned_data["regions"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(country)s was added. Invite its national coordinator below.") % {"country": isolate(country)},
            )
            return redirect("network:country_update", pk=country.pk)
    return render(request, "network/country_form.html", {"form": form, "country": None})


def _country_page(request, country, *, form=None, invite_form=None):
    invitations = list(
        Invitation.objects.filter(country=country, role=Invitation.Offered.COORDINATOR)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )
    for invitation in invitations:
        invitation.can_resend = participants.invitation_can_resend(invitation)
    context = {
        "country": country,
        "form": form or _country_form(request, country),
        "invite_form": invite_form or CoordinatorInviteForm(),
        "coordinators": list(
            RoleAssignment.objects.filter(role=Role.COORDINATOR, country=country)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "pk")
        ),
        "invitations": invitations,
    }
    return render(request, "network/country_form.html", context)


@login_required
def country_update(request, pk):
    country = _country_for_secretariat(request, pk)
    form = _country_form(request, country)
    if request.method == "POST" and form.is_valid():
        try:
            country = services.country_update(
                country=country,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                regions=form.cleaned_data["regions"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(country)s was saved.") % {"country": isolate(country)})
            return redirect("network:country_update", pk=country.pk)
    return _country_page(request, country, form=form)


@login_required
@require_POST
def coordinator_invite(request, pk):
    country = _country_for_secretariat(request, pk)
    invite_form = CoordinatorInviteForm(request.POST)
    if invite_form.is_valid():
        try:
            invitation = services.coordinator_invite(
                country=country,
                email=invite_form.cleaned_data["email"],
                first_name=invite_form.cleaned_data["first_name"],
                last_name=invite_form.cleaned_data["last_name"],
                by=request.user,
                base_url=base_url_of(request),
                request=request,
            )
        except ValidationError as exc:
            invite_form.add_error(None, exc)
        else:
            values = {"email": isolate(invitation.email), "country": isolate(country)}
            if invitation.status == Invitation.Status.PENDING:
                messages.success(
                    request,
                    _(
                        "Invitation sent to %(email)s. They already have an account: they become a national "
                        "coordinator of %(country)s once they accept it."
                    )
                    % values,
                )
            else:
                messages.success(request, _("Invitation sent to %(email)s for %(country)s.") % values)
            return redirect("network:country_update", pk=country.pk)
    return _country_page(request, country, invite_form=invite_form)


@login_required
@require_POST
def coordinator_invitation_resend(request, pk, invitation_pk):
    country = _country_for_secretariat(request, pk)
    invitation = Invitation.objects.filter(
        pk=invitation_pk, country=country, role=Invitation.Offered.COORDINATOR
    ).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        invitation = services.coordinator_invitation_resend(
            country=country, invitation=invitation, by=request.user, base_url=base_url_of(request), request=request
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": isolate(invitation.email)})
    return redirect("network:country_update", pk=country.pk)
