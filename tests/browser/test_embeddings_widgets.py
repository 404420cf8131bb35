"""As a person would: type into each embeddings widget and see its picture change; while MiniLM is still
loading, see "loading" turn into the result (and a free-text answer into its grade) without doing anything."""

import re

import pytest
from playwright.sync_api import expect

from app.embeddings.model import load_sentence_encoder
from tests.browser.conftest import LiveServer
from tests.embeddings.helpers import HeldLoad

pytestmark = pytest.mark.browser
LOADED = 60_000  # ms: the first test in a process may wait for MiniLM and the search index


@pytest.fixture
def embeddings_server(settings):
    """The lab served with MiniLM and the lesson search index already loaded."""
    server = LiveServer(settings)
    server.start()
    server.app.state.search_index.wait(timeout=120)
    yield server
    server.stop()


@pytest.fixture
def loading_server(settings, monkeypatch):
    """The lab served while MiniLM is still loading; `loading_server.held.release.set()` lets it finish."""
    held = HeldLoad(load_sentence_encoder())
    monkeypatch.setattr("app.main.load_sentence_encoder", held)
    server = LiveServer(settings, wait_for_encoder=False)
    server.held = held
    server.start()
    yield server
    held.release.set()
    server.stop()


def test_typing_a_second_text_moves_the_cosine(embeddings_server, page):
    page.goto(embeddings_server.url + "/playground/embeddings#compare")
    form = page.locator("#emb-compare")
    cosine = form.locator('.emb-metric[data-metric="cosine"] .emb-value')
    marker = form.locator("svg.emb-gauge circle.gauge-marker")
    expect(cosine).to_be_visible(timeout=LOADED)
    before, where = float(cosine.get_attribute("data-value")), marker.get_attribute("cx")

    form.locator('textarea[name="b"]').fill("Quarterly earnings beat the analysts' forecasts.")
    expect(marker).not_to_have_attribute("cx", where)
    after = float(cosine.get_attribute("data-value"))
    assert after < before  # the cat on the mat is nothing like earnings
    dot = float(form.locator('.emb-metric[data-metric="dot"] .emb-value').get_attribute("data-value"))
    assert dot == pytest.approx(after, abs=1e-5)


def test_adding_a_text_grows_the_matrix_and_the_scatter(embeddings_server, page):
    page.goto(embeddings_server.url + "/playground/embeddings#matrix")
    cells = page.locator("#emb-matrix svg#emb-matrix g.matrix-cell")
    points = page.locator("#emb-matrix g.scatter-point")
    expect(cells).to_have_count(36, timeout=LOADED)
    expect(points).to_have_count(6)

    textarea = page.locator("#emb-texts")
    textarea.press("Control+End")
    textarea.press_sequentially("\nShares fell sharply on Monday.")
    expect(cells).to_have_count(49)
    expect(points).to_have_count(7)
    expect(points.last.locator("title")).to_have_text("7. Shares fell sharply on Monday.")


def test_a_question_finds_its_lesson(embeddings_server, page):
    page.goto(embeddings_server.url + "/playground/embeddings#search")
    hits = page.locator("#emb-search li.emb-hit")
    expect(hits.first).to_have_attribute("data-lesson", "context-windows", timeout=LOADED)

    page.get_by_label("Question").fill("What does top-k keep when sampling?")
    expect(hits.first).to_have_attribute("data-lesson", "key-parameters")
    expect(hits.first.locator("a")).to_have_attribute("href", re.compile(r"^/lessons/key-parameters#"))


def test_encoder_heatmap_is_full_and_follows_the_head_picked(embeddings_server, page):
    page.goto(embeddings_server.url + "/playground/embeddings#encoder-decoder")
    enc = page.locator('section[data-side="enc"] svg.heatmap')
    dec = page.locator('section[data-side="dec"] svg.heatmap')
    expect(enc).to_have_attribute("data-causal", "false", timeout=LOADED)
    expect(dec.locator("path.masked")).to_have_count(1)
    n = enc.locator("text.query-label").count()
    expect(enc.locator("rect[data-q]")).to_have_count(n * n)
    before = enc.locator("rect[data-q]").evaluate_all("rs => rs.map(r => r.dataset.w).join()")

    page.locator('select[name="enc_head"]').select_option("3")
    expect(page.locator('select[name="enc_head"]')).to_have_value("3")
    expect(enc.locator("title").first).to_contain_text("Layer 1, head 4")
    after = enc.locator("rect[data-q]").evaluate_all("rs => rs.map(r => r.dataset.w).join()")
    assert after != before
    enc.focus()
    page.keyboard.press("ArrowRight")  # above the diagonal: an encoder's cell, which a decoder masks
    readout = page.locator('section[data-side="enc"] .heatmap-readout')
    expect(readout).to_contain_text("Query 1 “[CLS]” → key 2")


def test_side_by_side_tokenizer_shows_wordpiece_continuations(embeddings_server, page):
    page.goto(embeddings_server.url + "/playground/tokenizer")
    page.locator("#tok-text").fill("Unbelievably tired")
    page.get_by_label("Side by side, every encoding").check()
    pieces = page.locator('[data-encoding="minilm-wordpiece"] li.tok')
    expect(pieces).to_have_text(["[CLS]", "un", "##bel", "##ie", "##va", "##bly", "tired", "[SEP]"])


def test_widgets_wait_for_minilm_and_fill_in_by_themselves(loading_server, page):
    page.goto(loading_server.url + "/lessons/embeddings")
    example = page.locator("#emb-example-lesson")
    expect(example.locator(".emb-loading")).to_contain_text("still loading")
    page.wait_for_timeout(1500)  # at least one retry while still loading: it asks again, and waits again
    expect(example.locator(".emb-loading")).to_be_visible()

    loading_server.held.release.set()
    expect(example.locator("td[data-computed]").first).to_be_visible(timeout=LOADED)
    expect(example.locator("tr[data-pair=password_reset-forgot_login] td[data-stated]")).to_have_text("0.94")
    expect(page.locator("#emb-compare-lesson .emb-metric")).to_have_count(3)


def test_a_free_text_answer_is_graded_once_minilm_is_ready(loading_server, page):
    page.goto(loading_server.url + "/lessons/embeddings")
    card = page.locator('article.question-card[data-question="emb-explain-ft"]')
    card.locator("textarea[name=text]").fill(
        "An embedding maps text to a fixed-size vector so that similar meanings are close; "
        "search compares vectors by cosine similarity."
    )
    card.get_by_role("button", name="Check answer").click()
    waiting = page.locator("article.question-card.is-grading")
    expect(waiting).to_contain_text("still loading")

    loading_server.held.release.set()
    graded = page.locator('article.question-card[data-question="emb-explain-ft"] .verdict')
    expect(graded).to_be_visible(timeout=LOADED)
    expect(page.locator("article.question-card.is-grading")).to_have_count(0)
