"""As a person would: move the temperature slider and see the bars answer; open a head's heatmap."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _bar_probs(page) -> list[str]:
    return page.locator("svg.bars g.bar-row[data-token-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.prob)"
    )


def test_temperature_slider_reshapes_the_bars(live_server, page):
    page.goto(live_server.url + "/playground/sampling?prompt=The+cat")
    before = _bar_probs(page)
    slider = page.locator("#sampling-temperature")
    slider.focus()
    for _ in range(10):  # ten steps of 0.05 down: T = 0.5
        page.keyboard.press("ArrowLeft")
    expect(page.locator('output[for="sampling-temperature"]')).to_have_text("0.5")
    # The last swap (queued behind the earlier moves) replaces the URL with the final slider state.
    page.wait_for_url(re.compile(r"temperature=0\.5&"))
    page.wait_for_load_state("networkidle")
    after = _bar_probs(page)
    assert after != before
    assert max(map(float, after)) > max(map(float, before))  # a lower temperature sharpens the top token


def test_open_a_heads_heatmap_from_the_overview(live_server, page):
    page.goto(live_server.url + "/playground/attention?text=The+cat+sat")
    page.locator('.thumb[aria-label="Layer 2, head 2"]').click()
    expect(page.locator(".thumb.is-selected")).to_have_attribute("aria-label", "Layer 2, head 2")
    expect(page.locator('select[name="layer"]')).to_have_value("1")
    heatmap = page.locator("svg.heatmap")
    heatmap.focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator(".heatmap-readout")).to_contain_text("Query 2")
