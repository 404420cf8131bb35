"""The BPE trainer widget on the classic worked example, stepping with prev/next and the slider."""

import pytest

from app.tokenizer.trainer import train_to_step
from tests.conftest import csrf_token, page
from tests.tokenizer.test_pages import post

BPE = "/playground/tokenizer/bpe"
WIKIPEDIA = "aaabdaaabac"  # Wikipedia's BPE example: aa -> Z, ab -> Y, ZY -> X


def test_worked_example_merges():
    view = train_to_step(text=WIKIPEDIA, num_merges=3, step=3)
    assert [(m.left, m.right, m.count, m.new_id) for m in view.merges] == [
        (b"a", b"a", 4, 256),
        (b"a", b"b", 2, 257),
        (b"aa", b"ab", 2, 258),
    ]
    assert view.segmentation == [b"aaab", b"d", b"aaab", b"a", b"c"]
    assert [piece.id for piece in view.pieces] == [258, 100, 258, 97, 99]


def test_step_zero_is_bytes_and_steps_are_clamped():
    assert train_to_step(text="ab", num_merges=5, step=0).segmentation == [b"a", b"b"]
    view = train_to_step(text="ab", num_merges=5, step=5)
    assert view.step == 1 and view.exhausted  # "ab" has one pair to merge


def test_page_shows_the_step_its_table_and_segmentation(client):
    doc = page(client.get(BPE, params={"text": WIKIPEDIA, "num_merges": 3, "step": 2}))
    assert doc.select_one("html") is not None
    assert doc.select_one("output[data-step]").get_text() == "2"
    rows = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in doc.select("table.bpe-merges tbody tr")
    ]
    assert rows == [["1", "a + a", "4", "aa = 256"], ["2", "a + b", "2", "ab = 257"]]
    assert [li.get_text() for li in doc.select("#bpe-result li.tok")] == [
        "aa",
        "ab",
        "d",
        "aa",
        "ab",
        "a",
        "c",
    ]
    assert doc.select_one('[data-stat="tokens"]').get_text() == "7"


@pytest.mark.parametrize(("go", "shown"), [("next", "3"), ("prev", "1"), ("first", "0"), ("last", "3")])
def test_buttons_move_one_step_with_htmx(client, go, shown):
    doc = page(post(client, BPE, text=WIKIPEDIA, num_merges="3", step="2", go=go))
    assert doc.select_one("html") is None  # the partial
    assert doc.select_one("output[data-step]").get_text() == shown
    slider = doc.select_one("input#bpe-step")
    assert slider["max"] == "3" and slider["value"] == shown and slider["hx-trigger"] == "change"


def test_too_much_text_is_a_413_message(client):
    response = post(client, BPE, text="a" * 20_001, num_merges="3", step="1")
    assert response.status_code == 413
    assert "20,000" in page(response).select_one(".tok-error").get_text()


@pytest.mark.parametrize("num_merges", ["0", "501", "many"])
def test_bad_merge_count_is_a_422_message(client, num_merges):
    response = post(client, BPE, text="abc", num_merges=num_merges, step="1")
    assert response.status_code == 422
    assert "num_merges" in page(response).select_one(".error-message").get_text()


def test_trainer_post_without_htmx_is_the_full_page(client):
    token = csrf_token(client, BPE)
    response = client.post(BPE, data={"text": WIKIPEDIA, "num_merges": "3", "step": "1", "csrf_token": token})
    assert response.status_code == 200
    assert page(response).select_one("form.bpe-form #bpe-result output").get_text() == "1"


def test_the_text_is_segmented_once_for_the_step_shown(monkeypatch):
    from app.lm import bpe

    calls = []
    segmentation = bpe.TextTrainer.segmentation
    monkeypatch.setattr(bpe.TextTrainer, "segmentation", lambda self: calls.append(1) or segmentation(self))
    text = "low lower lowest newer newest wider widest " * 50
    view = train_to_step(text=text, num_merges=40, step=15)
    assert view.step == 15 and len(calls) == 1
    assert b"".join(view.segmentation) == text.encode()


def test_merge_table_marks_whitespace_and_invisible_characters_like_the_token_view():
    from app.tokenizer.display import show_whitespace
    from app.tokenizer.trainer import MergeRow

    row = MergeRow(index=0, left=b"\t", right="\u200b \n".encode(), count=2, new_id=256, new_bytes=b"")
    assert row.shown[:2] == ("→", "‹U+200B›·↵")
    assert row.shown[1] == show_whitespace("\u200b \n")
