"""POST /api/context-budget: counts, overflow and its cut, and clear 4xx for bad input."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import page

PARTS = {
    "system": "You are a helpful assistant.",
    "history": "User: Hi!\nAssistant: Hello! How can I help?\n",
    "documents": "[Document 1] The context window is the model's working memory.",
    "user": "What counts against the context window?",
}


def count(app, name: str, text: str) -> int:
    """The lab's tiktoken count."""
    return len(app.state.encodings.get(name).encoding.encode(text, disallowed_special=()))


def test_counts_total_and_remaining(client, app):
    body = client.post(
        "/api/context-budget", json={"model": "gpt-4o", "parts": PARTS, "output_reserve": 2000}
    ).json()
    assert body["encoding"] == "o200k_base" and body["exact"] is True and body["window"] == 128_000
    assert body["parts"] == {
        name: {"tokens": count(app, "o200k_base", t), "cut": 0} for name, t in PARTS.items()
    }
    assert body["total"] == sum(p["tokens"] for p in body["parts"].values()) + 2000
    assert body["remaining"] == 128_000 - body["total"]
    assert body["overflow"] == 0 and body["cuts"] == [] and body["fits_after_cut"] is True


def test_estimate_model_says_so(client, app):
    body = client.post(
        "/api/context-budget", json={"model": "claude-sonnet-4", "parts": PARTS, "output_reserve": 0}
    ).json()
    assert (body["encoding"], body["exact"], body["window"]) == ("cl100k_base", False, 200_000)
    assert body["parts"]["user"]["tokens"] == count(app, "cl100k_base", PARTS["user"])


def test_overflow_names_the_cut_part(client, app):
    used = sum(count(app, "o200k_base", t) for t in PARTS.values())
    reserve = 128_000 - used + 3
    body = client.post(
        "/api/context-budget", json={"model": "gpt-4o", "parts": PARTS, "output_reserve": reserve}
    ).json()
    assert body["overflow"] == 3 and body["remaining"] == 0
    assert body["cuts"] == [{"part": "history", "tokens": 3, "side": "start", "whole": False}]
    assert body["parts"]["history"]["cut"] == 3 and body["fits_after_cut"] is True


def test_parts_are_optional(client):
    body = client.post("/api/context-budget", json={"model": "o3", "output_reserve": 100}).json()
    assert body["total"] == 100 and body["remaining"] == 200_000 - 100


@pytest.mark.parametrize(
    ("payload", "status", "says"),
    [
        ({"model": "gpt-9", "output_reserve": 1}, 422, "unknown model 'gpt-9'"),
        ({"model": "gpt-4o", "output_reserve": -1}, 422, "output_reserve"),
        ({"model": "gpt-4o", "output_reserve": 10**12}, 422, "output_reserve"),
        ({"model": "gpt-4o", "output_reserve": 200_000}, 422, "larger than GPT-4o's whole context window"),
        ({"model": "gpt-4o", "output_reserve": "2000"}, 422, "output_reserve"),
        ({"model": "gpt-4o", "output_reserve": 1, "extra": 1}, 422, "extra"),
        ({"model": "gpt-4o", "output_reserve": 1, "parts": {"sys": "x"}}, 422, "parts.sys"),
        (
            {"model": "gpt-4o", "output_reserve": 1, "parts": {"documents": "x" * 400_001}},
            422,
            "parts.documents",
        ),
        ({"output_reserve": 1}, 422, "model"),
    ],
)
def test_bad_input_is_a_4xx_with_a_message(client, payload, status, says):
    response = client.post("/api/context-budget", json=payload)
    assert response.status_code == status
    assert says in str(response.json()["detail"])


def test_body_over_the_lab_limit_is_413(client):
    parts = {
        "documents": "x" * 400_000,
        "history": "y" * 200_000,
        "system": "z" * 50_000,
        "user": "é" * 50_000,
    }
    response = client.post(
        "/api/context-budget", json={"model": "gpt-4o", "parts": parts, "output_reserve": 0},
        headers={"content-type": "application/json"},
    )  # fmt: skip
    # 700,000 characters fit the part limits, but é is 2 bytes and JSON escapes nothing here: 750 kB < 1 MiB.
    assert response.status_code == 200
    big = client.post("/api/context-budget", content=b'{"model": "gpt-4o", "x": "' + b"a" * 1_100_000 + b'"}',
                      headers={"content-type": "application/json"})  # fmt: skip
    assert big.status_code == 413 and "limit" in big.json()["detail"]


def test_needs_no_cookie_or_csrf(app):
    with TestClient(app) as bare:
        response = bare.post("/api/context-budget", json={"model": "gpt-4o", "output_reserve": 1})
    assert response.status_code == 200 and "set-cookie" not in response.headers


def test_listed_on_the_api_page(client):
    op = page(client.get("/api")).select_one(
        'section.api-op[data-method="POST"][data-path="/api/context-budget"]'
    )
    assert op is not None
    fields = {
        tr.select_one("th").get_text()
        for tr in op.select('table[data-schema="ContextBudgetRequest"] tbody tr')
    }
    assert fields == {"model", "parts", "output_reserve"}
    assert '"model": "gpt-4o"' in op.select_one(".api-curl").get_text()
