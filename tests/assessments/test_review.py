"""Review on one page: the coordinator reads a whole submission, leaves review comments on its answers and
returns it with them; the focal points read the reason and each comment beside the answer it is about."""

import html
import re
import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, AuditEvent, Cycle, ReviewComment, Submission
from tests.assessments.test_queries import framework_with_one_capability
from tests.conftest import require_postgres
from tests.factories import CoordinatorRoleFactory, UserFactory, make_cycle

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(body):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def review_url(submission):
    return reverse("assessments:submission_review", args=[submission.pk])


def add_url(answer):
    return reverse("assessments:review_comment_add", args=[answer.submission_id, answer.pk])


def update_url(comment):
    return reverse("assessments:review_comment_update", args=[comment.answer.submission_id, comment.pk])


def delete_url(comment):
    return reverse("assessments:review_comment_delete", args=[comment.answer.submission_id, comment.pk])


def answered_and_submitted(submission, by):
    """C01.1 at level 3 with evidence, the rest at level 2, then submitted."""
    for answer in submission.answers.select_related("indicator"):
        level3 = answer.indicator.code == "C01.1"
        services.answer_save(
            answer=answer,
            choice="3" if level3 else "2",
            evidence="Decree 12/2024 set up the board, https://example.org/d12" if level3 else "",
            comment="Meets every quarter." if level3 else "",
            base_version=0,
            by=by,
        )
    return services.submission_submit(submission=submission, by=by)


@pytest.fixture
def submitted(submission, focal_point):
    answered_and_submitted(submission, focal_point)
    submission.refresh_from_db()
    return submission


def fresh(answer):
    return Answer.objects.select_related("indicator", "submission__cycle").get(pk=answer.pk)


# The page ----------------------------------------------------------------------------------------


def test_the_coordinator_reads_the_whole_submission_by_capability_with_evidence(client, coordinator, submitted):
    client.force_login(coordinator)

    response = client.get(review_url(submitted))

    assert response.status_code == 200
    body = text(response.content.decode())
    # Every capability the ministry is asked, in the framework's order, each with its answers.
    assert body.index("Capability 1: Leadership") < body.index("Capability 3: Legislation")
    assert "Ministry of Interior" in body and "3 of 3 indicators answered" in body
    assert "Level 3 · Established — Meets regularly." in body
    assert "Decree 12/2024 set up the board" in body and "Meets every quarter." in body
    assert 'href="https://example.org/d12"' in response.content.decode()  # evidence links are links
    assert response.content.decode().count('class="review-comment-form') == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SUBMISSION_VIEWED, submission=submitted).exists()


def test_the_summary_page_links_the_coordinator_to_the_review(client, coordinator, submitted):
    client.force_login(coordinator)

    body = client.get(submitted.get_absolute_url()).content.decode()

    assert review_url(submitted) in body


def test_the_review_page_is_read_only_for_a_questionnaire_not_submitted(client, coordinator, submission):
    client.force_login(coordinator)

    body = client.get(review_url(submission)).content.decode()

    assert "review-comment-form" not in body and "Accept the answers" not in body
    assert "Review comments can be written while the questionnaire is submitted" in text(body)
    assert "No answer (a data gap)" in text(body)


def test_the_review_page_is_the_coordinators_only(client, focal_point, observer, outsider, submitted):
    for user, status in ((focal_point, 403), (observer, 404), (outsider, 404)):
        client.force_login(user)
        assert client.get(review_url(submitted)).status_code == status, user


# Comments ----------------------------------------------------------------------------------------


def test_a_review_comment_is_added_changed_and_deleted_and_each_step_is_audited(client, coordinator, submitted):
    answer = submitted.answers.select_related("indicator").get(indicator__code="C01.1")
    client.force_login(coordinator)

    added = client.post(add_url(answer), {f"rc{answer.pk}-text": "  Which article of the decree?  "})

    assert added.status_code == 302 and added.url == f"{review_url(submitted)}#ind-C01.1"
    assert messages_of(added) == ["Review comment on C01.1 saved."]
    comment = ReviewComment.objects.get()
    assert (comment.answer, comment.text, comment.author, comment.sent_at) == (
        answer,
        "Which article of the decree?",
        coordinator,
        None,
    )
    assert comment.answer_version == 1
    page = client.get(review_url(submitted)).content.decode()
    assert "Draft by Cora Mendes" in page and "Which article of the decree?" in page
    assert update_url(comment) in page and delete_url(comment) in page

    changed = client.post(update_url(comment), {f"rc{answer.pk}-text": "Which article sets up the board?"})
    assert changed.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "Which article sets up the board?"

    deleted = client.post(delete_url(comment), {f"rc{answer.pk}-text": "ignored"})
    assert deleted.status_code == 302 and messages_of(deleted)[-1] == "Review comment on C01.1 deleted."
    assert not ReviewComment.objects.exists()
    details = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_COMMENTED, submission=submitted)
        .order_by("at", "pk")
        .values_list("detail", "user", "country")
    )
    country = submitted.cycle.country_id
    assert details == [
        ("C01.1: comment added", coordinator.pk, country),
        ("C01.1: comment changed", coordinator.pk, country),
        ("C01.1: comment deleted", coordinator.pk, country),
    ]


def test_an_empty_comment_is_refused_with_a_clear_message(client, coordinator, submitted):
    answer = submitted.answers.get(indicator__code="C01.1")
    client.force_login(coordinator)

    response = client.post(add_url(answer), {f"rc{answer.pk}-text": "   "})

    assert response.status_code == 422
    assert "This field is required." in text(response.content.decode())
    assert not ReviewComment.objects.exists()
    with pytest.raises(ValidationError, match="Write a comment, or delete it."):
        services.review_comment_add(answer=fresh(answer), text=" \n ", by=coordinator)


def test_a_too_long_comment_keeps_the_typed_text_on_the_page(client, coordinator, submitted):
    answer = submitted.answers.get(indicator__code="C01.1")
    client.force_login(coordinator)
    long_text = "Please say more. " * 400

    response = client.post(add_url(answer), {f"rc{answer.pk}-text": long_text})

    assert response.status_code == 422
    body = response.content.decode()
    assert "Ensure this value has at most 5000 characters" in text(body)
    assert html.escape(long_text.strip()) in body
    assert not ReviewComment.objects.exists()


def test_a_comment_refused_because_the_questionnaire_was_accepted_meanwhile_keeps_the_typed_text(
    client, coordinator, submitted
):
    answer = submitted.answers.get(indicator__code="C01.1")
    client.force_login(coordinator)
    services.submission_accept(submission=submitted, by=coordinator)  # in another tab

    response = client.post(add_url(answer), {f"rc{answer.pk}-text": "The decree's number is missing."})

    assert response.status_code == 422
    body = text(response.content.decode())
    assert "This questionnaire is accepted; review comments can be written only while it is submitted." in body
    assert not ReviewComment.objects.exists()
    # The page is read-only now, but the refused text is still there to copy.
    assert "The decree's number is missing." in body


def test_the_service_checks_the_current_rows_not_the_copy_the_request_started_with(coordinator, submitted):
    answer = fresh(submitted.answers.get(indicator__code="C01.1"))
    assert answer.submission.cycle.status == Cycle.Status.OPEN  # what the request read
    Cycle.objects.filter(pk=submitted.cycle_id).update(status=Cycle.Status.CLOSED)  # closed meanwhile

    with pytest.raises(ValidationError, match="The cycle is closed; review comments can no longer be written."):
        services.review_comment_add(answer=answer, text="Late remark.", by=coordinator)

    assert not ReviewComment.objects.exists()


def test_only_the_countrys_coordinator_may_write_review_comments(
    coordinator, focal_point, outsider, superuser, submitted
):
    answer = fresh(submitted.answers.get(indicator__code="C01.1"))
    for user in (focal_point, outsider):
        with pytest.raises(PermissionDenied, match="Only the country's national coordinator"):
            services.review_comment_add(answer=answer, text="Mine.", by=user)
    assert not ReviewComment.objects.exists()
    # A second coordinator of the same country reviews together with the first.
    colleague = UserFactory(first_name="Ana", last_name="Ruiz")
    CoordinatorRoleFactory(user=colleague, country=submitted.cycle.country)
    comment = services.review_comment_add(answer=answer, text="Which decree?", by=coordinator)
    services.review_comment_update(comment=comment, text="Which decree, which article?", by=colleague)
    comment.refresh_from_db()
    assert (comment.text, comment.author) == ("Which decree, which article?", colleague)


def test_a_second_comment_on_the_same_indicator_is_refused_and_a_repeated_one_is_not_duplicated(
    client, coordinator, submitted
):
    answer = submitted.answers.select_related("indicator").get(indicator__code="C01.1")
    colleague = UserFactory(first_name="Ana", last_name="Ruiz")
    CoordinatorRoleFactory(user=colleague, country=submitted.cycle.country)
    services.review_comment_add(answer=fresh(answer), text="Which decree?", by=colleague)
    client.force_login(coordinator)

    again = client.post(add_url(answer), {f"rc{answer.pk}-text": "Which decree?"})  # a double click
    other = client.post(add_url(answer), {f"rc{answer.pk}-text": "Add the budget line."})

    assert again.status_code == 302
    assert other.status_code == 422
    body = text(other.content.decode())
    assert "Ana Ruiz left a comment on C01.1 meanwhile; reload the page to see it. Your text is kept below." in body
    assert "Add the budget line." in body
    assert list(ReviewComment.objects.values_list("text", flat=True)) == ["Which decree?"]


def test_returning_sends_the_drafts_which_then_can_no_longer_be_changed(
    client, coordinator, submitted, django_capture_on_commit_callbacks
):
    answers = {a.indicator.code: a for a in submitted.answers.select_related("indicator")}
    first = services.review_comment_add(answer=fresh(answers["C01.1"]), text="Which article?", by=coordinator)
    services.review_comment_add(answer=fresh(answers["C03.1"]), text="Is grooming defined?", by=coordinator)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:submission_return", args=[submitted.pk]),
            {"reason": "See the comments.", "from": "review"},
        )

    assert messages_of(response) == [
        "Returned to \u2068Ministry of Interior\u2069 with your request and 2 review comments."
    ]
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.RETURNED
    assert set(ReviewComment.objects.values_list("sent_at", flat=True)) == {submitted.reviewed_at}
    returned = [m for m in mail.outbox if "returned" in m.subject]
    assert returned and all(
        "C01.1: Which article?" in m.body and "C03.1: Is grooming defined?" in m.body for m in returned
    )
    changed = client.post(update_url(first), {f"rc{first.answer_id}-text": "Changed after the return."})
    deleted = client.post(delete_url(first))
    assert changed.status_code == deleted.status_code == 422
    first.refresh_from_db()
    assert first.text == "Which article?"
    assert ReviewComment.objects.count() == 2
    with pytest.raises(
        ValidationError, match="is returned for changes; review comments can be written only while it is submitted"
    ):
        services.review_comment_update(comment=first, text="Changed.", by=coordinator)


def test_a_return_refused_on_the_review_page_keeps_the_typed_reason(client, coordinator, submitted):
    client.force_login(coordinator)
    Cycle.objects.filter(pk=submitted.cycle_id).update(status=Cycle.Status.CLOSED)  # in another tab

    response = client.post(
        reverse("assessments:submission_return", args=[submitted.pk]),
        {"reason": "Please add the decree's article.", "from": "review"},
    )

    assert response.status_code == 422
    body = text(response.content.decode())
    assert "The cycle “National assessment 2026” is closed: its answers, targets and national levels are final." in body
    assert "Please add the decree's article." in body


# What the focal point sees -----------------------------------------------------------------------


def test_the_focal_point_sees_the_reason_and_each_comment_beside_its_answer_on_the_capability_page(
    client, coordinator, focal_point, submitted, django_capture_on_commit_callbacks
):
    answers = {a.indicator.code: a for a in submitted.answers.select_related("indicator")}
    services.review_comment_add(answer=fresh(answers["C01.1"]), text="Which article of the decree?", by=coordinator)
    services.review_comment_add(answer=fresh(answers["C03.1"]), text="Is grooming defined?", by=coordinator)
    client.force_login(focal_point)
    before = client.get(reverse("assessments:questionnaire_capability", args=[submitted.pk, 1])).content.decode()
    assert "Which article of the decree?" not in before  # drafts are the coordinators' own

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_return(submission=submitted, by=coordinator, reason="Please see the review comments.")

    page = client.get(reverse("assessments:questionnaire_capability", args=[submitted.pk, 1])).content.decode()
    body = text(page)
    assert "Returned for changes Please see the review comments. — Cora Mendes" in body
    assert "1 review comment on this page is shown beside its answer." in body
    assert "Review comment from Cora Mendes, sent with the return of" in body
    # The comment sits in C01.1's card, before its form, and the page stays answerable.
    card = re.search(r'id="ind-C01.1".*?</article>', page, re.S).group(0)
    assert "Which article of the decree?" in card and card.index("review-comment") < card.index("answer-form")
    assert "Is grooming defined?" not in body  # on capability 3's page
    other = client.get(reverse("assessments:questionnaire_capability", args=[submitted.pk, 3])).content.decode()
    assert "Is grooming defined?" in other
    summary = text(client.get(submitted.get_absolute_url()).content.decode())
    assert "2 review comments, shown beside their answers: C01.1 Which article of the decree? C03.1" in summary
    # The focal point reads comments but has no way to change them.
    comment = ReviewComment.objects.get(answer=answers["C01.1"])
    assert client.post(update_url(comment), {f"rc{comment.answer_id}-text": "No."}).status_code == 403
    assert client.post(delete_url(comment)).status_code == 403
    assert ReviewComment.objects.get(pk=comment.pk).text == "Which article of the decree?"


def test_after_a_resubmission_the_review_shows_the_earlier_comment_and_that_the_answer_changed(
    client, coordinator, focal_point, submitted
):
    answer = submitted.answers.get(indicator__code="C01.1")
    services.review_comment_add(answer=fresh(answer), text="Which article?", by=coordinator)
    services.submission_return(submission=submitted, by=coordinator, reason="See the comment.")
    answer = fresh(answer)
    services.answer_save(
        answer=answer,
        choice="3",
        evidence="Decree 12/2024, article 4",
        comment="",
        base_version=answer.version,
        by=focal_point,
    )
    services.submission_submit(submission=Submission.objects.get(pk=submitted.pk), by=focal_point)
    client.force_login(coordinator)

    body = text(client.get(review_url(submitted)).content.decode())

    assert "Which article?" in body and "the answer was changed since" in body
    assert "Decree 12/2024, article 4" in body
    # A new round of comments can start on the same indicator.
    services.review_comment_add(answer=fresh(answer), text="Thank you.", by=coordinator)
    assert ReviewComment.objects.filter(answer=answer).count() == 2


# Query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_indicators", [2, 9])
def test_the_review_page_takes_the_same_queries_for_any_number_of_indicators_and_comments(
    django_assert_num_queries, client, country_a, organisation, focal_point, coordinator, n_indicators
):
    version = framework_with_one_capability(indicators=n_indicators, sector=organisation.sector)
    cycle = make_cycle(country=country_a, framework_version=version, organisations=[organisation], by=coordinator)
    submission = cycle.submissions.get()
    Answer.objects.filter(submission=submission).update(
        choice="2", evidence="A decree.", version=1, updated_by=focal_point, updated_at=timezone.now()
    )
    services.submission_submit(submission=submission, by=focal_point)
    for answer in Answer.objects.filter(submission=submission).select_related("indicator", "submission__cycle"):
        services.review_comment_add(answer=answer, text=f"About {answer.indicator.code}.", by=coordinator)
    client.force_login(coordinator)

    # 1 session, 2 user, 3 the user's roles, 4 a confirmed two-step device (the verified login), 5 the
    # submission with cycle, country, framework version, organisation and sector, 6 who submitted and who
    # reviewed it (apart: two more joins cost more to plan than this query), 7 the answers with
    # indicators, capabilities, domains and who saved them, 8 their level descriptors and 9 their review
    # comments with authors (prefetches), 10 the version's maturity levels, 11 the audited read.
    with django_assert_num_queries(11):
        response = client.get(reverse("assessments:submission_review", args=[submission.pk]))

    body = text(response.content.decode())
    assert body.count("Draft by Cora Mendes") == n_indicators
    assert f"C01.{n_indicators} at level 2." in body


# Concurrency on PostgreSQL: the comment and the return are serialised on the submission's row -----------


def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # noqa: BLE001 - handed to the test, which asserts on it
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_until_a_query_waits_for_a_lock():
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("no query waited for the lock")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_comment_written_while_a_return_commits_waits_for_it_and_is_then_refused(coordinator, submitted):
    require_postgres()
    answer = fresh(submitted.answers.get(indicator__code="C01.1"))
    returning, release, results = threading.Event(), threading.Event(), {}

    def return_and_hold():
        with transaction.atomic():
            services.submission_return(submission=Submission.objects.get(pk=submitted.pk), by=coordinator, reason="R")
            returning.set()
            release.wait(10)

    holder = _in_thread(return_and_hold, results, "return")
    assert returning.wait(10)
    commenter = _in_thread(
        lambda: services.review_comment_add(answer=answer, text="Too late.", by=coordinator), results, "comment"
    )
    _wait_until_a_query_waits_for_a_lock()  # the comment waits for the return's row lock
    release.set()
    for thread in (holder, commenter):
        thread.join(10)

    assert isinstance(results["comment"], ValidationError), results
    assert "This questionnaire is returned for changes" in str(results["comment"])
    assert not ReviewComment.objects.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_return_while_a_comment_commits_waits_for_it_and_sends_it(coordinator, submitted):
    require_postgres()
    answer = fresh(submitted.answers.get(indicator__code="C01.1"))
    added, release, results = threading.Event(), threading.Event(), {}

    def comment_and_hold():
        with transaction.atomic():
            services.review_comment_add(answer=answer, text="Which article?", by=coordinator)
            added.set()
            release.wait(10)

    holder = _in_thread(comment_and_hold, results, "comment")
    assert added.wait(10)
    returner = _in_thread(
        lambda: services.submission_return(
            submission=Submission.objects.get(pk=submitted.pk), by=coordinator, reason="See the comment."
        ),
        results,
        "return",
    )
    _wait_until_a_query_waits_for_a_lock()  # the return waits for the comment's row lock
    release.set()
    for thread in (holder, returner):
        thread.join(10)

    assert not isinstance(results["return"], Exception), results
    returned = Submission.objects.get(pk=submitted.pk)
    assert returned.status == Submission.Status.RETURNED
    assert list(ReviewComment.objects.values_list("text", "sent_at")) == [("Which article?", returned.reviewed_at)]
