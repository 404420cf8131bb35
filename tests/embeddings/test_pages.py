"""The embeddings playground, its htmx partials, its widgets in the Embeddings lesson, and WordPiece in the
tokenizer's side-by-side view."""

import pytest

from tests.conftest import csrf_token, page

HX = {"HX-Request": "true"}


def _value(doc, metric: str) -> float:
    return float(doc.select_one(f'.emb-metric[data-metric="{metric}"] .emb-value')["data-value"])


def test_page_shows_every_widget_and_is_in_the_nav(ready_client):
    doc = page(ready_client.get("/playground/embeddings"))
    for section in ("example", "compare", "matrix", "search", "encoder-decoder"):
        assert doc.select_one(f"section#{section} form.widget .widget-result"), section
    assert doc.select_one('nav[aria-label="Main"] a[href="/playground/embeddings"]')["aria-current"] == "page"
    assert not doc.select(".emb-loading")  # loaded: no widget is waiting


def test_compare_partial_fills_in_each_formula(ready_client):
    response = ready_client.get(
        "/playground/embeddings/compare",
        params={"a": "How do I reset my password?", "b": "I forgot my login credentials"},
        headers=HX,
    )
    doc = page(response)
    assert response.status_code == 200 and not doc.select("html, header.site-header")
    cosine, dot, euclidean = _value(doc, "cosine"), _value(doc, "dot"), _value(doc, "euclidean")
    assert cosine == pytest.approx(0.678, abs=0.01) and dot == pytest.approx(cosine, abs=1e-5)
    assert euclidean == pytest.approx((2 - 2 * cosine) ** 0.5, abs=1e-4)
    formula = doc.select_one('.emb-metric[data-metric="cosine"] .emb-formula').get_text()
    assert formula.endswith(f"= {cosine:.4f}") and f"{dot:.4f} / (1.0000 × 1.0000)" in formula
    assert "(384 products)" in doc.select_one('.emb-metric[data-metric="dot"] .emb-formula').get_text()
    assert "cosine = dot product" in doc.select_one(".emb-note").get_text()
    marker = doc.select_one("svg.emb-gauge circle.gauge-marker")
    assert float(marker["cx"]) == pytest.approx(10 + (cosine + 1) / 2 * 300, abs=0.1)


def test_the_full_compare_page_keeps_the_texts(ready_client):
    doc = page(ready_client.get("/playground/embeddings/compare", params={"a": "alpha", "b": "beta"}))
    assert doc.select_one("header.site-header")
    assert doc.select_one('#compare textarea[name="a"]').get_text() == "alpha"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"a": "", "b": "x"}, 422, "Text A is empty"),
        ({"a": "x", "b": "   "}, 422, "Text B is empty"),
        ({"a": "x" * 1001, "b": "x"}, 413, "Text A has 1,001 characters; the limit is 1,000."),
        ({"a": "x" * 4001, "b": "x"}, 422, "at most 4000 characters"),
    ],
)
def test_compare_bad_input_is_a_message_not_a_500(ready_client, params, status, message):
    response = ready_client.get("/playground/embeddings/compare", params=params, headers=HX)
    assert response.status_code == status
    assert message in page(response).select_one(".error-message").get_text()


def test_example_partial_sets_the_module_beside_the_computed(ready_client):
    doc = page(ready_client.get("/playground/embeddings/example", headers=HX))
    rows = {row["data-pair"]: row for row in doc.select("tr[data-pair]")}
    assert set(rows) == {"password_reset-forgot_login", "password_reset-pizza", "forgot_login-pizza"}
    close = rows["password_reset-forgot_login"]
    assert close.select_one("td[data-stated]").get_text(strip=True) == "0.94"
    assert float(close.select_one("td[data-computed]")["data-computed"]) == pytest.approx(0.678, abs=0.01)
    far = rows["password_reset-pizza"]
    assert far.select_one("td[data-stated]").get_text(strip=True) == "0.12"
    assert float(far.select_one("td[data-computed]")["data-computed"]) == pytest.approx(0.032, abs=0.01)
    assert rows["forgot_login-pizza"].select_one("td[data-stated]").get_text(strip=True) == "not stated"
    assert "illustrative" in doc.select_one("th:nth-of-type(2)").get_text()


def _matrix(client, texts: str):
    token = csrf_token(client, "/playground/embeddings")
    return client.post(
        "/playground/embeddings/matrix", data={"texts": texts}, headers={**HX, "X-CSRF-Token": token}
    )


def test_matrix_partial_draws_a_heatmap_and_a_pca_scatter(ready_client):
    texts = ["cats purr", "kittens meow", "stock markets fell", "shares dropped today", "the sun is hot"]
    doc = page(_matrix(ready_client, "\n".join(texts) + "\n\n"))
    cells = doc.select("svg#emb-matrix g.matrix-cell")
    assert len(cells) == 25
    diagonal = [float(c["data-value"]) for c in cells if c["data-row"] == c["data-col"]]
    assert diagonal == pytest.approx([1.0] * 5, abs=1e-5)
    points = doc.select("svg#emb-pca g.scatter-point")
    assert [p.select_one("title").get_text() for p in points] == [f"{i}. {t}" for i, t in enumerate(texts, 1)]
    assert "% of the variance" in doc.select_one("svg#emb-pca").get_text()


@pytest.mark.parametrize(
    ("texts", "status", "message"),
    [
        ("just one", 422, "At least 2 texts"),
        ("\n".join(f"text {i}" for i in range(11)), 422, "At most 10 texts at once; got 11."),
        ("fine\n" + "x" * 1001, 413, "Text 2 has 1,001 characters"),
    ],
)
def test_matrix_bad_input_is_a_message(ready_client, texts, status, message):
    response = _matrix(ready_client, texts)
    assert response.status_code == status
    assert message in page(response).select_one(".error-message").get_text()


def test_matrix_post_needs_the_csrf_token(ready_client):
    ready_client.get("/playground/embeddings")
    response = ready_client.post("/playground/embeddings/matrix", data={"texts": "a\nb"}, headers=HX)
    assert response.status_code == 403


def test_search_partial_links_each_hit_to_its_section(ready_client, ready_app):
    doc = page(
        ready_client.get(
            "/playground/embeddings/search",
            params={"q": "What is the lost in the middle problem?", "k": 3},
            headers=HX,
        )
    )
    hits = doc.select("li.emb-hit")
    assert len(hits) == 3 and hits[0]["data-lesson"] == "context-windows"
    scores = [float(hit["data-score"]) for hit in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        slug, anchor = hit.select_one("a")["href"].removeprefix("/lessons/").split("#")
        assert anchor in {e.anchor for e in ready_app.state.course.lesson(slug).rendered.toc}


@pytest.mark.parametrize(
    ("params", "status"), [({"q": ""}, 422), ({"q": "x", "k": 0}, 422), ({"q": "x", "k": 99}, 422)]
)
def test_search_bad_input(ready_client, params, status):
    response = ready_client.get("/playground/embeddings/search", params=params, headers=HX)
    assert response.status_code == status and page(response).select_one(".error-message")


def test_attention_partial_sets_a_full_encoder_map_beside_a_causal_decoder_map(ready_client, ready_app):
    doc = page(
        ready_client.get(
            "/playground/embeddings/attention",
            params={"text": "The cat sat on the mat", "enc_layer": 3, "enc_head": "7", "dec_head": "avg"},
            headers=HX,
        )
    )
    enc = doc.select_one('section[data-side="enc"] svg.heatmap')
    dec = doc.select_one('section[data-side="dec"] svg.heatmap')
    assert enc["data-causal"] == "false" and dec["data-causal"] == "true"
    n_enc = len(enc.select("text.query-label"))
    n_dec = len(dec.select("text.query-label"))
    assert [t.get_text() for t in enc.select("text.query-label")][:2] == ["[CLS]", "the"]
    assert len(enc.select("rect[data-q]")) == n_enc * n_enc and not enc.select("path.masked")
    assert len(dec.select("rect[data-q]")) == n_dec * (n_dec + 1) // 2 and dec.select_one("path.masked")["d"]
    assert any(
        int(r["data-k"]) > int(r["data-q"]) and float(r["data-w"]) > 0 for r in enc.select("rect[data-q]")
    )
    assert doc.select_one('select[name="enc_layer"] option[selected]')["value"] == "3"
    assert doc.select_one('select[name="enc_head"] option[selected]')["value"] == "7"
    assert doc.select_one('select[name="dec_head"] option[selected]')["value"] == "avg"
    assert len(doc.select('select[name="dec_layer"] option')) == ready_app.state.lab_model.config.n_layer
    assert len({svg["aria-labelledby"] for svg in doc.select("svg.heatmap")}) == 2  # ids stay unique


@pytest.mark.parametrize(
    ("params", "status"),
    [({"enc_head": "12"}, 422), ({"enc_layer": 6}, 422), ({"text": " "}, 422), ({"enc_head": "x"}, 422)],
)
def test_attention_bad_input(ready_client, params, status):
    response = ready_client.get("/playground/embeddings/attention", params=params, headers=HX)
    assert response.status_code == status and page(response).select_one(".error-message")


def test_the_architecture_lesson_can_link_to_encoder_decoder(ready_client):
    doc = page(ready_client.get("/playground/embeddings"))
    assert doc.select_one("#encoder-decoder svg.heatmap[data-causal=false]")


@pytest.mark.parametrize(
    ("anchor", "widget"),
    [
        ("what-embeddings-are", "emb-example-lesson"),
        ("embedding-models-vs-generation-models", "emb-attention-lesson"),
        ("similarity-metrics", "emb-compare-lesson"),
        ("where-embeddings-are-used", "emb-search-lesson"),
        ("where-embeddings-are-used", "emb-matrix-lesson"),
    ],
)
def test_lesson_widgets_follow_their_sections(ready_client, anchor, widget):
    doc = page(ready_client.get("/lessons/embeddings"))
    form = doc.select_one(f"form#{widget}")
    assert form and form.select_one(".widget-result > *")
    heading = form.find_previous(["h2", "h3"], id=True)
    assert heading["id"] == anchor


def test_tokenizer_side_by_side_adds_minilm_wordpiece(client):
    token = csrf_token(client, "/playground/tokenizer")
    data = {"text": "Unbelievably tired", "compare": "on", "csrf_token": token}
    doc = page(client.post("/playground/tokenizer", data=data, headers=HX))
    section = doc.select_one('section.tok-wordpiece[data-encoding="minilm-wordpiece"]')
    pieces = [li.get_text() for li in section.select("ol.tok-view li")]
    assert pieces == ["[CLS]", "un", "##bel", "##ie", "##va", "##bly", "tired", "[SEP]"]
    assert section.select_one("[data-count]").get_text() == "8"
    views = doc.select("section.tok-encoding, section.tok-wordpiece")
    assert [v["data-encoding"] for v in views] == [*client.app.state.encodings.names, "minilm-wordpiece"]
    single = page(client.post("/playground/tokenizer", data={**data, "compare": ""}, headers=HX))
    assert not single.select('[data-encoding="minilm-wordpiece"]')
