"""The token view in Chromium: one tab stop, arrow keys between tokens, right-to-left text kept in place."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FOCUSED_TOKEN = "() => [document.activeElement.textContent, document.activeElement.getAttribute('tabindex')]"
TOOLTIP = "() => getComputedStyle(document.activeElement, '::after').content"
LEFT_EDGES = (
    "() => [...document.querySelectorAll('#tok-result li.tok')].map(li => li.getBoundingClientRect().left)"
)


def test_arrow_keys_move_between_tokens_in_one_tab_stop(live_server, page):
    page.goto(live_server.url + "/playground/tokenizer?text=" + "Hello%20big%20world")
    tokens = page.locator("#tok-result li.tok")
    expect(tokens).to_have_count(3)
    tokens.first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate(FOCUSED_TOKEN) == [" big", "0"]
    assert "id 2466" in page.evaluate(TOOLTIP)  # the id and bytes still show on keyboard focus
    page.keyboard.press("End")
    assert page.evaluate(FOCUSED_TOKEN) == [" world", "0"]
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(FOCUSED_TOKEN) == [" big", "0"]
    assert [tokens.nth(i).get_attribute("tabindex") for i in range(3)] == ["-1", "0", "-1"]
    page.keyboard.press("Tab")  # one tab stop: Tab leaves the token view
    assert page.evaluate("() => document.activeElement.closest('ol.tok-view')") is None
    page.keyboard.press("Shift+Tab")  # and comes back to the token last visited
    assert page.evaluate(FOCUSED_TOKEN) == [" big", "0"]


def test_right_to_left_tokens_stay_in_text_order(live_server, page):
    text = "abc \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd def \u202eghi jkl"
    page.goto(
        live_server.url + "/playground/tokenizer?" + urlencode({"text": text, "encoding": "o200k_base"})
    )
    expect(page.locator("#tok-result li.tok").first).to_be_visible()
    lefts = page.evaluate(LEFT_EDGES)
    assert len(lefts) > 4 and lefts == sorted(lefts)
