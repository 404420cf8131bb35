"""As a learner would: start live pre-training, watch the loss chart and the samples update; cancel a run."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Records, on every swap of the run panel, how many loss points the chart has and how many samples are listed.
WATCH = """() => {
  window.__seen = [];
  const slot = document.querySelector('#pretrain-run');
  new MutationObserver(() => {
    const curve = slot.querySelector('svg#pretrain-loss .series.curve-train');
    const rows = slot.querySelectorAll('table.samples tbody tr').length;
    if (curve) window.__seen.push([Number(curve.getAttribute('data-points')), rows]);
  }).observe(slot, {childList: true, subtree: true});
}"""


@pytest.fixture
def settings(settings):
    """Runs capped at 24 steps, so the whole run takes seconds."""
    settings.training_step_cap = 24
    return settings


def test_live_pretraining_updates_the_loss_chart_and_the_samples(live_server, page):
    page.goto(live_server.url + "/playground/training")
    page.evaluate(WATCH)
    page.locator("#demo-pretrain button[data-role='start']").click()
    view = page.locator("#pretrain-run .run-view")
    expect(view).to_have_attribute("data-state", "running")
    expect(page.locator("#demo-pretrain button[data-role='start']")).to_be_disabled()
    expect(view).to_have_attribute("data-state", "ended", timeout=60_000)
    seen = page.evaluate("window.__seen")
    points = [p for p, _ in seen]
    samples = [s for _, s in seen]
    assert points[-1] == 24 and len(set(points)) > 2  # the curve grew over several updates
    assert points == sorted(points)
    assert samples[-1] >= 3 and len(set(samples)) > 2  # new samples arrived while it trained
    expect(page.locator("#pretrain-run table.samples tbody tr").first).to_have_attribute("data-step", "24")
    expect(page.locator("#pretrain-run button[data-role='cancel']")).to_be_hidden()
    expect(page.locator("#demo-pretrain button[data-role='start']")).to_be_enabled()


def test_the_cancel_button_stops_a_run(live_server, page):
    live_server.app.state.training.step_cap = 100_000
    page.goto(live_server.url + "/playground/training")
    page.locator("#demo-pretrain input[name='steps']").fill("5000")
    page.locator("#demo-pretrain button[data-role='start']").click()
    expect(page.locator("#pretrain-run .run-view")).to_have_attribute("data-state", "running")
    page.locator("#pretrain-run button[data-role='cancel']").click()
    expect(page.locator("#pretrain-run .run-view")).to_have_attribute("data-state", "ended")
    expect(page.locator("#pretrain-run .run-status")).to_contain_text("Cancelled after")
    expect(page.locator("#pretrain-run [data-role='queue']")).to_have_text("Cancelled.")
