"""As a learner would see it when the lab is busy: a widget says "busy, retrying", waits Retry-After,
and answers once a model slot comes free, for an htmx request of the sampling widget that needs the model
(a new prompt: a slider move on cached logits takes no slot) and for streamed generation."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
NEW_PROMPT = re.compile(r"prompt=The(\+|%20)dog")


@pytest.fixture
def busy_server(settings):
    """The lab with one model slot and no queue: a held slot makes every model request a 503."""
    server = LiveServer(
        settings.model_copy(update={"model_workers": 1, "model_queue": 0}), wait_for_encoder=False
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def busy_page(browser):
    """A page that expects the 503s: Chromium logs each as a console error, which `page` forbids."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors and all("503" in error for error in errors), errors


def test_a_new_prompt_and_a_generation_retry_until_the_lab_has_room(busy_server, busy_page):
    page = busy_page
    gate = busy_server.app.state.model_gate
    page.goto(busy_server.url + "/playground/sampling?prompt=The+cat")
    message = page.locator("form.sampling-widget .field-error")
    temperature = page.locator('output[for="sampling-temperature"]')
    expect(temperature).to_have_text("1.0")

    assert gate.try_acquire()  # another learner's model work holds the only slot
    try:
        page.locator("#sampling-prompt").fill("The dog")  # a prompt the model has not read: a forward pass
        expect(message).to_contain_text("busy, retrying")
        page.wait_for_timeout(1500)  # past Retry-After: it tried again, and was refused again
        expect(message).to_contain_text("busy, retrying")
        assert not NEW_PROMPT.search(page.url)
    finally:
        gate.release()
    page.wait_for_url(NEW_PROMPT)  # the retry got through and swapped the bars in
    expect(message).to_have_text("")

    assert gate.try_acquire()
    try:
        page.locator('button[data-action="generate"]').click()
        expect(message).to_contain_text("busy, retrying")
        expect(page.locator('button[data-action="generate"]')).to_be_disabled()
    finally:
        gate.release()
    expect(page.locator(".generation .finish-reason")).to_have_attribute(
        "data-finish-reason", re.compile(".")
    )
    expect(message).to_have_text("")
    expect(page.locator('button[data-action="generate"]')).to_be_enabled()
    assert gate.in_flight == 0
