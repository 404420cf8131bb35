"""As a person would: change the tokens and see the cost bars answer; tick a need and see models suggested."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _bars(page, chart_id: str) -> dict[str, float]:
    """Each row of a cost chart: model id -> its bar's total in dollars."""
    return page.locator(f"svg#{chart_id} g.bar-row").evaluate_all(
        """rows => Object.fromEntries(rows.map(r => [
             r.dataset.key,
             [...r.querySelectorAll('rect.bar-segment')].reduce((s, x) => s + Number(x.dataset.value), 0),
           ]))"""
    )


def test_typing_output_tokens_reprices_every_bar(live_server, page):
    page.goto(live_server.url + "/playground/costs")
    before = _bars(page, "costs-chart")
    assert len(before) == 10
    page.locator("#costs-output-tokens").fill("100000")
    expect(page.locator("#costs-result [data-summary]")).to_contain_text("100,000 output tokens")
    after = _bars(page, "costs-chart")
    # Claude Opus 4: 2,000 input tokens at $15 and 100,000 output tokens at $75 per 1M.
    assert after["claude-opus-4"] == pytest.approx((2_000 * 15 + 100_000 * 75) / 1e6)
    assert after["claude-opus-4"] > before["claude-opus-4"]
    page.get_by_label("genai-prices 0.2.3").check()
    expect(page.locator("svg#costs-chart g.bar-row")).to_have_count(16)  # the dataset prices all but one


def test_ticking_a_need_suggests_the_frameworks_models(live_server, page):
    page.goto(live_server.url + "/lessons/model-families")
    chooser = page.locator("form.chooser-form")
    chooser.scroll_into_view_if_needed()
    suggestions = chooser.locator("ol.chooser-suggestions > li")
    expect(suggestions).to_have_count(2)  # the lesson starts on "Best general-purpose?"
    chooser.get_by_label("Does it need reasoning?").check()
    expect(suggestions).to_have_count(6)
    expect(chooser.locator('li[data-model="deepseek-r1"] li[data-need="reasoning"]')).to_be_visible()
    chooser.get_by_label("Best general-purpose?").uncheck()
    expect(suggestions).to_have_count(4)
    expect(suggestions.first).to_have_attribute("data-model", "deepseek-r1")  # the cheapest
