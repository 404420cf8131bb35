"""Browser fixtures: the lab served by a real uvicorn on a free port, and Debian's Chromium via Playwright."""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from app.main import create_app

CHROMIUM = Path("/usr/bin/chromium")
# Playwright cannot download its own browser here; Debian's Chromium runs headless with these flags.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A uvicorn server in a thread, restartable on the same database."""

    def __init__(self, settings, *, wait_for_encoder: bool = True) -> None:  # noqa: ANN001 - Settings
        self.settings = settings
        self.wait_for_encoder = wait_for_encoder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = None  # the app being served, for tests that look at its state
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Create a fresh app (as a new process would) and serve it."""
        self.app = app = create_app(self.settings)
        if self.wait_for_encoder:  # MiniLM loads in the background; flows that grade free text need it
            app.state.sentence_encoder.wait(timeout=120)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def restart(self) -> None:
        """Stop and start again on the same port and database."""
        self.stop()
        self.start()


@pytest.fixture
def live_server(settings) -> Iterator[LiveServer]:
    """The lab served over HTTP on 127.0.0.1."""
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test` (it installs Chromium) or apt-get install chromium"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (its own cookies) and page; console errors fail the test."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"
