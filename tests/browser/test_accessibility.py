"""axe-core (npm, pinned in package-lock.json) on every main page: no serious or critical WCAG 2.1 A/AA
violation.

axe is read from node_modules and evaluated in the page by Playwright, so the app never serves it.
Each page is checked once its htmx widgets have loaded (the network is idle).
"""

import faulthandler
import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from app.config import ROOT, Settings
from app.lessons.content import load_course
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

LESSONS = [f"/lessons/{lesson.slug}" for lesson in load_course(ROOT / "content").lessons]
PLAYGROUNDS = [
    f"/playground/{name}"
    for name in (
        "tokenizer",
        "attention",
        "sampling",
        "context",
        "costs",
        "completions",
        "architecture",
        "embeddings",
        "training",
    )
]
PAGES = ["/", *LESSONS, *PLAYGROUNDS, "/mock", "/review", "/progress", "/api"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_model_dir) -> Iterator[LiveServer]:
    """One live lab for every page of this module (the pages only read)."""
    var_dir = tmp_path_factory.mktemp("a11y")
    settings = Settings(
        database_url=f"sqlite:///{var_dir / 'lab.db'}",
        var_dir=var_dir,
        secret_key="a11y-secret",
        model_dir=tiny_model_dir,
    )
    live = LiveServer(settings)
    live.start()
    # Axe checks the pages as a learner sees them once the lab has settled. In the first seconds after a
    # start, MiniLM's widgets re-render on every request until it has loaded (the search until the index has),
    # and the first drawing waits while the index build and the grader's warm-up use MiniLM (a first
    # /lessons/embeddings took 4-5 s on an idle machine, and over the 30 s page timeout once in CI with
    # Chromium on the same two cores).
    try:
        live.app.state.search_index.wait(timeout=120)
        live.app.state.grader_warmup.wait(timeout=120)
    except TimeoutError:  # once in CI the index was not there after 120 s: show where every thread stood
        faulthandler.dump_traceback(all_threads=True)
        raise
    yield live
    live.stop()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make test` (npm ci installs axe-core)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())  # evaluated by the browser's debugger, so the page's CSP is untouched
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_A_AA,
    )
    return [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """One line per rule, with up to three offending elements."""
    lines = []
    for violation in violations:
        targets = ", ".join(json.dumps(node["target"]) for node in violation["nodes"][:3])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_every_lesson_is_checked():
    assert len(LESSONS) >= 9


@pytest.mark.parametrize("path", PAGES)
def test_main_page_has_no_serious_wcag_violation(server, page, path):
    open_page(page, server.url + path)
    violations = axe_violations(page)
    assert not violations, f"{path}:\n{describe(violations)}"


def test_a_running_mock_interview_has_no_serious_wcag_violation(server, page):
    open_page(page, server.url + "/mock")
    page.get_by_role("button", name="Start the interview").click()
    expect(page.locator(".mock-question-title")).to_contain_text("Question 1 of")
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_an_answered_quiz_question_has_no_serious_wcag_violation(server, page):
    open_page(page, server.url + "/lessons/transformer-architecture")
    card = page.locator("#q-arch-why-transformers-won")
    card.locator("input[type=radio]").nth(1).check()  # a wrong choice: the feedback shows the explanation
    card.get_by_role("button", name="Check answer").click()
    expect(page.locator("#q-arch-why-transformers-won.is-answered")).to_be_visible()
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_standalone_question_page_has_no_serious_wcag_violation(server, page):
    open_page(page, server.url + "/quiz/questions/arch-why-transformers-won")
    expect(page.locator("#q-arch-why-transformers-won")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_axe_does_report_a_violation(server, page):
    # The checks above mean something only if axe runs and reports: an image button with no name is critical.
    open_page(page, server.url + "/")
    page.evaluate(
        "() => { const b = document.createElement('button'); b.appendChild(document.createElement('img'));"
        " document.querySelector('main').appendChild(b); }"
    )
    assert "button-name" in {v["id"] for v in axe_violations(page)}
