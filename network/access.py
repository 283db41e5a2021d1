"""Who may see what of the network, from the roles ``assessments.access.roles_of`` loads once per request.

The secretariat is a ``RoleAssignment`` (role ``secretariat``), narrowed to regions by
``SecretariatRegion`` rows; coordinators act for the countries they coordinate. A country's own pages
(its shared report) are reachable by the secretariat only through a current ``secretariat`` consent of
that cycle, for a country in the secretariat's scope: otherwise 404, as any object one may not see.
"""

from django.http import Http404

from assessments.access import coordinated_country_ids, roles_of
from assessments.models import Country, Cycle, Role

from .models import Consent, Region, SecretariatRegion


def secretariat_role(user):
    if not user.is_authenticated:
        return None
    return next((r for r in roles_of(user) if r.role == Role.SECRETARIAT), None)


def is_secretariat(user):
    return user.is_authenticated and (user.is_superuser or secretariat_role(user) is not None)


def secretariat_regions(user):
    """The regions a secretariat sees: all of them for the whole network (and superusers), else its own."""
    role = secretariat_role(user)
    if user.is_superuser or (role is not None and not SecretariatRegion.objects.filter(assignment=role).exists()):
        return Region.objects.all(), True
    if role is None:
        return Region.objects.none(), False
    return Region.objects.filter(pk__in=SecretariatRegion.objects.filter(assignment=role).values("region_id")), False


def secretariat_countries(user):
    """Countries in the secretariat's scope (every country for the whole network)."""
    regions, whole = secretariat_regions(user)
    if whole:
        return Country.objects.all()
    return Country.objects.filter(regions__in=regions).distinct()


def exchange_requests_for_secretariat(user):
    """Requests routed through the secretariat whose asking country lies in its scope."""
    from .models import ExchangeRequest

    regions, whole = secretariat_regions(user)
    requests = ExchangeRequest.objects.filter(route=ExchangeRequest.Route.SECRETARIAT)
    if whole:
        return requests
    return requests.filter(country__in=secretariat_countries(user))


def coordinated_countries(user):
    return Country.objects.filter(pk__in=coordinated_country_ids(user)).order_by("name")


def get_shared_cycle_for_secretariat(request, pk):
    """A closed cycle whose country shared its results with the secretariat (a current consent) and lies
    in the secretariat's scope; anything else is a 404."""
    if not is_secretariat(request.user):
        raise Http404("No such report.")
    cycle = (
        Cycle.objects.select_related("country", "framework_version")
        .filter(
            pk=pk,
            status=Cycle.Status.CLOSED,
            country__in=secretariat_countries(request.user),
            network_consents__kind=Consent.Kind.SECRETARIAT,
            network_consents__withdrawn_at__isnull=True,
        )
        .first()
    )
    if cycle is None:
        raise Http404("No such report.")
    return cycle
