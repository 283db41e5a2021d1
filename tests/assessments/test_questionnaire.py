"""Answering a questionnaire: autosave (htmx), the plain form fallback, validation and optimistic locking."""

import html
import re
import threading
from datetime import timedelta

import pytest
from django.db import InterfaceError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, AnswerRevision, Submission
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
EVIDENCE_MESSAGE = "Levels 3 and 4 say the arrangement is established and working"


def update_url(answer):
    return reverse("assessments:answer_update", args=[answer.submission_id, answer.pk])


def capability_url(answer):
    return reverse(
        "assessments:questionnaire_capability", args=[answer.submission_id, answer.indicator.capability.number]
    )


def payload(answer, *, choice="", evidence="", comment="", version=None, overwrite=None):
    prefix = f"a{answer.pk}"
    data = {
        f"{prefix}-choice": choice,
        f"{prefix}-evidence": evidence,
        f"{prefix}-comment": comment,
        f"{prefix}-version": answer.version if version is None else version,
    }
    if overwrite is not None:
        data[f"{prefix}-overwrite"] = overwrite
    return data


def element(body, element_id):
    """The text inside the element with this id (the fragments here do not nest divs)."""
    match = re.search(rf'<(\w+) id="{element_id}"[^>]*>(.*?)</\1>', body, re.S)
    assert match, f"no element #{element_id}"
    return " ".join(html.unescape(match.group(2)).split())


def textarea(body, name):
    match = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', body, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


def checked_choice(body, name):
    values = re.findall(rf'<input type="radio"[^>]*name="{name}" value="(\w+)"[^>]*\bchecked\b', body)
    return values[0] if values else None


def hidden_version(body, answer):
    return int(re.search(rf'id="version-{answer.pk}" name="a{answer.pk}-version" value="(\d+)"', body).group(1))


def unchanged(answer, *, choice="", evidence="", version=0):
    answer.refresh_from_db()
    assert (answer.choice, answer.evidence, answer.version) == (choice, evidence, version)
    assert not AnswerRevision.objects.filter(answer=answer, version__gt=version).exists()


# Autosave ---------------------------------------------------------------------------------------------


def test_autosave_persists_the_answer_and_records_a_revision(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(
        update_url(answer), payload(answer, choice="2", evidence="  Decree 12/2024 sets up the board.  "), headers=HTMX
    )

    assert response.status_code == 200
    assert element(response.content.decode(), f"state-{answer.pk}").startswith("Saved")
    assert hidden_version(response.content.decode(), answer) == 1
    answer.refresh_from_db()
    assert (answer.choice, answer.evidence, answer.version) == ("2", "Decree 12/2024 sets up the board.", 1)
    assert answer.updated_by == focal_point
    revision = AnswerRevision.objects.get(answer=answer)
    assert (revision.version, revision.choice, revision.changed_by) == (1, "2", focal_point)
    assert revision.evidence == "Decree 12/2024 sets up the board."
    assert Submission.objects.get(pk=answer.submission_id).last_activity_at == answer.updated_at


def test_autosave_of_an_unchanged_answer_adds_no_revision(client, focal_point, answer):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="1"), headers=HTMX)

    response = client.post(update_url(answer), payload(answer, choice="1", version=1), headers=HTMX)

    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.version == 1
    assert AnswerRevision.objects.filter(answer=answer).count() == 1


@pytest.mark.parametrize("level", ["3", "4"])
def test_levels_three_and_four_without_evidence_are_refused_and_nothing_is_saved(client, focal_point, answer, level):
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice=level, evidence="   "), headers=HTMX)

    assert response.status_code == 422
    body = response.content.decode()
    assert EVIDENCE_MESSAGE in element(body, f"err-{answer.pk}-evidence")
    assert element(body, f"state-{answer.pk}") == "Not saved: correct the answer below."
    unchanged(answer)


def test_level_three_with_evidence_is_saved(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="3", evidence="Meets monthly."), headers=HTMX)

    assert response.status_code == 200
    answer.refresh_from_db()
    assert (answer.choice, answer.version) == ("3", 1)


def test_an_invalid_choice_is_refused_and_nothing_is_saved(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="7", evidence="Something."), headers=HTMX)

    assert response.status_code == 422
    assert "7 is not one of the available choices" in element(response.content.decode(), f"err-{answer.pk}-choice")
    unchanged(answer)


def test_a_missing_version_asks_for_a_reload(client, focal_point, answer):
    client.force_login(focal_point)
    data = payload(answer, choice="1")
    del data[f"a{answer.pk}-version"]

    response = client.post(update_url(answer), data, headers=HTMX)

    assert response.status_code == 400
    assert "reload the page" in element(response.content.decode(), f"state-{answer.pk}")
    unchanged(answer)


def test_a_saved_answer_brings_the_side_navigation_counts_along(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)

    body = response.content.decode()
    nav = re.search(r'<nav id="questionnaire-nav"[^>]*hx-swap-oob="true"[^>]*>(.*?)</nav>', body, re.S)
    assert nav, "no navigation in the saved fragment"
    counts = " ".join(nav.group(1).split())
    assert '1. Leadership</a> <span class="text-body-secondary">(1/2)</span>' in counts
    assert '3. Legislation</a> <span class="text-body-secondary">(0/1)</span>' in counts
    assert "1/3" in counts  # overall


def test_an_autosave_costs_a_fixed_number_of_queries(
    client, focal_point, answer, submission, django_assert_num_queries
):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="1"), headers=HTMX)  # the session is stamped
    other = submission.answers.get(indicator__code="C03.1")
    client.post(update_url(other), payload(other, choice="dk"), headers=HTMX)

    # The common autosave: more evidence typed into an answered indicator, seconds after the last save.
    # 3 middleware: session, user, roles (two-step check; then the access decision)
    # 1 view: the answer with its submission, cycle, country, framework version and organisation
    #   (levels, indicator and descriptors come from the cached framework tree)
    # 5 answer_save: savepoint, the submission and cycle locked and re-read, conditional update,
    #   revision, release. (The savepoint pair is the test's own transaction: outside a test the
    #   service's transaction is BEGIN/COMMIT and issues 3 statements.)
    # No navigation: its counts did not change. No activity stamp: it is less than a minute old.
    with django_assert_num_queries(9):
        response = client.post(update_url(answer), payload(answer, choice="2", evidence="A", version=1), headers=HTMX)
    assert response.status_code == 200
    assert "questionnaire-nav" not in response.content.decode()


def test_an_autosave_that_answers_an_indicator_adds_the_navigation_and_the_activity_stamp(
    client, focal_point, answer, submission, django_assert_num_queries
):
    client.force_login(focal_point)
    other = submission.answers.get(indicator__code="C03.1")
    client.post(update_url(other), payload(other, choice="dk"), headers=HTMX)  # the session is stamped
    Submission.objects.filter(pk=submission.pk).update(last_activity_at=timezone.now() - timedelta(minutes=5))

    # 9 as above, and 10 the submission's last activity (older than a minute), 11 answers counted per
    # capability (the navigation follows: this indicator is now answered).
    with django_assert_num_queries(11):
        response = client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)
    assert response.status_code == 200
    assert "questionnaire-nav" in response.content.decode()
    submission.refresh_from_db()
    assert submission.last_activity_at > timezone.now() - timedelta(seconds=5)


def test_saves_within_a_minute_stamp_the_submissions_activity_once(client, focal_point, answer, submission):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="1"), headers=HTMX)
    first = Submission.objects.get(pk=submission.pk).last_activity_at

    client.post(update_url(answer), payload(answer, choice="1", evidence="More", version=1), headers=HTMX)

    answer.refresh_from_db()
    assert answer.version == 2
    assert Submission.objects.get(pk=submission.pk).last_activity_at == first


def test_an_unanswered_indicator_brings_the_navigation_back_to_fewer_answers(client, focal_point, answer):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)

    response = client.post(update_url(answer), payload(answer, choice="", version=1), headers=HTMX)

    nav = re.search(
        r'<nav id="questionnaire-nav"[^>]*hx-swap-oob="true"[^>]*>(.*?)</nav>', response.content.decode(), re.S
    )
    assert nav, "no navigation in the saved fragment"
    assert "0/3" in " ".join(nav.group(1).split())


def test_a_refused_answer_leaves_the_navigation_alone(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="4"), headers=HTMX)

    assert response.status_code == 422
    assert "questionnaire-nav" not in response.content.decode()


def test_the_capability_page_tells_the_script_where_the_csrf_cookie_is(client, focal_point, answer, settings):
    """Logging in again in another tab rotates the CSRF token: the script reads the cookie, not the page."""
    settings.CSRF_COOKIE_NAME = "mnr_csrf"
    client.force_login(focal_point)

    body = client.get(capability_url(answer)).content.decode()

    assert 'data-csrf-cookie="mnr_csrf"' in body
    assert "js/autosave.js" in body
    assert "hx-post" not in body  # the script, not htmx, sends the answers


def test_the_autosave_endpoint_checks_the_csrf_token_it_is_sent(focal_point, answer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    client.get(capability_url(answer))
    token = client.cookies["csrftoken"].value

    refused = client.post(update_url(answer), payload(answer, choice="1"), headers=HTMX)
    saved = client.post(update_url(answer), payload(answer, choice="1"), headers={**HTMX, "X-CSRFToken": token})

    assert (refused.status_code, saved.status_code) == (403, 200)
    answer.refresh_from_db()
    assert answer.choice == "1"


# The database times out or goes away ---------------------------------------------------------------------


def failing(error, table='"assessments_answer"', verb="UPDATE"):
    """An execute wrapper: statements of ``verb`` on ``table`` raise ``error`` as the driver would."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(verb) and table in sql:
            raise error
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("canceling statement due to lock timeout"),  # SQLSTATE 55P03
        OperationalError("canceling statement due to statement timeout"),  # SQLSTATE 57014
    ],
)
def test_a_database_time_out_answers_503_with_a_retryable_message(client, focal_point, answer, error):
    client.force_login(focal_point)

    with connection.execute_wrapper(failing(error)):
        response = client.post(update_url(answer), payload(answer, choice="2", comment="Typed."), headers=HTMX)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert element(response.content.decode(), f"state-{answer.pk}") == (
        "Not saved: the database is busy or unavailable. What you typed is kept; try again in a moment."
    )
    unchanged(answer)
    # The same request, sent again once the database answers, saves.
    again = client.post(update_url(answer), payload(answer, choice="2", comment="Typed."), headers=HTMX)
    assert again.status_code == 200
    answer.refresh_from_db()
    assert (answer.choice, answer.comment, answer.version) == ("2", "Typed.", 1)


def test_a_database_lost_while_reading_the_answer_answers_503(client, focal_point, answer):
    client.force_login(focal_point)

    with connection.execute_wrapper(
        failing(InterfaceError("connection already closed"), '"assessments_submission"', "SELECT")
    ):
        response = client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)

    assert response.status_code == 503
    assert "database is busy or unavailable" in element(response.content.decode(), f"state-{answer.pk}")
    unchanged(answer)


def test_a_plain_post_during_a_database_time_out_gets_a_503_page_and_saves_nothing(client, focal_point, answer):
    client.force_login(focal_point)

    with connection.execute_wrapper(failing(OperationalError("canceling statement due to lock timeout"))):
        response = client.post(update_url(answer), payload(answer, choice="2"))

    assert response.status_code == 503
    assert "database is busy or unavailable" in response.content.decode()
    unchanged(answer)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_answer_locked_past_the_lock_timeout_answers_503_on_postgresql(client, focal_point, answer):
    """A real lock wait: another connection holds the answer's row until PostgreSQL gives up (55P03)."""
    require_postgres()
    client.force_login(focal_point)
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                Answer.objects.select_for_update().get(pk=answer.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        response = client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert response.status_code == 503
    assert "database is busy or unavailable" in element(response.content.decode(), f"state-{answer.pk}")
    unchanged(answer)
    assert client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX).status_code == 200


# Signed out while the page is open -----------------------------------------------------------------------


def test_an_autosave_without_a_session_gets_401_not_the_login_page(client, answer):
    response = client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)

    assert response.status_code == 401
    unchanged(answer)


def test_logging_out_through_htmx_keeps_its_redirect(client, focal_point):
    """Only a request that arrives signed out gets 401; one that signs out is answered as usual."""
    client.force_login(focal_point)

    response = client.post(reverse("logout"), headers=HTMX)

    assert response.status_code == 302


def test_a_plain_post_without_a_session_goes_to_the_login_page(client, answer):
    response = client.post(update_url(answer), payload(answer, choice="2"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    unchanged(answer)


def test_an_autosave_after_the_idle_time_out_gets_401_and_the_next_ones_too(client, focal_point, answer, settings):
    client.force_login(focal_point)
    session = client.session
    session["mnr_session_seen"] -= settings.SESSION_IDLE_TIMEOUT + 1
    session.save()

    first = client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)
    second = client.post(update_url(answer), payload(answer, choice="2", comment="More."), headers=HTMX)

    assert (first.status_code, second.status_code) == (401, 401)
    unchanged(answer)


def test_after_logging_in_again_the_kept_text_saves_on_its_old_version(client, focal_point, answer):
    """The page was loaded before the session ended: its version still holds, nothing is retyped."""
    client.force_login(focal_point)
    client.logout()
    assert client.post(update_url(answer), payload(answer, comment="Kept."), headers=HTMX).status_code == 401

    client.force_login(focal_point)
    response = client.post(update_url(answer), payload(answer, comment="Kept."), headers=HTMX)

    assert response.status_code == 200
    answer.refresh_from_db()
    assert (answer.comment, answer.version) == ("Kept.", 1)


def test_a_short_idle_time_out_is_kept_alive_by_activity(client, focal_point, answer, settings):
    """The last-seen stamp is written at least every half time-out, so activity keeps the session."""
    settings.SESSION_IDLE_TIMEOUT = 10
    client.force_login(focal_point)
    session = client.session
    session["mnr_session_seen"] -= 6  # active 6 s ago: past half the time-out, within it
    session.save()

    assert client.post(update_url(answer), payload(answer, choice="1"), headers=HTMX).status_code == 200
    session = client.session
    session["mnr_session_seen"] -= 6  # six more seconds: 12 s after the first stamp, 6 after the last
    session.save()
    assert client.post(update_url(answer), payload(answer, choice="2", version=1), headers=HTMX).status_code == 200


# Optimistic locking ------------------------------------------------------------------------------------


def test_a_save_on_a_stale_version_is_a_conflict_showing_the_other_persons_answer(
    client, focal_point, second_focal_point, answer
):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="2", evidence="Decree 12/2024."), headers=HTMX)
    client.force_login(second_focal_point)

    response = client.post(update_url(answer), payload(answer, choice="0", evidence="", version=0), headers=HTMX)

    assert response.status_code == 409
    state = element(response.content.decode(), f"state-{answer.pk}")
    assert "someone else changed this answer" in state
    assert "Farid Osei saved it at" in state
    assert "Level 2" in state and "Decree 12/2024." in state
    assert f'name="a{answer.pk}-overwrite" value="1"' in response.content.decode()
    unchanged(answer, choice="2", evidence="Decree 12/2024.", version=1)
    assert AnswerRevision.objects.get(answer=answer, version=1).changed_by == focal_point


def test_after_a_conflict_the_form_keeps_its_version_so_only_save_mine_instead_overwrites(
    client, focal_point, second_focal_point, answer
):
    """Autosave fires on every pause in typing: had the conflict reply moved the form to the
    current version, the next keystroke would silently overwrite the other person's answer."""
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="2", evidence="Decree 12/2024."), headers=HTMX)
    client.force_login(second_focal_point)

    conflict = client.post(update_url(answer), payload(answer, choice="0", version=0), headers=HTMX)
    assert hidden_version(conflict.content.decode(), answer) == 0
    again = client.post(update_url(answer), payload(answer, choice="0", comment="typing on", version=0), headers=HTMX)

    assert again.status_code == 409
    unchanged(answer, choice="2", evidence="Decree 12/2024.", version=1)


def test_save_mine_instead_overwrites_with_the_current_version(client, focal_point, second_focal_point, answer):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="2", evidence="Decree 12/2024."), headers=HTMX)
    client.force_login(second_focal_point)
    client.post(update_url(answer), payload(answer, choice="0", version=0), headers=HTMX)

    response = client.post(update_url(answer), payload(answer, choice="0", version=0, overwrite=1), headers=HTMX)

    assert response.status_code == 200
    assert element(response.content.decode(), f"state-{answer.pk}").startswith("Saved")
    assert hidden_version(response.content.decode(), answer) == 2
    answer.refresh_from_db()
    assert (answer.choice, answer.evidence, answer.version, answer.updated_by) == ("0", "", 2, second_focal_point)
    assert list(AnswerRevision.objects.filter(answer=answer).values_list("version", "choice", "changed_by")) == [
        (1, "2", focal_point.pk),
        (2, "0", second_focal_point.pk),
    ]


def test_an_overwrite_based_on_an_outdated_conflict_is_itself_a_conflict(
    client, focal_point, second_focal_point, answer
):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="2"), headers=HTMX)
    client.post(update_url(answer), payload(answer, choice="1", version=1), headers=HTMX)
    client.force_login(second_focal_point)

    response = client.post(update_url(answer), payload(answer, choice="0", version=0, overwrite=1), headers=HTMX)

    assert response.status_code == 409
    assert "Level 1" in element(response.content.decode(), f"state-{answer.pk}")
    unchanged(answer, choice="1", version=2)


# When answers can no longer change ----------------------------------------------------------------------


def test_a_closed_cycle_refuses_answers(client, focal_point, coordinator, answer, cycle):
    services.cycle_close(cycle=cycle, by=coordinator)
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="1"), headers=HTMX)

    assert response.status_code == 403
    assert "This cycle is closed" in element(response.content.decode(), f"state-{answer.pk}")
    unchanged(answer)


@pytest.mark.parametrize("status", [Submission.Status.SUBMITTED, Submission.Status.ACCEPTED])
def test_a_submitted_or_accepted_questionnaire_refuses_answers(client, focal_point, submission, answer, status):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="1"), headers=HTMX)

    assert response.status_code == 403
    assert "can no longer be changed" in element(response.content.decode(), f"state-{answer.pk}")
    unchanged(answer)


def test_a_closed_cycle_shows_the_questionnaire_read_only(client, focal_point, coordinator, answer, cycle):
    services.cycle_close(cycle=cycle, by=coordinator)
    client.force_login(focal_point)

    body = client.get(capability_url(answer)).content.decode()

    assert "The cycle is not open for answers; this page is read-only." in body
    assert f'{update_url(answer)}"' not in body  # the save URL itself (its evidence page is read-only)


# Without script -----------------------------------------------------------------------------------------


def test_a_plain_post_saves_and_returns_to_the_indicator_on_the_capability_page(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="1", evidence="A draft decree."))

    assert response.status_code == 302
    assert response.url == f"{capability_url(answer)}#ind-C01.1"
    answer.refresh_from_db()
    assert (answer.choice, answer.evidence, answer.version) == ("1", "A draft decree.", 1)
    assert "Answer to C01.1 saved." in client.get(response.url).content.decode()


def test_an_invalid_plain_post_shows_the_page_again_with_what_was_typed(client, focal_point, answer):
    client.force_login(focal_point)
    typed = "Law 5/2023, article 12 <https://example.org/law-5-2023> & the board's minutes."

    response = client.post(update_url(answer), payload(answer, choice="4", evidence="", comment=typed))

    assert response.status_code == 422
    body = response.content.decode()
    assert "Capability 1: Leadership" in body
    assert textarea(body, f"a{answer.pk}-comment") == typed
    assert checked_choice(body, f"a{answer.pk}-choice") == "4"
    assert EVIDENCE_MESSAGE in element(body, f"err-{answer.pk}-evidence")
    unchanged(answer)


def test_an_invalid_choice_in_a_plain_post_keeps_the_typed_evidence(client, focal_point, answer):
    client.force_login(focal_point)
    typed = "The national board met 11 times in 2025."

    response = client.post(update_url(answer), payload(answer, choice="9", evidence=typed))

    assert response.status_code == 422
    assert textarea(response.content.decode(), f"a{answer.pk}-evidence") == typed
    unchanged(answer)


def test_a_plain_post_to_a_submitted_questionnaire_is_forbidden(client, focal_point, submission, answer):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    client.force_login(focal_point)

    response = client.post(update_url(answer), payload(answer, choice="1"))

    assert response.status_code == 403
    unchanged(answer)


# Leaving and coming back ---------------------------------------------------------------------------------


def test_the_capability_page_shows_saved_answers_when_coming_back(client, focal_point, second_focal_point, answer):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="3", evidence="Meets monthly.", comment="Minutes online."))
    client.logout()
    client.force_login(second_focal_point)

    body = client.get(capability_url(answer)).content.decode()

    assert checked_choice(body, f"a{answer.pk}-choice") == "3"
    assert textarea(body, f"a{answer.pk}-evidence") == "Meets monthly."
    assert textarea(body, f"a{answer.pk}-comment") == "Minutes online."
    assert hidden_version(body, answer) == 1
    assert "by Farid Osei" in element(body, f"state-{answer.pk}")


def test_the_capability_page_lists_only_the_indicators_asked_of_the_sector(client, focal_point, submission):
    client.force_login(focal_point)

    body = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 1])).content.decode()
    not_asked = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 4]))

    assert 'id="ind-C01.1"' in body and 'id="ind-C01.2"' in body
    assert not_asked.status_code == 404


def test_the_summary_page_counts_answers_and_lists_the_unanswered(client, focal_point, submission, answer):
    client.force_login(focal_point)
    client.post(update_url(answer), payload(answer, choice="dk"))

    body = client.get(reverse("assessments:questionnaire", args=[submission.pk])).content.decode()

    unanswered = element(body, "unanswered") if 'id="unanswered"' in body else ""
    assert "C01.1" not in unanswered
    assert "C01.2" in unanswered and "C03.1" in unanswered
    assert "1/3" in body
