"""Attention API and heatmap page on a real (tiny) transformer."""

import pytest
import torch

from app.attention.api import DECIMALS
from app.attention.schemas import AttentionResponse
from app.attention.service import attention_maps
from tests.conftest import page


def test_api_returns_every_layer_and_head_causal_and_normalised(client, app):
    body = client.post("/api/attention", json={"text": "The cat sat on the mat"}).json()
    config = app.state.lab_model.config
    assert body["layers"] == config.n_layer and body["heads"] == config.n_head
    assert body["tokens"] and body["truncated"] == 0
    n = len(body["tokens"])
    for layer in body["attention"]:
        assert len(layer) == config.n_head
        for head in layer:
            assert len(head) == n
            for q, row in enumerate(head):
                # Each weight is rounded to DECIMALS places: a row's sum moves by at most half a unit each.
                assert sum(row) == pytest.approx(1.0, abs=n * 0.5 * 10**-DECIMALS + 1e-6)
                assert all(weight == 0.0 for weight in row[q + 1 :])  # causal: nothing above the diagonal


def test_api_weights_are_the_model_s_rounded_to_four_decimals_and_written_short(client, app):
    text = "The cat sat on the mat and the dog sat on the log"
    response = client.post("/api/attention", json={"text": text})
    body = response.json()
    exact = attention_maps(lab=app.state.lab_model, text=text).weights
    sent = torch.tensor(body["attention"], dtype=torch.float64)
    assert sent.shape == exact.shape
    # Every number is the model's weight rounded to 4 places: within half a unit of the 4th, and on it.
    assert (sent - exact.double()).abs().max() <= 0.5 * 10**-DECIMALS + 1e-7
    assert torch.equal(sent, torch.round(sent, decimals=DECIMALS))
    assert (sent > 0).any() and (sent[sent > 0] < 1).any()  # not all 0/1: the rounding had work to do
    # Written in their shortest form: no "0.12349999696016312" for 0.1235.
    numbers = response.text.split('"attention":')[1].split(',"truncated"')[0]
    longest = max(len(part.strip("[]")) for part in numbers.split(","))
    assert longest <= len("0.1235")
    assert AttentionResponse.model_validate(body)  # the shape the OpenAPI schema declares


def test_api_cuts_long_text_from_the_left_and_says_how_much(client, app):
    context = app.state.lab_model.config.context_length
    text = "cat " * (context * 2)
    body = client.post("/api/attention", json={"text": text}).json()
    assert len(body["tokens"]) == context
    assert body["truncated"] == len(app.state.lab_model.tokenizer.encode(text)) - context


def test_api_empty_text_starts_from_the_start_token(client):
    body = client.post("/api/attention", json={"text": ""}).json()
    assert body["tokens"] == ["<|endoftext|>"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": 5}, 422),
        ({}, 422),
        ({"text": "a", "extra": 1}, 422),
        ({"text": "x" * 20_001}, 413),
    ],
)
def test_api_bad_input(client, payload, status):
    response = client.post("/api/attention", json=payload)
    assert response.status_code == status
    assert response.json()["detail"]


def test_api_needs_no_cookie_or_csrf(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as bare:
        response = bare.post("/api/attention", json={"text": "hi"})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers


def test_page_draws_lower_triangle_masked_region_and_thumbnails(client, app):
    doc = page(client.get("/playground/attention", params={"text": "The cat sat", "layer": 0, "head": 1}))
    n = len(doc.select("svg.heatmap text.query-label"))
    cells = doc.select("svg.heatmap rect[data-q]")
    assert len(cells) == n * (n + 1) // 2
    assert all(int(c["data-k"]) <= int(c["data-q"]) for c in cells)
    assert doc.select_one("svg.heatmap path.masked")["d"]
    config = app.state.lab_model.config
    assert len(doc.select(".thumb-grid a.thumb")) == config.n_layer * config.n_head
    assert doc.select_one(".thumb.is-selected")["aria-label"] == "Layer 1, head 2"


def test_row_weights_on_the_page_sum_to_one(client):
    doc = page(client.get("/playground/attention", params={"text": "The cat sat on the mat"}))
    rows: dict[str, float] = {}
    for cell in doc.select("svg.heatmap rect[data-q]"):
        rows[cell["data-q"]] = rows.get(cell["data-q"], 0.0) + float(cell["data-w"])
    assert all(total == pytest.approx(1.0, abs=1e-3) for total in rows.values())


def test_average_of_heads_is_offered_and_drawn(client):
    doc = page(client.get("/playground/attention", params={"text": "The cat", "head": "avg"}))
    assert doc.select_one("select[name=head] option[value=avg]").has_attr("selected")
    assert doc.select_one(".head-steps") is None  # the six steps belong to one head
    assert doc.select("svg.heatmap rect[data-q]")


def test_inside_one_head_shows_six_steps_with_consistent_numbers(client):
    doc = page(client.get("/playground/attention", params={"text": "The cat sat", "layer": 1, "head": 0}))
    steps = doc.select(".head-steps ol.steps > li")
    assert len(steps) == 6
    weights = [t for t in doc.select(".head-steps table.matrix") if "weights" in t.caption.get_text()][0]
    for row in weights.select("tbody tr"):
        values = [float(td.get_text()) for td in row.select("td") if td.get_text() != "−∞"]
        assert sum(values) == pytest.approx(1.0, abs=5e-3)
    masked = [t for t in doc.select(".head-steps table.matrix") if "masked" in t.caption.get_text()][0]
    first_row = masked.select("tbody tr")[0].select("td")
    assert [td.get_text() for td in first_row[1:]] == ["−∞"] * (len(first_row) - 1)


def test_htmx_gets_the_partial(client):
    response = client.get("/playground/attention", params={"text": "hi"}, headers={"HX-Request": "true"})
    doc = page(response)
    assert doc.select_one("html") is None and doc.select_one("svg.heatmap") is not None


@pytest.mark.parametrize("query", [{"layer": 99}, {"head": "7x"}, {"layer": -1}])
def test_page_bad_layer_or_head_is_a_4xx(client, query):
    response = client.get("/playground/attention", params={"text": "hi", **query})
    assert response.status_code == 422
    assert "Traceback" not in response.text


def test_attention_lesson_embeds_the_live_heatmap(client):
    doc = page(client.get("/lessons/attention-mechanism"))
    widget = doc.select_one(".lesson-extra .attention-widget")
    assert widget is not None and widget.select("svg.heatmap rect[data-q]")
