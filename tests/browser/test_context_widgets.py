"""As a person would: type into a part of the request and see the window's bar change; sample 20 times."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_typing_into_the_system_prompt_grows_its_part_of_the_bar(live_server, page):
    page.goto(live_server.url + "/playground/context")
    bar = page.locator('svg#context-window rect.stack-part[data-part="system"]')
    before_tokens = int(bar.get_attribute("data-tokens"))
    before_width = float(bar.get_attribute("width"))
    page.locator("#context-system").press("End")
    page.locator("#context-system").press_sequentially(" Always cite the lesson you used." * 40, delay=0)
    expect(bar).not_to_have_attribute("data-tokens", str(before_tokens))
    page.wait_for_load_state("networkidle")
    assert int(bar.get_attribute("data-tokens")) > before_tokens + 200
    assert float(bar.get_attribute("width")) > before_width


def test_a_huge_reserve_shows_the_overflow_and_the_cut(live_server, page):
    page.goto(live_server.url + "/playground/context")
    page.locator("#context-reserve").fill("127000")
    warning = page.locator("#context-result .context-overflow")
    expect(warning).to_be_visible()
    expect(warning.locator('.context-cut[data-part="history"]')).to_be_visible()
    expect(page.locator('svg#context-window rect.stack-cut[data-part="history"]')).to_have_count(1)


def test_a_reserve_over_the_window_shows_the_message_in_the_widget_and_recovers(live_server, browser):
    """Its own page: Chromium and htmx log the expected 422 as console errors, which `page` forbids."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + "/playground/context")
    page.locator("#context-reserve").fill("500000")
    message = page.locator("form.context-widget .field-error")
    expect(message).to_contain_text("larger than GPT-4o's whole context window")
    page.locator("#context-reserve").fill("1000")
    expect(page.locator('svg#context-window rect[data-part="reserve"]')).to_have_attribute(
        "data-tokens", "1000"
    )
    expect(message).to_be_empty()
    context.close()
    assert (
        errors[0]
        == "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    )
    assert len(errors) == 2 and "422" in errors[1]


def test_the_lesson_samples_twenty_times_and_t0_gives_one_answer(live_server, page):
    page.goto(live_server.url + "/lessons/mental-models")
    rows = page.locator("#lesson-spread-result table.spread-groups tbody tr")
    expect(rows.first).to_be_visible()
    counts = rows.evaluate_all("rows => rows.map(r => Number(r.dataset.count))")
    assert sum(counts) == 20
    page.locator('form.spread-widget input[name="temperature"]').fill("0")
    page.get_by_role("button", name="Sample 20 times").click()
    expect(page.locator("#lesson-spread-result .spread-summary")).to_have_attribute("data-distinct", "1")
    expect(rows).to_have_count(1)
