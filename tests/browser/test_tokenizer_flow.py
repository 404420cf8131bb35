"""As a person would: type into the tokenizer playground and watch the tokens and counts follow."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_typing_retokenizes_and_errors_stay_in_the_widget(live_server, page):
    page.goto(live_server.url + "/playground/tokenizer")
    textarea = page.locator("#tok-text")
    textarea.fill("")
    expect(page.locator('#tok-result [data-stat="tokens"]')).to_have_text("0")

    textarea.press_sequentially("Hello world", delay=20)
    expect(page.locator('#tok-result [data-stat="tokens"]')).to_have_text("2")
    tokens = page.locator('#tok-result [data-encoding="cl100k_base"] li.tok')
    expect(tokens).to_have_count(2)
    expect(tokens.nth(1)).to_have_attribute("aria-label", "id 1917 · bytes 20 77 6f 72 6c 64 · “ world”")

    page.get_by_label("Show ids").check()
    expect(tokens).to_have_text(["9906", "1917"])

    tokens.first.focus()
    expect(tokens.first).to_be_focused()

    textarea.fill("<|endoftext|>")
    expect(page.locator('#tok-result [data-stat="tokens"]')).to_have_text("7")
    page.get_by_label("Allow special tokens").check()
    expect(page.locator('#tok-result [data-stat="tokens"]')).to_have_text("1")
    expect(page.locator("#tok-result li.tok-special")).to_have_text("100257")


def test_bpe_trainer_steps_forward_and_back(live_server, page):
    page.goto(live_server.url + "/playground/tokenizer/bpe")
    page.locator("#bpe-text").fill("aaabdaaabac")
    page.get_by_label("Merges to train").fill("3")
    page.get_by_role("button", name="Train").click()
    step = page.locator("output[data-step]")
    expect(step).to_have_text("1")
    page.get_by_role("button", name="Next →").click()
    expect(step).to_have_text("2")
    expect(page.locator("table.bpe-merges tbody tr")).to_have_count(2)
    page.get_by_role("button", name="← Previous").click()
    expect(step).to_have_text("1")


def test_over_the_limit_the_message_replaces_the_result_and_typing_recovers(live_server, browser):
    """Its own page: Chromium logs the expected 413 as a console error, which the `page` fixture forbids."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/playground/tokenizer")
    textarea = page.locator("#tok-text")
    textarea.fill("a" * 100_001)
    expect(page.locator("#tok-result .tok-error")).to_contain_text("the limit is 100,000")
    textarea.fill("ok")
    expect(page.locator('#tok-result [data-stat="tokens"]')).to_have_text("1")
    context.close()
    assert errors == [
        "Failed to load resource: the server responded with a status of 413 (Request Entity Too Large)"
    ]
