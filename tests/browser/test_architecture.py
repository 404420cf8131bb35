"""As a person would: type a prompt and watch the walkthrough and the lens follow; pick a preset."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_typing_a_prompt_redraws_the_walkthrough_and_the_lens(live_server, page):
    page.goto(live_server.url + "/playground/architecture?prompt=The+cat")
    walk = page.locator(".arch-walk")
    before = int(walk.get_attribute("data-tokens"))
    expect(page.locator("table.lens-grid tbody tr")).to_have_count(before)
    first_shape = page.locator('.arch-walk tr[data-step="token embedding"] .arch-shape')
    expect(first_shape).to_have_attribute("data-shape", re.compile(rf"^1,{before},\d+$"))

    page.locator("#arch-prompt").fill("The cat sat on the mat because it was tired")
    expect(walk).not_to_have_attribute("data-tokens", str(before))
    after = int(page.locator(".arch-walk").get_attribute("data-tokens"))
    assert after > before
    expect(page.locator("table.lens-grid tbody tr")).to_have_count(after)
    expect(first_shape).to_have_attribute("data-shape", re.compile(rf"^1,{after},\d+$"))
    expect(page.locator("svg#residual-norms polyline.series-faint")).to_have_count(after)
    page.wait_for_url(re.compile(r"prompt=The(\+|%20)cat(\+|%20)sat"))


def test_a_preset_fills_the_calculator_and_a_bad_edit_says_why(live_server, browser):
    """Its own page: Chromium and htmx log the expected 422 as console errors, which `page` forbids."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/playground/architecture")
    page.locator('button[data-preset="llama-2-70b"]').click()
    kv_heads = page.locator("form.arch-calc input[name=n_kv_head]")
    expect(kv_heads).to_have_value("8")
    total = page.locator("form.arch-calc [data-total]")
    expect(total).to_have_attribute("data-total", "68976648192")

    kv_heads.fill("7")
    expect(page.locator("form.arch-calc .field-error")).to_contain_text("do not divide by KV heads")
    expect(total).to_have_attribute("data-total", "68976648192")  # the last good result stays
    kv_heads.fill("1")
    expect(page.locator("form.arch-calc .field-error")).to_have_text("")
    expect(total).not_to_have_attribute("data-total", "68976648192")  # MQA: smaller W_K and W_V
    context.close()
    assert errors and all("422" in error for error in errors), errors
