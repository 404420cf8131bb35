"""GET /api/models and POST /api/cost: stateless JSON, documented at /api, 4xx with a message on bad input."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import page


def test_models_is_the_whole_catalog_with_both_sources(client):
    body = client.get("/api/models").json()
    assert body["as_of"] == "early 2026" and body["dataset"] == "genai-prices 0.2.3"
    models = {model["id"]: model for model in body["models"]}
    assert len(models) == 17
    gpt4o = models["gpt-4o"]
    assert (gpt4o["cost"], gpt4o["context"], gpt4o["context_tokens"]) == ("~$2.50 / $10", "128K", 128_000)
    assert (gpt4o["input_usd_per_mtok"], gpt4o["output_usd_per_mtok"], gpt4o["max_output_tokens"]) == (
        2.5,
        10,
        16_000,
    )
    assert gpt4o["genai_prices"]["cached_input_usd_per_mtok"] == 1.25
    assert models["o3"]["genai_prices"]["price_differs"] is True
    assert models["gemini-2-0-pro"]["genai_prices"] is None
    assert "no model matching 'gemini-2.0-pro'" in models["gemini-2-0-pro"]["genai_prices_missing"]
    assert (
        models["claude-3-5-sonnet"]["in_families_table"] is False
        and models["claude-3-5-sonnet"]["cost"] is None
    )


def test_cost_has_its_parts_from_both_sources(client):
    body = client.post(
        "/api/cost",
        json={"model": "gpt-4o", "input_tokens": 2_000, "output_tokens": 500, "cached_input_tokens": 1_000},
    ).json()
    module = body["module"]
    assert module["input_usd"] == pytest.approx(1_000 * 2.5 / 1e6)
    assert module["cached_input_usd"] == pytest.approx(1_000 * 2.5 / 1e6)  # the module gives no cached price
    assert module["output_usd"] == pytest.approx(500 * 10 / 1e6)
    assert module["total_usd"] == pytest.approx(0.01)
    assert module["per_million_requests_usd"] == pytest.approx(10_000)
    assert "no cached-input price" in module["note"]
    dataset = body["genai_prices"]
    assert dataset["total_usd"] == pytest.approx((1_000 * 2.5 + 1_000 * 1.25 + 500 * 10) / 1e6)
    assert dataset["cached_input_usd_per_mtok"] == 1.25


def test_a_model_without_a_module_price_still_gets_the_datasets(client):
    body = client.post(
        "/api/cost", json={"model": "llama-3-3-70b", "input_tokens": 1_000_000, "output_tokens": 0}
    ).json()
    assert body["module"] is None and "'Self-hosted'" in body["module_note"]
    assert body["genai_prices"]["total_usd"] == pytest.approx(0.59)
    assert "Groq" in body["genai_prices"]["note"]


def test_a_model_missing_from_the_dataset_says_why(client):
    body = client.post(
        "/api/cost", json={"model": "gemini-2-0-pro", "input_tokens": 10, "output_tokens": 10}
    ).json()
    assert body["module"]["total_usd"] == pytest.approx((10 * 1.25 + 10 * 5) / 1e6)
    assert body["genai_prices"] is None and "no model matching" in body["genai_prices_note"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"model": "gpt-5", "input_tokens": 1, "output_tokens": 1}, "unknown model 'gpt-5'"),
        ({"model": "gpt-4o", "input_tokens": -1, "output_tokens": 1}, "input_tokens"),
        ({"model": "gpt-4o", "input_tokens": 1, "output_tokens": 10**10 + 1}, "output_tokens"),
        (
            {"model": "gpt-4o", "input_tokens": 10, "output_tokens": 1, "cached_input_tokens": 11},
            "cannot exceed",
        ),
        ({"model": "gpt-4o", "input_tokens": "5", "output_tokens": 1}, "input_tokens"),
        ({"model": "gpt-4o", "input_tokens": 1.5, "output_tokens": 1}, "input_tokens"),
        ({"model": "gpt-4o", "input_tokens": 1}, "output_tokens"),
        ({"model": "gpt-4o", "input_tokens": 1, "output_tokens": 1, "price": 3}, "price"),
        ({"model": "x" * 81, "input_tokens": 1, "output_tokens": 1}, "model"),
    ],
)
def test_bad_requests_are_422_with_a_message(client, body, where):
    response = client.post("/api/cost", json=body)
    assert response.status_code == 422
    assert any(where in message for message in response.json()["detail"])


def test_api_needs_no_cookie_or_csrf_token(app):
    with TestClient(app, cookies=None) as fresh:
        response = fresh.post("/api/cost", json={"model": "o3", "input_tokens": 1, "output_tokens": 1})
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert "set-cookie" not in fresh.get("/api/models").headers


def test_both_endpoints_are_documented_at_api(client):
    doc = page(client.get("/api"))
    assert doc.select_one('section.api-op[data-method="GET"][data-path="/api/models"]') is not None
    op = doc.select_one('section.api-op[data-method="POST"][data-path="/api/cost"]')
    fields = {
        tr.select_one("th").get_text(): [td.get_text() for td in tr.select("td")]
        for tr in op.select('table[data-schema="CostRequest"] tbody tr')
    }
    assert fields["model"][:2] == ["string", "yes"]
    assert fields["cached_input_tokens"][:3] == ["integer", "no", "0"]
    assert '"model": "gpt-4o"' in op.select_one(".api-curl").get_text()
    assert {li.select_one("code").get_text() for li in op.select(".api-status li")} >= {"200", "422"}
