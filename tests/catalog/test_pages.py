"""The costs playground and the catalog's lesson widgets, asserted through the parsed HTML."""

import pytest

from tests.conftest import csrf_token, page

HX = {"HX-Request": "true"}


def chart_keys(doc, chart_id: str) -> list[str]:
    """The model ids of a bar chart's rows, top to bottom."""
    return [row["data-key"] for row in doc.select(f"svg#{chart_id} g.bar-row")]


def chart_totals(doc, chart_id: str) -> list[float]:
    """Each row's bar length in dollars (its segments added up)."""
    return [
        sum(float(seg["data-value"]) for seg in row.select("rect.bar-segment"))
        for row in doc.select(f"svg#{chart_id} g.bar-row")
    ]


def post(client, **data):
    """Post the calculator form as htmx does."""
    headers = HX | {"X-CSRF-Token": csrf_token(client, "/playground/costs")}
    return client.post("/playground/costs", data=data, headers=headers)


def test_the_page_has_every_widget_and_a_nav_link(client):
    doc = page(client.get("/playground/costs"))
    assert doc.select_one('nav[aria-label="Main"] a[aria-current="page"]')["href"] == "/playground/costs"
    assert doc.select_one("form.costs-form") and doc.select_one("form.chooser-form")
    assert doc.select_one("svg#ratios-chart") is not None
    assert len(doc.select("table.catalog-table[data-kind=families]")) == 4
    assert (
        doc.select_one("section.catalog-comparison [data-summary]").get_text(strip=True).startswith("4 of 17")
    )


def test_the_chart_is_every_priced_model_cheapest_first(client):
    doc = page(client.get("/playground/costs"))
    totals = chart_totals(doc, "costs-chart")
    assert len(totals) == 10  # the module prices ten models
    assert totals == sorted(totals)
    assert chart_keys(doc, "costs-chart")[0] == "gemini-2-0-flash"
    assert totals[-1] == pytest.approx((2_000 * 15 + 500 * 75) / 1e6)  # Claude Opus 4 at the default workload


def test_htmx_gets_the_partial_with_both_sources(client):
    response = post(client, input_tokens="1000000", output_tokens="0", prices="module")
    doc = page(response)
    assert response.status_code == 200 and doc.select_one("html") is None
    row = doc.select_one('table.costs-table tr[data-model="o3"]')
    assert row.select_one('td[data-source="module"]').get_text() == "$10"
    assert row.select_one('td[data-source="genai-prices"]').get_text() == "$2"
    assert doc.select_one("[data-cheapest]").get_text() == "Gemini 2.0 Flash"


def test_genai_prices_source_charts_the_dataset(client):
    doc = page(post(client, input_tokens="2000", output_tokens="500", prices="genai-prices"))
    keys = chart_keys(doc, "costs-chart")
    assert len(keys) == 16 and "gemini-2-0-pro" not in keys  # every model but the one the dataset lacks
    assert chart_totals(doc, "costs-chart") == sorted(chart_totals(doc, "costs-chart"))


def test_output_tokens_cost_more_than_input_tokens(client):
    more_in = chart_totals(page(post(client, input_tokens="10000", output_tokens="0")), "costs-chart")
    more_out = chart_totals(page(post(client, input_tokens="0", output_tokens="10000")), "costs-chart")
    assert all(out / inp >= 4 for inp, out in zip(sorted(more_in), sorted(more_out), strict=True))


def test_pasted_text_is_counted_per_encoding_and_said_so(client):
    doc = page(post(client, input_text="Hello, world!", output_tokens="0"))
    gpt4o = doc.select_one('tr[data-model="gpt-4o"] td').get_text(" ", strip=True)
    opus = doc.select_one('tr[data-model="claude-opus-4"] td').get_text(" ", strip=True)
    assert gpt4o == "4 / 0 (o200k_base)"
    assert opus == "4 / 0 (cl100k_base stand-in)"
    assert "stand-in" in doc.select_one("p.hint").get_text()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"input_tokens": "10", "cached_input_tokens": "11"}, 422, "cannot exceed"),
        ({"input_tokens": "-5"}, 422, "input_tokens"),
        ({"output_tokens": str(10**10 + 1)}, 422, "output_tokens"),
        ({"prices": "cheapest"}, 422, "prices"),
    ],
)
def test_bad_input_is_a_message_in_the_widget(client, data, status, message):
    response = post(client, **data)
    assert response.status_code == status
    doc = page(response)
    assert doc.select_one("html") is None
    assert message in doc.select_one('.error-message[role="alert"]').get_text()


def test_text_over_the_limit_is_a_413_message(app, client):
    response = post(client, input_text="a" * (app.state.settings.max_tokenize_chars + 1))
    assert response.status_code == 413
    assert "limit" in page(response).select_one(".error-message").get_text()


def test_a_post_without_the_csrf_token_is_refused(client):
    client.get("/playground/costs")
    assert client.post("/playground/costs", data={"input_tokens": "1"}, headers=HX).status_code == 403


def test_chooser_partial_names_the_modules_models_with_costs(client):
    response = client.get(
        "/playground/costs/chooser?need=reasoning&input_tokens=2000&output_tokens=500&requests=1000",
        headers=HX,
    )
    doc = page(response)
    assert doc.select_one("html") is None
    items = doc.select("ol.chooser-suggestions > li")
    assert {li["data-model"] for li in items} == {"o3", "o3-mini", "deepseek-r1", "claude-opus-4"}
    opus = doc.select_one('li[data-model="claude-opus-4"]')
    assert opus.select_one('li[data-need="reasoning"]').get_text().startswith("Does it need reasoning?")
    assert opus.select_one("[data-workload]").get_text() == "$67.50"  # 1,000 x $0.0675


def test_chooser_marks_a_request_too_long_for_the_window(client):
    doc = page(
        client.get(
            "/playground/costs/chooser?need=reasoning&need=huge-context&input_tokens=300000", headers=HX
        )
    )
    items = doc.select("ol.chooser-suggestions > li")
    assert [li["data-model"] for li in items[:2]] == ["gemini-2-0-flash", "gemini-2-0-pro"]
    assert all("is-unfit" in li["class"] for li in items[2:])


@pytest.mark.parametrize(
    ("query", "message"),
    [("need=telepathy", "unknown 'telepathy'"), ("need=simple&requests=0", "requests")],
)
def test_chooser_bad_input_is_422(client, query, message):
    response = client.get(f"/playground/costs/chooser?{query}", headers=HX)
    assert response.status_code == 422
    assert message in page(response).select_one(".error-message").get_text()


def test_chooser_without_htmx_is_the_whole_page(client):
    doc = page(client.get("/playground/costs/chooser?need=general"))
    assert doc.select_one("h1").get_text() == "Model costs and choice"
    assert doc.select_one('input[name="need"][value="general"]').has_attr("checked")


@pytest.mark.parametrize(
    ("slug", "selectors"),
    [
        (
            "model-families",
            ["form.costs-form input[name=embedded]", "form.chooser-form", "section.catalog-comparison"],
        ),
        ("mental-models", ["form.costs-form", "svg#lesson-ratios-chart"]),
    ],
)
def test_lesson_widgets(client, slug, selectors):
    doc = page(client.get(f"/lessons/{slug}"))
    for selector in selectors:
        assert doc.select_one(f".lesson-extra {selector}") is not None, selector


def test_ratio_panel_says_where_the_real_ratios_fall_outside(client):
    doc = page(client.get("/lessons/mental-models"))
    outside = [
        span["data-outside"]
        for span in doc.select('.ratio-summary li[data-source="genai-prices"] [data-outside]')
    ]
    assert set(outside) == {"gemini-2-5-pro", "llama-3-3-70b", "qwen-2-5-72b"}
    module = doc.select_one('.ratio-summary li[data-source="module"]').get_text(" ", strip=True)
    assert "from 4x to 5x" in module and "all inside 2-6x" in module


def test_the_lesson_calculator_answers_with_its_own_ids(client):
    doc = page(post(client, embedded="true", output_tokens="1"))
    assert doc.select_one("svg#lesson-costs-chart") is not None


def test_the_tokenizer_still_prices_only_the_families_tables_models(client):
    doc = page(client.get("/playground/tokenizer"))
    rows = [tr["data-model"] for tr in doc.select(".tok-costs tr[data-model]")]
    assert len(rows) == 16 and "claude-3-5-sonnet" not in rows
