"""As a person would: a short timed mock interview, a reload (and a restart) halfway, then the results."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.quiz.fixtures import fixture_content

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings, tmp_path):
    """The lab on the small fixture question bank."""
    return settings.model_copy(update={"content_dir": fixture_content(tmp_path / "bank")})


def _answer_current(page: Page) -> None:
    card = page.locator("#mock-item article.question-card")
    if card.get_attribute("data-type") == "single":
        card.locator("input[name=choice]").first.check()
    else:
        card.locator("input[name=value]").fill("128")
    card.get_by_role("button", name="Save answer").click()


def test_short_interview_survives_a_reload_and_ends_on_results(live_server, page):
    page.goto(live_server.url + "/mock")
    for label in ("Select all", "Interview answer", "Calculation"):
        page.get_by_label(label, exact=True).uncheck()
    page.get_by_label("Questions").fill("3")
    page.get_by_label("Minutes").fill("5")
    page.get_by_role("button", name="Start the interview").click()

    expect(page.locator(".countdown-value")).to_have_text(re.compile(r"^[45]:\d\d$"))
    expect(page.locator(".mock-question-title")).to_have_text("Question 1 of 3")
    _answer_current(page)
    expect(page.locator(".mock-question-title")).to_have_text("Question 2 of 3")  # swapped in by htmx

    page.reload()  # the answer was saved when given; the attempt resumes where it was
    expect(page.locator(".mock-question-title")).to_have_text("Question 2 of 3")
    expect(page.locator(".mock-progress li.is-saved")).to_have_count(1)
    expect(page.locator(".countdown-value")).to_have_text(re.compile(r"^4:\d\d$"))

    live_server.restart()  # a new process on the same database: the attempt and its clock carry on
    page.reload()
    expect(page.locator(".mock-question-title")).to_have_text("Question 2 of 3")

    _answer_current(page)
    expect(page.locator(".mock-question-title")).to_have_text("Question 3 of 3")
    _answer_current(page)

    expect(page.locator("h1")).to_have_text("Results")
    expect(page.locator(".result-item")).to_have_count(3)
    expect(page.locator(".score-total")).to_contain_text("3 of 3 answered")
    page.goto(live_server.url + "/mock")
    expect(page.locator("svg#score-chart circle.score-dot")).to_have_count(1)


def test_a_half_typed_interview_answer_survives_a_reload(live_server, page):
    page.goto(live_server.url + "/mock")
    for label in ("One answer", "Select all", "Number", "Calculation"):
        page.get_by_label(label, exact=True).uncheck()
    page.locator("input[name=follow_ups]").uncheck()  # this test is about drafts
    page.get_by_label("Questions").fill("1")
    page.get_by_role("button", name="Start the interview").click()

    box = page.locator("#mock-item textarea[name=text]")
    box.press_sequentially("The model sees tokens")  # typed, never sent
    expect(page.locator(".draft-status")).to_contain_text("Draft kept")  # autosaved a second later
    page.reload()
    expect(box).to_have_value("The model sees tokens")
    expect(page.locator(".draft-status")).to_contain_text("draft was restored")
    box.dispatch_event("draft-flush")  # what the countdown sends two seconds before the deadline
    expect(page.locator(".draft-status")).to_contain_text("Draft kept")

    box.press("Control+End")
    box.press_sequentially(", not characters.")
    page.get_by_role("button", name="Save answer").click()  # before the pending autosave fires
    expect(page.locator("h1")).to_have_text("Results")
    expect(page.locator(".score-total")).to_contain_text("1 of 1 answered")
    expect(page.locator(".given-text")).to_have_text("The model sees tokens, not characters.")
    expect(page.locator(".unsent-draft")).to_have_count(0)


def test_lesson_quiz_feedback_mastery_and_try_again(live_server, page):
    page.goto(live_server.url + "/lessons/attention-mechanism")
    card = page.locator('article.question-card[data-question="fx-heads"]')
    card.locator("input[name=value]").fill("128")
    card.get_by_role("button", name="Check answer").click()
    expect(card.locator(".verdict")).to_contain_text("Right")
    expect(page.locator("#mastery-attention-mechanism label")).to_have_text(
        "Mastery: 50%"
    )  # updated out of band
    expect(card.get_by_role("link", name="Read the paragraph again")).to_have_attribute(
        "href", "/lessons/attention-mechanism#multi-head-attention"
    )
    card.get_by_role("link", name="Try again").click()
    expect(card.locator("input[name=value]")).to_be_visible()


def test_a_missed_point_gets_a_follow_up_and_a_recovery_is_counted(live_server, page):
    page.goto(live_server.url + "/mock")
    for label in ("One answer", "Select all", "Number", "Calculation"):
        page.get_by_label(label, exact=True).uncheck()
    expect(page.locator("input[name=follow_ups]")).to_be_checked()  # on by default
    page.get_by_label("Questions").fill("1")
    page.get_by_role("button", name="Start the interview").click()

    page.locator("#mock-item textarea[name=text]").fill("The model only sees tokens, never the characters.")
    page.get_by_role("button", name="Save answer").click()
    expect(page.locator(".mock-question-title")).to_have_text("Question 1 of 1: follow-up")  # in place
    expect(page.locator(".follow-up-card .follow-up-question")).to_have_text(
        "Can the model see the characters inside a token?"
    )
    page.locator(".follow-up-card textarea[name=text]").fill(
        "No: each token is one opaque integer ID that maps to an embedding, so its letters are hidden."
    )
    page.get_by_role("button", name="Answer the follow-up").click()

    expect(page.locator("h1")).to_have_text("Results")
    expect(page.locator(".recovered-count")).to_have_text("1 of 1 recovered on follow-up")
    expect(page.locator(".result-item .follow-up-result")).to_contain_text("Recovered on follow-up")
    expect(page.locator(".result-item mark.evidence-mark")).to_have_text(
        "The model only sees tokens, never the characters."
    )
