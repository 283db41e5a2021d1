"""Arbitrary input to the autosave endpoint, the main forms and every page's query string: never a 500,
never a half-saved row.

Hypothesis sends text, numbers and missing fields where the forms expect levels, dates, ids and
e-mail addresses. Refused input must come back as a 4xx or as the form with its errors; accepted
input must be saved whole. The database persists across the examples of one test, so the checks
are invariants that hold whatever happened before (version = number of revisions, every new
organisation takes part in the cycle, every invited account holds its role...), plus "unchanged"
snapshots around each refused request.
"""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import (
    Answer,
    AnswerRevision,
    Choice,
    Cycle,
    CycleTarget,
    Organisation,
    Role,
    RoleAssignment,
    Submission,
)
from capabilities.models import Indicator
from reports.models import EnablerScore, ValidatedLevel
from tests.assessments.test_permissions import MATRIX, POST_ONLY, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no example database written into the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HTMX = {"HX-Request": "true"}

TRICKY = st.sampled_from(
    ["", " ", "0", "-1", "4", "5", "07", "1.5", "1e3", "99999999999999999999", "\x00", "null", "<b>x</b>", "٣"]
)
JUNK = st.one_of(st.text(max_size=300), st.integers().map(str), TRICKY)


def maybe(strategy):
    """A value, or None for a field left out of the post."""
    return st.one_of(st.none(), strategy)


def post_data(fields):
    """The fields that are not None, and the CSRF field every browser post carries (the test client skips the check).

    With no field at all, ``Form(request.POST or None)`` would be unbound and come back without errors;
    no browser sends such a post.
    """
    return {"csrfmiddlewaretoken": "x"} | {name: value for name, value in fields.items() if value is not None}


def acceptable(text, max_length):
    """Whether a CharField takes this text: forms refuse NUL characters and overlong values."""
    return "\x00" not in (text or "") and len(text or "") <= max_length


def refused_or_redirected(response):
    """A refusal is the form again (200 with errors) or a 4xx; acceptance is a redirect."""
    assert response.status_code < 500
    return response.status_code != 302


# Autosave -------------------------------------------------------------------------------------------------


def answer_snapshot(answer_id):
    answer = Answer.objects.get(pk=answer_id)
    revisions = list(AnswerRevision.objects.filter(answer_id=answer_id).order_by("version"))
    return answer, revisions


def assert_answer_consistent(answer_id):
    answer, revisions = answer_snapshot(answer_id)
    assert [r.version for r in revisions] == list(range(1, answer.version + 1))
    if revisions:
        last = revisions[-1]
        assert (answer.choice, answer.evidence, answer.comment) == (last.choice, last.evidence, last.comment)
    else:
        assert (answer.choice, answer.evidence, answer.comment) == ("", "", "")
    return answer, revisions


VERSION = st.one_of(st.just("current"), st.integers(min_value=-5, max_value=10**30).map(str), JUNK)


@FUZZ
@given(
    choice=maybe(st.one_of(st.sampled_from(Choice.values), JUNK)),
    evidence=maybe(st.one_of(st.text(max_size=500), TRICKY)),
    comment=maybe(st.text(max_size=300)),
    version=maybe(VERSION),
    overwrite=maybe(VERSION),
    htmx=st.booleans(),
)
def test_autosave_never_fails_and_never_half_saves(
    client, focal_point, answer, choice, evidence, comment, version, overwrite, htmx
):
    client.force_login(focal_point)
    before, revisions_before = assert_answer_consistent(answer.pk)
    prefix = f"a{answer.pk}"
    current = str(before.version)
    data = post_data(
        {
            f"{prefix}-choice": choice,
            f"{prefix}-evidence": evidence,
            f"{prefix}-comment": comment,
            f"{prefix}-version": current if version == "current" else version,
            f"{prefix}-overwrite": current if overwrite == "current" else overwrite,
        }
    )

    response = client.post(
        reverse("assessments:answer_update", args=[answer.submission_id, answer.pk]),
        data,
        headers=HTMX if htmx else None,
    )

    assert response.status_code in ((200,) if htmx else (302,)) + (400, 409, 422), response.status_code
    after, revisions = assert_answer_consistent(answer.pk)
    saved = response.status_code in (200, 302)
    if saved and after.version != before.version:
        assert after.version == before.version + 1
        assert (after.choice, after.evidence, after.comment) == (
            choice or "",
            (evidence or "").strip(),
            (comment or "").strip(),
        )
    else:
        # Refused, or accepted with nothing to change: the row and its history are as they were.
        assert (after.choice, after.evidence, after.comment, after.version) == (
            before.choice,
            before.evidence,
            before.comment,
            before.version,
        )
        assert revisions == revisions_before
    if after.choice in ("3", "4"):
        assert after.evidence, "a level of 3 or 4 was saved without evidence"


# Coordinator forms ---------------------------------------------------------------------------------------


DATE = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)).map(date.isoformat),
    JUNK,
)


@FUZZ
@given(
    country=maybe(st.one_of(st.just("own"), JUNK)),
    version=maybe(st.one_of(st.just("own"), JUNK)),
    title=maybe(JUNK),
    period=maybe(JUNK),
    opens_on=maybe(DATE),
    closes_on=maybe(DATE),
)
def test_cycle_create_refuses_junk_without_a_partial_cycle(
    client, coordinator, country_a, tiny_framework, country, version, title, period, opens_on, closes_on
):
    client.force_login(coordinator)
    cycles = Cycle.objects.count()
    data = post_data(
        {
            "country": country_a.pk if country == "own" else country,
            "framework_version": tiny_framework.pk if version == "own" else version,
            "title": title,
            "period": period,
            "opens_on": opens_on,
            "closes_on": closes_on,
        }
    )

    response = client.post(reverse("assessments:cycle_create"), data)

    if refused_or_redirected(response):
        assert response.status_code == 200 and response.context["form"].errors
        assert Cycle.objects.count() == cycles
    else:
        cycle = Cycle.objects.latest("pk")
        assert Cycle.objects.count() == cycles + 1
        assert (cycle.title, cycle.period) == (title.strip(), period.strip())
        assert cycle.closes_on >= cycle.opens_on
    # Every cycle has its whole set of targets, never some of them.
    capabilities = tiny_framework.capabilities.count()
    for cycle_id in Cycle.objects.values_list("pk", flat=True):
        assert CycleTarget.objects.filter(cycle_id=cycle_id).count() == capabilities


def assert_participation_whole(cycle):
    """Every organisation of the country takes part in the cycle, and every submission has all its answers."""
    assert not Organisation.objects.filter(country=cycle.country, submissions__isnull=True).exists()
    for submission in Submission.objects.filter(cycle=cycle).select_related("organisation"):
        expected = Indicator.objects.filter(version=cycle.framework_version, sectors=submission.organisation.sector)
        assert submission.answers.count() == expected.count()


@FUZZ
@given(
    existing=maybe(st.one_of(st.just("spare"), JUNK)),
    name=maybe(JUNK),
    sector=maybe(st.one_of(st.just("known"), JUNK)),
)
def test_adding_a_participant_with_junk_keeps_no_orphan_organisation(
    client, coordinator, cycle, country_a, existing, name, sector
):
    from tests.factories import OrganisationFactory, SectorFactory

    client.force_login(coordinator)
    # An organisation of the country not yet in the cycle, for the "existing organisation" choice.
    spare = OrganisationFactory(country=country_a, sector=SectorFactory(code="ngo"))
    organisations = Organisation.objects.count()
    data = post_data(
        {
            "organisation": spare.pk if existing == "spare" else existing,
            "name": name,
            "sector": SectorFactory(code="law_enforcement").pk if sector == "known" else sector,
        }
    )

    response = client.post(reverse("assessments:cycle_add_participant", args=[cycle.pk]), data)

    assert response.status_code == 302
    assert Organisation.objects.count() - organisations in (0, 1)
    if not Submission.objects.filter(cycle=cycle, organisation=spare).exists():
        spare.delete()  # this example's own spare did not join; any other organisation left out is the app's
    assert_participation_whole(cycle)


# Valid addresses of 125 to 370 characters: longer than a username may be.
LONG_EMAIL = st.integers(1, 5).map(lambda n: f"{'a' * 60}@{'.'.join(['b' * 60] * n)}.org")


@FUZZ
@given(
    org=maybe(st.one_of(st.just("own"), JUNK)),
    email=maybe(st.one_of(st.emails(), LONG_EMAIL, JUNK)),
    first_name=maybe(JUNK),
    last_name=maybe(JUNK),
)
def test_inviting_with_junk_creates_no_account_without_its_role(
    client, coordinator, cycle, organisation, django_capture_on_commit_callbacks, org, email, first_name, last_name
):
    client.force_login(coordinator)
    mail.outbox.clear()
    users, roles = get_user_model().objects.count(), RoleAssignment.objects.count()
    data = post_data(
        {
            "organisation": organisation.pk if org == "own" else org,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:cycle_invite", args=[cycle.pk]), data)

    assert response.status_code == 302
    new_roles = RoleAssignment.objects.count() - roles
    assert new_roles in (0, 1)
    assert 0 <= get_user_model().objects.count() - users <= new_roles  # no account without its role
    assert len(mail.outbox) == new_roles  # an invitation is e-mailed exactly when it was recorded
    # An invited account (no usable password yet) always holds the role it was invited for.
    for user in get_user_model().objects.filter(password__startswith="!"):
        assert RoleAssignment.objects.filter(user=user, role=Role.FOCAL_POINT, organisation__isnull=False).exists()


@FUZZ
@given(levels=st.lists(maybe(st.one_of(st.integers(min_value=0, max_value=4).map(str), JUNK)), min_size=3, max_size=3))
def test_targets_with_junk_change_nothing_or_everything_valid(client, coordinator, cycle, levels):
    client.force_login(coordinator)
    targets = list(cycle.targets.order_by("capability__number"))
    before = {t.pk: t.target_level for t in targets}
    data = post_data({f"cap_{t.capability_id}": level for t, level in zip(targets, levels, strict=True)})

    response = client.post(reverse("assessments:cycle_targets", args=[cycle.pk]), data)

    after = dict(CycleTarget.objects.filter(cycle=cycle).values_list("pk", "target_level"))
    if refused_or_redirected(response):
        assert response.status_code == 200 and response.context["form"].errors
        assert after == before
    else:
        assert after == {t.pk: int(level) for t, level in zip(targets, levels, strict=True)}


@FUZZ
@given(reason=maybe(JUNK))
def test_returning_with_junk_returns_whole_or_not_at_all(client, coordinator, submission, reason):
    client.force_login(coordinator)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED, return_reason="")
    mail.outbox.clear()

    response = client.post(
        reverse("assessments:submission_return", args=[submission.pk]), post_data({"reason": reason})
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    if submission.status == Submission.Status.RETURNED:
        assert submission.return_reason and submission.return_reason == reason.strip()
        assert submission.reviewed_by == coordinator
    else:
        assert (submission.status, submission.return_reason) == (Submission.Status.SUBMITTED, "")
        assert not mail.outbox


@FUZZ
@given(
    number=st.sampled_from([1, 3, 4]), level=maybe(st.one_of(st.integers(0, 4).map(str), JUNK)), rationale=maybe(JUNK)
)
def test_validated_levels_with_junk_are_saved_whole_or_not_at_all(client, coordinator, cycle, number, level, rationale):
    client.force_login(coordinator)
    before = dict(ValidatedLevel.objects.filter(cycle=cycle).values_list("capability__number", "level"))
    data = post_data({f"v{number}-level": level, f"v{number}-rationale": rationale})

    response = client.post(reverse("reports:validated_level_set", args=[cycle.pk, number]), data)

    assert response.status_code == 302
    after = dict(ValidatedLevel.objects.filter(cycle=cycle).values_list("capability__number", "level"))
    valid = level in {"0", "1", "2", "3", "4"} and (rationale or "").strip() and acceptable(rationale, 5000)
    cleared = level in (None, "") and acceptable(rationale, 5000)
    if valid:
        saved = ValidatedLevel.objects.get(cycle=cycle, capability__number=number)
        assert (saved.level, saved.rationale) == (int(level), rationale.strip())
    elif cleared:
        assert number not in after
    else:
        assert after == before
    assert not ValidatedLevel.objects.filter(rationale="").exists()


@FUZZ
@given(level=maybe(st.one_of(st.integers(0, 4).map(str), JUNK)), rationale=maybe(JUNK))
def test_enabler_scores_with_junk_are_saved_whole_or_not_at_all(client, coordinator, cycle, level, rationale):
    client.force_login(coordinator)
    enabler = cycle.framework_version.enablers.get()
    before = list(EnablerScore.objects.filter(cycle=cycle).values_list("level", "rationale"))
    data = post_data({f"e{enabler.pk}-level": level, f"e{enabler.pk}-rationale": rationale})

    response = client.post(reverse("reports:enabler_score_set", args=[cycle.pk, enabler.pk]), data)

    assert response.status_code == 302
    after = list(EnablerScore.objects.filter(cycle=cycle).values_list("level", "rationale"))
    if level in {"0", "1", "2", "3", "4"} and acceptable(rationale, 5000):
        assert after == [(int(level), (rationale or "").strip())]
    elif level in (None, "") and acceptable(rationale, 5000):
        assert after == []
    else:
        assert after == before


# Login ------------------------------------------------------------------------------------------------------


@FUZZ
@given(username=maybe(st.one_of(st.just("farid"), JUNK)), password=maybe(JUNK))
def test_login_with_junk_gives_the_form_back(client, focal_point, username, password):
    client.logout()

    response = client.post(reverse("login"), post_data({"username": username, "password": password}))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


# Query strings of every page ------------------------------------------------------------------------------

# Names every page might read, besides those its own links and forms reveal (see ``parameter_names``).
COMMON_PARAMETERS = ["country", "cycle", "page", "p", "o", "q", "e", "next", "status", "version", "all", "_to_field"]
QUERY_VALUE = st.one_of(JUNK, st.just("1"), st.lists(JUNK, min_size=2, max_size=3))
QUERY_PAGES = [name for name, route in MATRIX.items() if route.get != POST_ONLY]
ADMIN_LISTS = [f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist" for m in admin.site._registry]


def parameter_names(body):
    """The query parameters a page's own links and fields use: the filters of a list, its paging and search."""
    names = set(re.findall(r"[?&;](?:amp;)?([A-Za-z_][\w-]*)=", body))
    return sorted(names | set(re.findall(r'name="([A-Za-z_][\w-]*)"', body)) | set(COMMON_PARAMETERS))


def fuzz_query_strings(client, url, data):
    page = client.get(url)
    html = not page.streaming and page.get("Content-Type", "").startswith("text/html")
    names = parameter_names(page.content.decode() if html else "")
    query = data.draw(
        st.dictionaries(st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12)), QUERY_VALUE, max_size=4)
    )
    response = client.get(url, query)
    assert response.status_code < 500, (url, query)


@FUZZ
@given(persona=st.sampled_from(["coordinator", "superuser", "observer", "focal_point", "outsider"]), data=st.data())
@pytest.mark.parametrize("name", QUERY_PAGES)
def test_no_query_string_makes_a_page_fail(client, world, name, persona, data):  # noqa: F811 (the fixture)
    route = MATRIX[name]
    if route.prepare and not getattr(world, "prepared", False):  # once: the fixture lives across examples
        route.prepare(world)
        world.prepared = True
    client.force_login(world.personas[persona])
    fuzz_query_strings(client, reverse(name, args=route.args(world)), data)


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("name", ADMIN_LISTS)
def test_no_query_string_makes_an_admin_list_fail(client, superuser, cycle, name, data):
    client.force_login(superuser)
    fuzz_query_strings(client, reverse(name), data)


def test_the_audit_trail_answers_404_for_a_country_that_is_not_a_number_or_not_the_users(
    client, coordinator, country_a, country_b
):
    client.force_login(coordinator)
    url = reverse("assessments:audit_trail")

    assert client.get(url).context["country"] == country_a
    assert client.get(url, {"country": country_a.pk}).context["country"] == country_a
    for junk in ("abc", "", " ", "-1", "1.0", "٣", "\x00", "99999999999999999999", str(country_b.pk)):
        response = client.get(url, {"country": junk})
        assert response.status_code == (200 if not junk.strip() else 404), junk
