"""As a person would: open the course, go to lesson 3 from the sidebar, mark it done, see it on the map."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_mark_third_lesson_done_and_see_it_after_reload(live_server, page):
    page.goto(live_server.url + "/")
    expect(page.locator(".course-map .lesson-card")).to_have_count(9)

    page.locator(".course-map a", has_text="Transformer Architecture").click()
    page.locator(".lesson-sidebar a", has_text="Attention Mechanism").click()
    expect(page.locator("h1#lesson-title")).to_have_text("Attention Mechanism")

    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("#done-toggle .done-state")).to_be_visible()  # swapped in by htmx, no reload
    expect(page.locator("#done-mark-attention-mechanism")).to_contain_text("✓")  # sidebar updated out of band

    page.reload()
    expect(page.get_by_role("button", name="Mark as not done")).to_be_visible()

    live_server.restart()  # progress lives in the database, not in the process
    page.goto(live_server.url + "/")
    card = page.locator('.lesson-card[data-slug="attention-mechanism"]')
    expect(card).to_have_class("lesson-card is-done")
    expect(card.locator(".status")).to_have_text("✓ Done")
    expect(page.locator("label[for=course-progress]")).to_have_text("1 of 9 lessons done")


def test_keyboard_reaches_the_content_first(live_server, page):
    page.goto(live_server.url + "/lessons/tokenization")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
