"""POST /api/embeddings/similarity and POST /api/search: shapes, golden values, bad input, the /api page."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.conftest import page

EXAMPLE = ["How do I reset my password?", "I forgot my login credentials", "Best pizza in New York"]


def test_similarity_returns_three_symmetric_matrices(ready_client):
    body = ready_client.post("/api/embeddings/similarity", json={"texts": EXAMPLE}).json()
    assert body["texts"] == EXAMPLE and body["dimension"] == 384 and body["normalized"] is True
    assert body["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    for name in ("cosine", "dot", "euclidean"):
        matrix = body[name]
        assert len(matrix) == 3 and all(len(row) == 3 for row in matrix)
        assert all(matrix[i][j] == matrix[j][i] for i in range(3) for j in range(3))
    assert body["cosine"][0][1] == pytest.approx(0.678, abs=0.01)
    assert body["cosine"][0][2] == pytest.approx(0.032, abs=0.01)
    assert np.allclose(body["dot"], body["cosine"], atol=1e-5)  # unit vectors
    assert [body["euclidean"][i][i] for i in range(3)] == [0.0, 0.0, 0.0]
    assert body["euclidean"][0][1] == pytest.approx((2 - 2 * body["cosine"][0][1]) ** 0.5, abs=1e-4)


def test_search_returns_k_passages_best_first_with_links(ready_client, ready_app):
    body = ready_client.post("/api/search", json={"query": "What does top-p sampling do?", "k": 4}).json()
    passages = body["passages"]
    assert len(passages) == 4 and body["index_size"] == len(ready_app.state.search_index.get().passages)
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    assert passages[0]["lesson"] == "key-parameters"
    for passage in passages:
        lesson = ready_app.state.course.lesson(passage["lesson"])
        assert passage["anchor"] in {entry.anchor for entry in lesson.rendered.toc}
        assert passage["url"] == f"/lessons/{passage['lesson']}#{passage['anchor']}"


def test_search_k_defaults_to_five(ready_client):
    body = ready_client.post("/api/search", json={"query": "embedding models"}).json()
    assert len(body["passages"]) == 5


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"texts": ["only one"]}, 422, "at least 2"),
        ({"texts": [f"text {i}" for i in range(11)]}, 422, "at most 10"),
        ({"texts": ["fine", "x" * 1001]}, 422, "at most 1000 characters"),
        ({"texts": ["fine", ""]}, 422, "at least 1 character"),
        ({"texts": ["fine", "  \n "]}, 422, "text 2 is blank"),
        ({"texts": ["fine", 5]}, 422, "string"),
        ({"texts": ["a", "b"], "extra": 1}, 422, "extra"),
        ({}, 422, "texts"),
    ],
)
def test_similarity_bad_input_is_a_4xx_with_a_message(ready_client, payload, status, message):
    response = ready_client.post("/api/embeddings/similarity", json=payload)
    assert response.status_code == status
    assert message in " ".join(response.json()["detail"]).lower()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"query": ""}, "at least 1 character"),
        ({"query": "   "}, "blank"),
        ({"query": "q" * 501}, "at most 500 characters"),
        ({"query": "q", "k": 0}, "greater than or equal to 1"),
        ({"query": "q", "k": 21}, "less than or equal to 20"),
        ({"query": "q", "k": "3"}, "integer"),
    ],
)
def test_search_bad_input_is_a_422_with_a_message(ready_client, payload, message):
    response = ready_client.post("/api/search", json=payload)
    assert response.status_code == 422
    assert message in " ".join(response.json()["detail"]).lower()


def test_api_needs_no_cookie_or_csrf(ready_app):
    with TestClient(ready_app) as bare:
        response = bare.post("/api/embeddings/similarity", json={"texts": ["a", "b"]})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers


def test_both_endpoints_are_listed_on_the_api_page_with_examples(client):
    doc = page(client.get("/api"))
    text = doc.get_text(" ")
    for path in ("/api/embeddings/similarity", "/api/search"):
        assert path in text
    curls = [code.get_text() for code in doc.select("code, pre")]
    assert any("/api/embeddings/similarity" in c and "How do I reset my password?" in c for c in curls)
    assert any("/api/search" in c and "How do I compare two texts?" in c for c in curls)
    assert "Cosine similarity, -1 to 1." in text and "How many passages to return, 1 to 20." in text
