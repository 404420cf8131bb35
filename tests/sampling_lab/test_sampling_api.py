"""Next-token, generation and transform APIs: contract and bad input."""

import json

import pytest

MODULE_EXAMPLE = [0.40, 0.25, 0.15, 0.10, 0.05, 0.03, 0.02]


def test_next_token_returns_top_tokens_before_and_after(client):
    body = client.post("/api/next-token", json={"prompt": "The cat", "top": 5, "top_k": 2}).json()
    tokens = body["tokens"]
    assert len(tokens) == 5
    befores = [t["prob_before"] for t in tokens]
    assert befores == sorted(befores, reverse=True)
    assert sum(t["prob"] > 0 for t in tokens) == 2  # top-k 2 removes the rest
    assert sum(t["prob"] for t in tokens) == pytest.approx(1.0)
    assert body["nucleus_size"] == 2
    assert 0 < body["entropy_bits"] <= 1.0


def test_temperature_zero_puts_all_mass_on_the_argmax(client):
    body = client.post("/api/next-token", json={"prompt": "The cat", "temperature": 0}).json()
    assert body["tokens"][0]["prob"] == 1.0 and body["entropy_bits"] == 0.0


def test_generate_returns_only_the_continuation_and_reproduces_with_a_seed(client):
    payload = {"prompt": "The cat", "max_tokens": 6, "seed": 7}
    first = client.post("/api/generate", json=payload).json()
    second = client.post("/api/generate", json=payload).json()
    assert first == second
    assert first["finish_reason"] in ("length", "stop")
    assert len(first["tokens"]) <= 6 and first["seed"] == 7
    assert not first["text"].startswith("The cat")


def test_generate_stops_at_a_stop_sequence_and_drops_it(client):
    free = client.post("/api/generate", json={"prompt": "The", "max_tokens": 12, "seed": 3}).json()
    stop = free["text"][2:4]  # something the model will produce
    if not stop.strip():
        pytest.skip("the sampled text has no usable stop string at that seed")
    body = client.post(
        "/api/generate", json={"prompt": "The", "max_tokens": 12, "seed": 3, "stop": [stop]}
    ).json()
    assert body["finish_reason"] == "stop"
    assert stop not in body["text"] and free["text"].startswith(body["text"])


def test_generate_stream_is_sse_with_start_tokens_and_end(client):
    response = client.post("/api/generate/stream", json={"prompt": "The cat", "max_tokens": 4, "seed": 7})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\n\n") if block.strip()]
    names = [block.split("\n")[0].removeprefix("event: ") for block in events]
    assert names[0] == "start" and names[-1] == "end" and set(names[1:-1]) == {"token"}
    end = json.loads(events[-1].split("data: ", 1)[1])
    same = client.post("/api/generate", json={"prompt": "The cat", "max_tokens": 4, "seed": 7}).json()
    assert end["text"] == same["text"] and end["finish_reason"] == same["finish_reason"]


@pytest.mark.parametrize(
    ("top_p", "kept"),
    [(0.80, [0, 1, 2]), (0.95, [0, 1, 2, 3, 4]), (1.0, [0, 1, 2, 3, 4, 5, 6])],
)
def test_transform_reproduces_the_module_worked_example(client, top_p, kept):
    body = client.post("/api/sampling/transform", json={"probs": MODULE_EXAMPLE, "top_p": top_p}).json()
    assert body["kept"] == kept
    assert sum(body["probs"]) == pytest.approx(1.0)
    assert [i for i, p in enumerate(body["probs"]) if p > 0] == kept


def test_transform_applies_penalties_with_counts_on_logits(client):
    body = client.post(
        "/api/sampling/transform",
        json={"logits": [2.0, 2.0], "counts": [3, 0], "frequency_penalty": 0.5, "temperature": 1},
    ).json()
    # logit 0 becomes 2 - 1.5 = 0.5; softmax([0.5, 2]) = [1/(1+e^1.5), e^1.5/(1+e^1.5)]
    assert body["probs"][0] == pytest.approx(0.182426, abs=1e-6)
    assert body["kept"] == [1, 0]


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        ("/api/next-token", {"prompt": "a", "temperature": 2.5}, 422),
        ("/api/next-token", {"prompt": "a", "temperature": -0.1}, 422),
        ("/api/next-token", {"prompt": "a", "top_p": 0}, 422),
        ("/api/next-token", {"prompt": "a", "top_k": -1}, 422),
        ("/api/next-token", {"prompt": "a", "presence_penalty": 2.5}, 422),
        ("/api/next-token", {"prompt": "a", "temperature": "hot"}, 422),
        ("/api/next-token", {"prompt": "x" * 20_001}, 413),
        ("/api/generate", {"prompt": "a", "max_tokens": 100_000}, 422),
        ("/api/generate", {"prompt": "a", "stop": [""]}, 422),
        ("/api/generate/stream", {"prompt": "a", "max_tokens": 0}, 422),
        ("/api/sampling/transform", {"probs": [0.5, 0.6]}, 422),
        ("/api/sampling/transform", {"probs": [-0.1, 1.1]}, 422),
        ("/api/sampling/transform", {"probs": [1.0], "logits": [0.0]}, 422),
        ("/api/sampling/transform", {"probs": [1.0], "counts": [1, 2]}, 422),
        ("/api/sampling/transform", {"logits": [0.0] * 50_001}, 422),
    ],
)
def test_bad_input_is_a_clear_4xx(client, path, payload, status):
    response = client.post(path, json=payload)
    assert response.status_code == status
    assert response.json()["detail"]


def test_invalid_json_is_422(client):
    response = client.post(
        "/api/next-token", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
