"""The one scoping mechanism for assessment pages.

Every view fetches its object through these helpers: an object the user may not see is a 404
(so ids cannot be probed); an object the user may see but not change is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Cycle, Role, RoleAssignment, Submission


def roles_of(user):
    """The user's role assignments, fetched once per request."""
    if not hasattr(user, "_mnr_roles"):
        user._mnr_roles = list(RoleAssignment.objects.filter(user=user).select_related("organisation"))
    return user._mnr_roles


def coordinates(user, country_id):
    return user.is_superuser or any(r.role == Role.COORDINATOR and r.country_id == country_id for r in roles_of(user))


def observes(user, country_id):
    return any(r.role == Role.OBSERVER and r.country_id == country_id for r in roles_of(user))


def is_focal_point(user, organisation_id):
    return any(r.role == Role.FOCAL_POINT and r.organisation_id == organisation_id for r in roles_of(user))


def coordinated_country_ids(user):
    return {r.country_id for r in roles_of(user) if r.role == Role.COORDINATOR}


def get_cycle_for_user(request, pk, manage=False):
    cycle = Cycle.objects.visible_to(request.user).select_related("country", "framework_version").filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle.")
    if manage and not coordinates(request.user, cycle.country_id):
        raise PermissionDenied("Only the country's national coordinator can change this cycle.")
    return cycle


def get_submission_for_user(request, pk, write=False, review=False):
    """``write``: answering (focal points of the organisation); ``review``: return/accept (coordinators)."""
    submission = (
        Submission.objects.visible_to(request.user)
        .select_related(
            "cycle__country", "cycle__framework_version", "organisation__sector", "submitted_by", "reviewed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404("No such questionnaire.")
    if write and not is_focal_point(request.user, submission.organisation_id):
        raise PermissionDenied("Only the organisation's focal points can answer this questionnaire.")
    if review and not coordinates(request.user, submission.cycle.country_id):
        raise PermissionDenied("Only the country's national coordinator can review submissions.")
    return submission
