"""POST /api/architecture/params, /api/logit-lens and /api/forward on the real (tiny) transformer."""

import pytest
import torch
from fastapi.testclient import TestClient

from app.lm.generate import next_token_logits

LLAMA_2_70B = {
    "n_layer": 80,
    "d_model": 8192,
    "n_head": 64,
    "n_kv_head": 8,
    "d_ff": 28672,
    "ffn_gated": True,
    "vocab_size": 32000,
    "context_length": 4096,
    "tied_embeddings": False,
    "positions": "rope",
    "bias": False,
    "norm": "rmsnorm",
}


def test_params_counts_llama_2_70b_with_gqa_and_its_kv_cache(client):
    body = client.post("/api/architecture/params", json=LLAMA_2_70B).json()
    assert body["total"] == 68_976_648_192
    assert body["attention"] == "GQA" and body["head_dim"] == 128
    assert sum(c["total"] for c in body["components"]) == body["total"]
    assert body["kv_cache"]["bytes_per_token"] == {"fp32": 655_360, "bf16": 327_680, "int8": 163_840}
    assert body["kv_cache"]["bytes_full_context"]["bf16"] == 327_680 * 4096
    assert body["kv_cache"]["mha_bytes_per_token_bf16"] == 8 * 327_680


def test_params_defaults_are_mha_with_a_4x_ffn(client):
    body = client.post(
        "/api/architecture/params", json={"n_layer": 12, "d_model": 768, "n_head": 12, "vocab_size": 50257,
                                          "context_length": 1024},
    ).json()  # fmt: skip
    assert body["total"] == 124_439_808  # GPT-2 small: the defaults are GPT-2's choices
    assert body["attention"] == "MHA"


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"n_head": 60}, 422, "does not divide by heads"),
        ({"n_kv_head": 5}, 422, "do not divide by KV heads"),
        ({"n_kv_head": 128}, 422, "cannot outnumber"),
        ({"n_layer": 0}, 422, "n_layer"),
        ({"d_model": 10**9}, 422, "d_model"),
        ({"context_length": 10**12}, 422, "context_length"),
        ({"n_layer": "80"}, 422, "n_layer"),
        ({"positions": "alibi"}, 422, "positions"),
        ({"colour": "blue"}, 422, "colour"),
    ],
)
def test_params_bad_config_is_a_clear_4xx(client, changes, status, words):
    response = client.post("/api/architecture/params", json=LLAMA_2_70B | changes)
    assert response.status_code == status
    assert words in str(response.json()["detail"])


def test_logit_lens_has_every_layer_and_its_last_layer_is_the_models_prediction(client, app):
    lab = app.state.lab_model
    body = client.post("/api/logit-lens", json={"prompt": "The cat sat on the mat", "top": 4}).json()
    n = len(body["tokens"])
    assert len(body["layers"]) == lab.config.n_layer + 1
    assert [layer["name"] for layer in body["layers"]][0] == "embedding"
    for layer in body["layers"]:
        assert len(layer["positions"]) == n
        for ranked in layer["positions"]:
            assert len(ranked) == 4
            assert [t["prob"] for t in ranked] == sorted((t["prob"] for t in ranked), reverse=True)
    probs = torch.softmax(next_token_logits(lab.model, body["ids"]), dim=-1)
    best = torch.topk(probs, 4)
    last = body["layers"][-1]["positions"][-1]
    assert [t["id"] for t in last] == best.indices.tolist()
    assert [t["prob"] for t in last] == pytest.approx(best.values.tolist(), abs=1e-6)


def test_forward_steps_carry_the_real_shapes(client, app):
    c = app.state.lab_model.config
    body = client.post("/api/forward", json={"prompt": "The cat sat"}).json()
    T = len(body["ids"])
    shapes = {(s["block"], s["name"]): s["shape"] for s in body["steps"]}
    assert shapes[(None, "token ids")] == [1, T]
    assert shapes[(None, "token embedding")] == [1, T, c.n_embd]
    assert shapes[(None, "position embedding")] == [T, c.n_embd]
    assert shapes[(1, "queries per head (keys, values alike)")] == [1, c.n_head, T, c.n_embd // c.n_head]
    assert shapes[(c.n_layer, "attention scores per head")] == [1, c.n_head, T, T]
    assert shapes[(c.n_layer, "FFN hidden layer")] == [1, T, 4 * c.n_embd]
    assert shapes[(None, "logits")] == [1, T, c.vocab_size]
    assert shapes[(None, "next-token probabilities")] == [c.vocab_size]
    assert len(body["steps"]) == 4 + 9 * c.n_layer + 3
    assert len(body["residual_norms"]) == c.n_layer + 1 and all(len(r) == T for r in body["residual_norms"])
    assert all(len(s["sample"]) <= 4 for s in body["steps"])
    probs = [t["prob"] for t in body["next_tokens"]]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1


def test_forward_sample_values_are_the_models(client, app):
    lab = app.state.lab_model
    body = client.post("/api/forward", json={"prompt": "The cat"}).json()
    step = next(s for s in body["steps"] if s["name"] == "token embedding")
    row = lab.model.transformer.wte.weight[body["ids"][-1], :4].tolist()
    assert step["sample"] == pytest.approx(row, abs=1e-4)


@pytest.mark.parametrize("path", ["/api/forward", "/api/logit-lens"])
def test_long_prompts_are_cut_to_the_context_and_say_so(client, app, path):
    context = app.state.lab_model.config.context_length
    text = "cat " * (context * 2)
    body = client.post(path, json={"prompt": text}).json()
    assert len(body["ids"]) == context
    assert body["truncated"] == len(app.state.lab_model.tokenizer.encode(text)) - context


@pytest.mark.parametrize("path", ["/api/forward", "/api/logit-lens"])
def test_empty_prompt_starts_from_the_start_token(client, path):
    assert client.post(path, json={"prompt": ""}).json()["tokens"] == ["<|endoftext|>"]


@pytest.mark.parametrize("path", ["/api/forward", "/api/logit-lens"])
@pytest.mark.parametrize(
    ("payload", "status"),
    [({"prompt": 5}, 422), ({}, 422), ({"prompt": "a", "top": 0}, 422), ({"prompt": "a", "top": 21}, 422),
     ({"prompt": "a", "x": 1}, 422), ({"prompt": "x" * 20_001}, 413)],
)  # fmt: skip
def test_prompt_endpoints_bad_input(client, path, payload, status):
    response = client.post(path, json=payload)
    assert response.status_code == status
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "payload"),
    [("/api/forward", {"prompt": "hi"}), ("/api/logit-lens", {"prompt": "hi"}),
     ("/api/architecture/params", LLAMA_2_70B)],
)  # fmt: skip
def test_api_needs_no_cookie_or_csrf(app, path, payload):
    with TestClient(app) as bare:
        response = bare.post(path, json=payload)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers


def test_api_reference_documents_the_three_endpoints(client):
    schema = client.get("/openapi.json").json()
    for path in ("/api/architecture/params", "/api/logit-lens", "/api/forward"):
        assert "post" in schema["paths"][path]
    assert schema["components"]["schemas"]["ParamsRequest"]["examples"][0]["n_layer"] == 32
