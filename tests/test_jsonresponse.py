"""The orjson response: the same JSON document FastAPI's own JSONResponse writes, numpy arrays included."""

import json

import numpy as np
import pytest
from fastapi.responses import JSONResponse

from app.jsonresponse import ORJSONResponse


def test_same_document_as_the_standard_response_for_plain_values():
    content = {
        "tokens": ["The", " cat", "é", "<|endoftext|>"],
        "layers": 2,
        "truncated": 0,
        "ok": True,
        "x": None,
    }
    fast, standard = ORJSONResponse(content), JSONResponse(content)
    assert json.loads(fast.body) == json.loads(standard.body)
    assert list(json.loads(fast.body)) == list(content)  # key order kept, as the schema lists them
    assert fast.headers["content-type"] == standard.headers["content-type"] == "application/json"


def test_a_float32_array_is_the_nested_list_of_its_values_in_shortest_form():
    weights = np.array([[[0.1235, 0.0, 1.0], [0.3333, 0.6667, 0.0]]], dtype=np.float32)
    body = ORJSONResponse({"attention": weights}).body
    assert body == b'{"attention":[[[0.1235,0.0,1.0],[0.3333,0.6667,0.0]]]}'
    standard = json.loads(JSONResponse({"attention": weights.tolist()}).body)["attention"]
    assert np.asarray(json.loads(body)["attention"]) == pytest.approx(np.asarray(standard), abs=1e-7)
