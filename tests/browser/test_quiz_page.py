"""A question's own page, answered as a person would: the feedback and the mastery meter update in place, and
htmx finds every out-of-band target (the `page` fixture fails on any console error, oobErrorNoTarget too)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_answering_on_the_question_page_updates_its_mastery_without_console_errors(live_server, page):
    bank = live_server.app.state.question_bank
    question = next(q for q in bank.questions.values() if q.type == "single")
    page.goto(f"{live_server.url}/quiz/questions/{question.id}")
    meter = page.locator(f"#mastery-{question.lesson} label")
    expect(meter).to_contain_text("Mastery: 0%")

    page.locator(".question-card input[name=choice]").nth(question.spec.answer).check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".question-card.is-answered .verdict.is-right")).to_be_visible()
    expect(meter).not_to_contain_text("Mastery: 0%")  # swapped out of band
    expect(page.locator("h1")).to_have_text("Question")  # in place: still the same page
