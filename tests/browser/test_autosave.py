"""Autosave never loses typing: every field saves itself, the indicator tells the truth, and text typed
while the session has ended or the server fails is kept on the page and saved later without retyping.

The ministry is asked C01.1 and C01.2 (capability 1) and C03.1 (capability 3). Server failures are made
by the browser's request routing (abort: the network; 503: the database busy); the session ends through
a short idle time-out on the live server.
"""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments.models import Answer

from .actions import SAVED, log_in, log_out, switch_language

pytestmark = pytest.mark.browser

UNSAVED = "Unsaved changes"
SAVING = "Saving…"
ENDED = "Session ended — log in again in another tab; your text is kept here and is saved once you are back."
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "autosave"


def capability_url(answer):
    return f"/questionnaires/{answer.submission_id}/capabilities/{answer.indicator.capability.number}/"


def answer_route(answer):
    return re.compile(rf"/questionnaires/{answer.submission_id}/answers/{answer.pk}/$")


def card(page, answer):
    return page.locator(f"#ind-{re.escape(answer.indicator.code)}")


def field(page, answer, label):
    return card(page, answer).get_by_label(label, exact=True)


def state(page, answer):
    return page.locator(f"#state-{answer.pk}")


def stored(answer, **expected):
    """Wait (a save may still be on its way) until the answer holds ``expected``."""
    deadline = time.monotonic() + 10
    while True:
        answer.refresh_from_db()
        actual = {name: getattr(answer, name) for name in expected}
        if actual == expected or time.monotonic() > deadline:
            assert actual == expected
            return
        time.sleep(0.1)


@pytest.fixture
def answers(submission):
    return {a.indicator.code: a for a in submission.answers.select_related("indicator__capability")}


@pytest.fixture
def answering(page, focal_point, answers):
    log_in(page, focal_point.username)
    page.goto(capability_url(answers["C01.1"]))
    return page


def held_until(page, held, count):
    while len(held) < count:
        page.wait_for_timeout(50)


def test_a_comment_saves_while_typing_and_never_shows_saved_before_the_server_has_it(answering, answers):
    page, body = answering, answers["C01.1"]
    held = []
    page.route(answer_route(body), lambda route: held.append(route))

    comment = field(page, body, "Comment")
    comment.press_sequentially("The board")
    expect(state(page, body)).to_have_text(UNSAVED)
    held_until(page, held, 1)  # sent after the pause in typing, without leaving the field
    expect(state(page, body)).to_have_text(SAVING)
    # More typing while that save is on its way: its answer is not allowed to say "Saved".
    comment.press_sequentially(" meets monthly.")
    held.pop().continue_()
    held_until(page, held, 1)  # the rest follows at once, on the version the first save returned
    stored(body, comment="The board", version=1)
    expect(state(page, body)).to_have_text(SAVING)
    held.pop().continue_()

    expect(state(page, body)).to_have_text(SAVED)
    stored(body, comment="The board meets monthly.", version=2)
    expect(comment).to_have_value("The board meets monthly.")


def test_a_comment_left_at_once_saves_on_leaving_the_field(answering, answers):
    page, body = answering, answers["C01.1"]
    field(page, body, "Comment").fill("Minutes are public.")
    expect(state(page, body)).to_have_text(UNSAVED)
    page.keyboard.press("Tab")

    expect(state(page, body)).to_have_text(SAVED)
    stored(body, comment="Minutes are public.", version=1)


def test_the_side_navigation_counts_follow_each_save(answering, answers):
    page = answering
    nav = page.locator("#questionnaire-nav")
    expect(nav.get_by_role("listitem").filter(has_text="1. Leadership")).to_contain_text("(0/2)")

    card(page, answers["C01.1"]).get_by_role("radio", name=re.compile(r"^2 · ")).check()
    expect(state(page, answers["C01.1"])).to_have_text(SAVED)
    expect(nav.get_by_role("listitem").filter(has_text="1. Leadership")).to_contain_text("(1/2)")
    expect(nav.get_by_role("progressbar", name="Overall")).to_have_attribute("aria-valuetext", "1 of 3 answered")

    card(page, answers["C01.2"]).get_by_role("radio", name="Don't know").check()
    expect(nav.get_by_role("listitem").filter(has_text="1. Leadership")).to_contain_text("(2/2)")
    expect(nav.get_by_role("link", name="1. Leadership")).to_have_attribute("aria-current", "page")


def test_leaving_the_page_with_unsaved_typing_warns_and_the_text_still_arrives(answering, answers):
    page, body = answering, answers["C01.1"]
    dialogs = []

    def leave_anyway(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave_anyway)
    held = []
    # The save started on leaving the field never gets an answer; the one sent as the page goes does.
    page.route(answer_route(body), lambda route: route.continue_() if held else held.append(route))
    field(page, body, "Evidence").fill("Decree 12/2024 founding the national council.")
    page.get_by_role("link", name="Next: 3. Legislation").click()

    expect(page.get_by_role("heading", name="Capability 3: Legislation")).to_be_visible()
    assert dialogs == ["beforeunload"]
    stored(body, evidence="Decree 12/2024 founding the national council.")


def test_nothing_to_warn_about_once_saved(answering, answers):
    page, body = answering, answers["C01.1"]
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    field(page, body, "Comment").fill("Saved before leaving.")
    expect(state(page, body)).to_have_text(SAVED)

    page.get_by_role("link", name="Next: 3. Legislation").click()

    expect(page.get_by_role("heading", name="Capability 3: Legislation")).to_be_visible()
    assert dialogs == []


def test_a_failed_save_is_retried_with_backoff_and_says_so(answering, answers):
    page, body = answering, answers["C01.1"]
    failures = []

    def fail_twice(route):
        failures.append(time.monotonic())
        if len(failures) == 1:
            route.abort("internetdisconnected")
        elif len(failures) == 2:
            route.fulfill(status=503, headers={"Retry-After": "5"}, body="")
        else:
            route.continue_()

    page.route(answer_route(body), fail_twice)
    field(page, body, "Comment").fill("Typed while the database was down.")
    page.keyboard.press("Tab")

    expect(state(page, body)).to_contain_text("Not saved — the server could not be reached.")
    expect(state(page, body)).to_contain_text(re.compile(r"Retrying in [12] s; your text is kept here\."))
    expect(state(page, body)).to_contain_text("Not saved — the database is busy or unavailable.")
    expect(state(page, body)).to_contain_text(re.compile(r"Retrying in [1-4] s"))
    expect(field(page, body, "Comment")).to_have_value("Typed while the database was down.")
    expect(state(page, body)).to_have_text(SAVED)  # without any further edit
    stored(body, comment="Typed while the database was down.", version=1)
    assert len(failures) == 3
    assert 1.5 < failures[1] - failures[0] < 3.5 and 3.5 < failures[2] - failures[1] < 5.5  # 2 s, then 4 s


def test_retry_now_sends_at_once(answering, answers):
    page, body = answering, answers["C01.1"]
    page.route(answer_route(body), lambda route: route.fulfill(status=500, body=""))
    field(page, body, "Evidence").fill("Law 5/2023, article 12.")
    page.keyboard.press("Tab")
    expect(state(page, body)).to_contain_text("Not saved — the server failed.")

    page.unroute(answer_route(body))
    state(page, body).get_by_role("button", name="Retry now").click()

    expect(state(page, body)).to_have_text(SAVED)
    stored(body, evidence="Law 5/2023, article 12.", version=1)


def test_after_the_idle_time_out_every_edit_says_so_and_logging_in_again_saves_the_kept_text(
    page, focal_point, answers, settings
):
    settings.SESSION_IDLE_TIMEOUT = 6
    body, budget = answers["C01.1"], answers["C01.2"]
    log_in(page, focal_point.username)
    page.goto(capability_url(body))
    time.sleep(7)

    field(page, body, "Comment").fill("Typed after the time-out.")
    page.keyboard.press("Tab")
    expect(state(page, body)).to_contain_text(ENDED)
    # Every later edit says so too, and keeps its text.
    card(page, budget).get_by_role("radio", name=re.compile(r"^1 · ")).check()
    expect(state(page, budget)).to_contain_text(ENDED)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if answer_route(body).search(request.url) else None)
    field(page, body, "Comment").fill("Typed after the time-out, and more.")
    page.wait_for_timeout(1200)
    assert sent  # the edit was sent (debounced) and refused
    expect(state(page, body)).to_contain_text(ENDED)
    expect(state(page, body).get_by_role("link", name="Log in in a new tab")).to_have_attribute("target", "_blank")
    before = len(sent)
    state(page, body).get_by_role("button", name="Retry now").click()
    page.wait_for_timeout(300)
    assert len(sent) > before  # at once, not at the next automatic attempt
    expect(state(page, body)).to_contain_text(ENDED)
    assert Answer.objects.get(pk=body.pk).version == 0

    other = page.context.new_page()
    log_in(other, focal_point.username)
    page.bring_to_front()

    # The next automatic attempt (every few seconds, and on coming back to the page) saves both.
    expect(state(page, body)).to_have_text(SAVED)
    expect(state(page, budget)).to_have_text(SAVED)
    expect(field(page, body, "Comment")).to_have_value("Typed after the time-out, and more.")
    stored(body, comment="Typed after the time-out, and more.", version=1)
    stored(budget, choice="1", version=1)


def test_text_kept_while_signed_out_saves_by_itself_after_logging_in_again(page, focal_point, answers):
    body = answers["C01.1"]
    log_in(page, focal_point.username)
    page.goto(capability_url(body))
    other = page.context.new_page()
    other.goto("/")
    log_out(other)

    field(page, body, "Evidence").fill("Typed while signed out elsewhere.")
    expect(state(page, body)).to_contain_text(ENDED)
    log_in(other, focal_point.username)

    expect(state(page, body)).to_have_text(SAVED)  # the next automatic attempt, no click
    stored(body, evidence="Typed while signed out elsewhere.", version=1)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_screenshots_of_every_state(answering, answers, lang):
    """Not an assertion of looks: the pictures in test-results/autosave/ are looked at by a person."""
    page = answering
    if lang != "en":
        switch_language(page, lang)
    SHOTS.mkdir(parents=True, exist_ok=True)
    body = answers["C01.1"]
    target = card(page, body)

    def shoot(name):
        page.wait_for_timeout(150)
        target.screenshot(path=str(SHOTS / f"{lang}-{name}.png"))

    comment = target.locator("textarea[name$='-comment']")
    held = []
    page.route(answer_route(body), lambda route: held.append(route))
    comment.press_sequentially("Minutes")
    shoot("1-unsaved")
    held_until(page, held, 1)
    shoot("2-saving")
    held.pop().continue_()
    page.unroute(answer_route(body))
    expect(state(page, body)).to_have_class(re.compile(r"\bsaved\b"))
    shoot("3-saved")

    page.route(answer_route(body), lambda route: route.fulfill(status=503, body=""))
    comment.fill("Minutes of 2025")
    page.keyboard.press("Tab")
    expect(state(page, body).get_by_role("button")).to_be_visible()
    shoot("4-not-saved-retrying")
    page.unroute(answer_route(body))
    page.route(answer_route(body), lambda route: route.fulfill(status=401, body=""))
    state(page, body).get_by_role("button").click()
    expect(state(page, body).get_by_role("link")).to_be_visible()
    shoot("5-session-ended")
    page.unroute(answer_route(body))
    state(page, body).get_by_role("button").click()
    expect(state(page, body)).to_have_class(re.compile(r"\bsaved\b"))

    Answer.objects.filter(pk=body.pk).update(version=5, choice="1", comment="Someone else's")
    target.get_by_role("radio").first.check()
    expect(state(page, body).locator(".alert-warning")).to_be_visible()
    shoot("6-conflict")
    page.screenshot(path=str(SHOTS / f"{lang}-page.png"), full_page=True)
