"""The architecture page, its htmx partials and the lesson's extras, read through the parsed HTML."""

import pytest
import torch

from app.lm.inspection import forward_trace
from tests.conftest import page

HX = {"HX-Request": "true"}


def _shapes(doc) -> dict[tuple[str | None, str], tuple[int, ...]]:
    """(block, step name) -> the shape a walkthrough row prints."""
    shapes = {}
    for row in doc.select(".arch-walk tr[data-step]"):
        text = row.select_one(".arch-shape")["data-shape"]
        shapes[(row.get("data-block"), row["data-step"])] = tuple(int(n) for n in text.split(","))
    return shapes


def test_walkthrough_prints_the_real_shape_of_every_tensor(client, app):
    lab = app.state.lab_model
    doc = page(client.get("/playground/architecture", params={"prompt": "The cat sat on the mat"}))
    ids = [int(span.get_text()) for span in doc.select(".arch-tokens .arch-id")]
    assert ids == lab.tokenizer.encode("The cat sat on the mat")
    trace = forward_trace(lab.model, torch.tensor(ids))
    shapes = _shapes(doc)
    assert shapes[(None, "token ids")] == tuple(trace.idx.shape)
    assert shapes[(None, "token embedding")] == tuple(trace.tok_emb.shape)
    assert shapes[(None, "position embedding")] == tuple(trace.pos_emb.shape)
    assert shapes[(None, "logits")] == tuple(trace.logits.shape)
    for b, block in enumerate(trace.blocks, start=1):
        assert shapes[(str(b), "queries per head (keys, values alike)")] == tuple(block.q.shape)
        assert shapes[(str(b), "attention scores per head")] == tuple(block.scores.shape)
        assert shapes[(str(b), "FFN hidden layer")] == tuple(block.ffn_hidden.shape)
        assert shapes[(str(b), "residual stream + FFN")] == tuple(block.after_ffn.shape)
    assert len(doc.select(".arch-walk details.arch-block")) == lab.config.n_layer


def test_norm_chart_draws_a_line_per_token_plus_mean_and_last(client, app):
    doc = page(client.get("/playground/architecture", params={"prompt": "The cat sat"}))
    chart = doc.select_one("svg#residual-norms")
    n = len(doc.select(".arch-tokens li"))
    assert len(chart.select("polyline.series-faint")) == n
    assert len(chart.select("polyline.series-main")) == len(chart.select("polyline.series-accent")) == 1
    points = chart.select_one("polyline.series-main")["points"].split()
    assert (
        len(points) == 2 * app.state.lab_model.config.n_layer + 1
    )  # embedding, then +attn and +FFN per block
    assert chart["role"] == "img" and chart.select_one("desc").get_text()


def test_logit_lens_grid_is_position_by_layer_with_probability_bands(client, app):
    n_layer = app.state.lab_model.config.n_layer
    doc = page(client.get("/playground/architecture", params={"prompt": "The cat sat on the mat"}))
    grid = doc.select_one("table.lens-grid")
    rows = grid.select("tbody tr")
    assert len(rows) == len(doc.select(".arch-tokens li"))
    for row in rows:
        cells = row.select("td.lens-cell")
        assert [int(c["data-layer"]) for c in cells] == list(range(n_layer + 1))
        for cell in cells:
            prob = float(cell["data-prob"])
            assert 0 < prob <= 1
            band = next(c for c in cell["class"] if c.startswith("lens-b"))
            assert band == f"lens-b{sum(prob >= bound for bound in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9))}"


def test_lens_output_column_is_the_walkthroughs_top_next_token(client):
    doc = page(client.get("/playground/architecture", params={"prompt": "The cat sat on the"}))
    last_row = doc.select("table.lens-grid tbody tr")[-1]
    output_cell = last_row.select("td.lens-cell")[-1]
    top_next = doc.select_one("table.arch-next tbody tr")
    assert output_cell["data-token-id"] == top_next["data-token-id"]


def test_lab_parameter_counter_equals_numel(client, app):
    model = app.state.lab_model.model
    doc = page(client.get("/playground/architecture"))
    table = doc.select_one("table.arch-count")
    counts = {
        tr["data-component"]: int(tr.select_one("td[data-count]")["data-count"])
        for tr in table.select("tr[data-component]")
    }
    total = counts.pop("total")
    assert total == sum(counts.values()) == sum(p.numel() for p in model.parameters())
    assert counts["output_head"] == 0  # tied: the embedding is counted once
    assert counts["token_embedding"] == model.transformer.wte.weight.numel()
    # The test checkpoint's card has no total; the page says so rather than inventing one.
    assert "states no parameter total" in doc.select_one('[data-check="card"]').get_text()


def test_calculator_opens_on_llama_2_7b_with_its_published_total(client):
    doc = page(client.get("/playground/architecture"))
    form = doc.select_one("form.arch-calc")
    assert form.select_one("input[name=n_layer]")["value"] == "32"
    assert int(form.select_one("[data-total]")["data-total"]) == 6_738_415_616
    assert int(form.select_one("[data-published]")["data-published"]) == 6_738_415_616
    assert form.select_one('button[data-preset="llama-2-7b"]')["aria-pressed"] == "true"


@pytest.mark.parametrize(
    ("path", "present", "absent"),
    [
        ("/playground/architecture", [".arch-walk", "table.lens-grid"], ["html", "form"]),
        ("/playground/architecture/forward", [".arch-walk"], ["html", "table.lens-grid"]),
        ("/playground/architecture/lens", ["table.lens-grid"], ["html", ".arch-walk"]),
    ],
)
def test_htmx_gets_the_partial(client, path, present, absent):
    doc = page(client.get(path, params={"prompt": "The dog"}, headers=HX))
    assert all(doc.select_one(selector) is not None for selector in present)
    assert all(doc.select_one(selector) is None for selector in absent)


@pytest.mark.parametrize("path", ["/playground/architecture/forward", "/playground/architecture/lens"])
def test_partial_urls_without_htmx_get_the_whole_page(client, path):
    doc = page(client.get(path, params={"prompt": "The dog"}))
    assert doc.select_one("html") is not None and doc.select_one("form.arch-calc") is not None


def test_a_preset_swaps_in_the_whole_calculator_with_its_fields(client):
    doc = page(client.get("/playground/architecture/params", params={"preset": "llama-2-70b"}, headers=HX))
    form = doc.select_one("form.arch-calc")
    assert doc.select_one("html") is None and form is not None
    assert form.select_one("input[name=n_kv_head]")["value"] == "8"
    assert int(form.select_one("[data-total]")["data-total"]) == 68_976_648_192
    assert form.select_one('[data-note="gqa"]') is not None


def test_the_lab_preset_matches_the_loaded_model(client, app):
    doc = page(client.get("/playground/architecture/params", params={"preset": "lab-small"}, headers=HX))
    total = int(doc.select_one("[data-total]")["data-total"])
    assert total == sum(p.numel() for p in app.state.lab_model.model.parameters())


def test_field_edits_get_only_the_result(client):
    params = {"n_layer": 12, "d_model": 768, "n_head": 12, "n_kv_head": 12, "d_ff": 3072,
              "ffn_gated": "false", "vocab_size": 50257, "context_length": 1024, "tied_embeddings": "true",
              "positions": "learned", "bias": "true", "norm": "layernorm"}  # fmt: skip
    doc = page(client.get("/playground/architecture/params", params=params, headers=HX))
    assert doc.select_one("form") is None
    assert int(doc.select_one("[data-total]")["data-total"]) == 124_439_808
    assert "GPT-2 small" in doc.select_one("[data-published]").get_text()
    kv = {
        tr["data-dtype"]: int(tr.select_one("td[data-bytes]")["data-bytes"])
        for tr in doc.select("tr[data-dtype]")
    }
    assert kv == {"fp32": 73_728, "bf16": 36_864, "int8": 18_432}


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"d_model": 4096, "n_head": 30}, "does not divide by heads"),
        ({"n_head": 32, "n_kv_head": 6}, "do not divide by KV heads"),
        ({"n_layer": 0}, "n_layer"),
        ({"n_layer": "many"}, "n_layer"),
        ({"preset": "gpt-5"}, "no published configuration"),
    ],
)
def test_bad_calculator_input_is_a_422_with_the_reason(client, params, words):
    response = client.get("/playground/architecture/params", params=params, headers=HX)
    assert response.status_code == 422
    assert words in page(response).select_one(".error-message").get_text()


def test_page_prompt_has_a_size_limit(client):
    response = client.get("/playground/architecture", params={"prompt": "x" * 5_001}, headers=HX)
    assert response.status_code == 422


def test_nav_links_to_the_architecture_lab(client):
    doc = page(client.get("/"))
    assert doc.select_one('header nav a[href="/playground/architecture"]').get_text() == "Architecture"


def test_lesson_checks_the_diagrams_layer_counts(client):
    doc = page(client.get("/lessons/transformer-architecture"))
    check = doc.select_one("#architecture-overview ~ .lesson-extra .arch-check")
    rows = {tr["data-size"]: tr.select_one("[data-layers]")["data-layers"] for tr in check.select("tbody tr")}
    assert rows == {"7B": "32", "175B": "96"}
    note = check.select_one('[data-note="layer-count"]').get_text(" ", strip=True)
    assert "N = 80 for 175B" in note and "96 layers" in note and "Llama 2 70B" in note


def test_lesson_places_each_widget_after_its_section(client):
    doc = page(client.get("/lessons/transformer-architecture"))
    assert doc.select_one("#architecture-overview ~ .lesson-extra form.arch-forward-widget .arch-walk")
    breakdown = "#component-breakdown ~ .lesson-extra"
    assert doc.select_one(f"{breakdown} .arch-params table.arch-count")
    assert doc.select_one(f"{breakdown} form.arch-calc input[name=embedded][value=true]")
    assert doc.select_one(f"{breakdown} form.arch-lens-widget table.lens-grid")
    link = doc.select_one(
        '#decoder-only-vs-encoder-decoder ~ .lesson-extra a[href="/playground/embeddings#encoder-decoder"]'
    )
    assert link is not None
