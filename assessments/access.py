"""The one scoping mechanism for assessment pages.

Every view fetches its object through these helpers: an object the user may not see is a 404
(so ids cannot be probed); an object the user may see but not change is a 403.

Lists are filtered in the database by the ``visible_to`` querysets; a single questionnaire is
fetched by primary key with what its page shows and decided here, from the roles loaded once per
request (``roles_of``). Both follow the same rule and start from ``RoleAssignment.objects.held_by``,
so a change to which assignments count is made in one place; the permission matrix
(tests/assessments/test_permissions.py) covers both.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Answer, Cycle, Role, RoleAssignment, Submission

# What the questionnaire pages show of a submission, read with it in one query. Who submitted and who
# reviewed are read apart (``_with_people``): two more joins on the user table cost PostgreSQL ~2 ms of
# planning, ten times the query they replace.
SUBMISSION_RELATED = ("cycle__country", "cycle__framework_version", "organisation__sector")
# What an autosave needs of an answer's submission: the access rule (the cycle's country and status, the
# organisation) and the framework tree (the version). Each join left out saves planning time.
ANSWER_SUBMISSION_RELATED = ("submission__cycle__framework_version", "submission__organisation")


def roles_of(user):
    """The user's role assignments, fetched once per request."""
    if not hasattr(user, "_mnr_roles"):
        user._mnr_roles = list(RoleAssignment.objects.held_by(user).select_related("organisation"))
    return user._mnr_roles


def coordinates(user, country_id):
    return user.is_superuser or any(r.role == Role.COORDINATOR and r.country_id == country_id for r in roles_of(user))


def observes(user, country_id):
    return any(r.role == Role.OBSERVER and r.country_id == country_id for r in roles_of(user))


def is_focal_point(user, organisation_id):
    return any(r.role == Role.FOCAL_POINT and r.organisation_id == organisation_id for r in roles_of(user))


def coordinated_country_ids(user):
    return {r.country_id for r in roles_of(user) if r.role == Role.COORDINATOR}


def may_see_submission(user, submission):
    """``SubmissionQuerySet.visible_to`` for one loaded submission (with its cycle)."""
    if not user.is_authenticated:
        return False
    return coordinates(user, submission.cycle.country_id) or (
        is_focal_point(user, submission.organisation_id) and submission.cycle.status != Cycle.Status.DRAFT
    )


def get_cycle_for_user(request, pk, manage=False):
    cycle = Cycle.objects.visible_to(request.user).select_related("country", "framework_version").filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle.")
    if manage and not coordinates(request.user, cycle.country_id):
        raise PermissionDenied("Only the country's national coordinator can change this cycle.")
    return cycle


def _check_submission(user, submission, write, review):
    if submission is None or not may_see_submission(user, submission):
        raise Http404("No such questionnaire.")
    if write and not is_focal_point(user, submission.organisation_id):
        raise PermissionDenied("Only the organisation's focal points can answer this questionnaire.")
    if review and not coordinates(user, submission.cycle.country_id):
        raise PermissionDenied("Only the country's national coordinator can review submissions.")
    return submission


def get_submission_for_user(request, pk, write=False, review=False):
    """``write``: answering (focal points of the organisation); ``review``: return/accept (coordinators).

    One query by primary key (no join through the roles, no DISTINCT), then the decision from the
    roles already loaded for this request.
    """
    submission = Submission.objects.select_related(*SUBMISSION_RELATED).filter(pk=pk).first()
    return _with_people(_check_submission(request.user, submission, write, review))


def _with_people(submission):
    """The submission with who submitted and who reviewed it: one query, and none for a draft never sent."""
    ids = {submission.submitted_by_id, submission.reviewed_by_id} - {None}
    if ids:
        people = get_user_model().objects.in_bulk(ids)
        submission.submitted_by = people.get(submission.submitted_by_id)
        submission.reviewed_by = people.get(submission.reviewed_by_id)
    return submission


def get_answer_for_user(request, pk, answer_pk, write=False):
    """One answer of questionnaire ``pk``, read with its submission in one query; the same decision as
    ``get_submission_for_user`` (an answer of another questionnaire is a 404)."""
    answer = (
        Answer.objects.select_related(*ANSWER_SUBMISSION_RELATED)
        .filter(pk=answer_pk, submission_id=pk)
        .first()
    )
    _check_submission(request.user, answer.submission if answer is not None else None, write, review=False)
    return answer
