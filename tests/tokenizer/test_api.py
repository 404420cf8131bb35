"""The JSON API: real cl100k_base/o200k_base values, the special-token switch, odd input, limits and 422s."""

import json

import pytest

from app.tokenizer.schemas import TokenizeResponse


def tokenize(client, text, encoding="cl100k_base", **extra):
    """POST /api/tokenize and return the response."""
    return client.post("/api/tokenize", json={"text": text, "encoding": encoding, **extra})


def test_encodings_lists_both_openai_vocabularies(client):
    response = client.get("/api/encodings")
    assert response.status_code == 200
    by_name = {entry["name"]: entry for entry in response.json()}
    assert by_name["cl100k_base"]["vocab_size"] == 100277
    assert by_name["o200k_base"]["vocab_size"] == 200019
    assert all(set(entry) == {"name", "vocab_size", "source"} for entry in by_name.values())


# Verified against tiktoken 0.14.0 with the sha256-checked rank files.
@pytest.mark.parametrize(
    ("text", "encoding", "ids", "pieces"),
    [
        ("Hello, world!", "cl100k_base", [9906, 11, 1917, 0], ["Hello", ",", " world", "!"]),
        ("implementation", "cl100k_base", [14706], ["implementation"]),
        ("XMLHttpRequest", "cl100k_base", [10833, 27459], ["XML", "HttpRequest"]),
        ("こんにちは", "cl100k_base", [90115], ["こんにちは"]),
        ("123456", "cl100k_base", [4513, 10961], ["123", "456"]),
        (
            "The cat sat on the mat",
            "cl100k_base",
            [791, 8415, 7731, 389, 279, 5634],
            ["The", " cat", " sat", " on", " the", " mat"],
        ),
        ("XMLHttpRequest", "o200k_base", [13836, 4682, 2303], ["XML", "Http", "Request"]),
        (
            "The cat sat on the mat",
            "o200k_base",
            [976, 9059, 10139, 402, 290, 2450],
            ["The", " cat", " sat", " on", " the", " mat"],
        ),
    ],
)
def test_known_tokenizations(client, text, encoding, ids, pieces):
    body = tokenize(client, text, encoding).json()
    assert body["encoding"] == encoding
    assert body["count"] == len(ids)
    assert [token["id"] for token in body["tokens"]] == ids
    assert [token["text"] for token in body["tokens"]] == pieces
    assert [bytes.fromhex(token["bytes"]).decode() for token in body["tokens"]] == pieces


def test_response_is_exactly_the_documented_model(client):
    body = tokenize(client, "Hello, 世界 🦄").json()
    assert TokenizeResponse.model_validate(body).model_dump() == body


@pytest.mark.parametrize(
    ("encoding", "special_id", "as_text"), [("cl100k_base", 100257, 7), ("o200k_base", 199999, 7)]
)
def test_special_token_switch(client, encoding, special_id, as_text):
    off = tokenize(client, "<|endoftext|>", encoding).json()
    on = tokenize(client, "<|endoftext|>", encoding, allow_special=True).json()
    assert off["count"] == as_text and special_id not in [t["id"] for t in off["tokens"]]
    assert on["count"] == 1 and on["tokens"][0] == {
        "id": special_id,
        "text": "<|endoftext|>",
        "bytes": b"<|endoftext|>".hex(),
    }


def test_every_special_token_is_allowed_when_on(client):
    body = tokenize(client, "a<|fim_prefix|>b<|endofprompt|>", allow_special=True).json()
    assert [t["id"] for t in body["tokens"]] == [64, 100258, 65, 100276]


def test_empty_text_has_zero_tokens(client):
    assert tokenize(client, "").json() == {"encoding": "cl100k_base", "count": 0, "tokens": []}


ODD_INPUTS = {
    "nul": "a\x00b\x00",
    "rtl marks": "\u202eabc\u202c \u200fשלום\u200f",
    "zero-width joiners": "a\u200db\u200c\u2060c",
    "emoji sequences": "👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇯🇵",
    "combining marks": "e\u0301 Z\u0351\u0337\u0310a\u0334l\u0315g\u0322o",
    "10,000 spaces": " " * 10_000,
    "mixed scripts": "Hello мир 世界 مرحبا\r\n\tनमस्ते",
    "special-looking text": "<|im_start|>user<|im_end|>",
}


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
@pytest.mark.parametrize("text", list(ODD_INPUTS.values()), ids=list(ODD_INPUTS))
def test_odd_input_round_trips_to_its_utf8(client, text, encoding):
    response = tokenize(client, text, encoding)
    assert response.status_code == 200
    tokens = response.json()["tokens"]
    assert b"".join(bytes.fromhex(t["bytes"]) for t in tokens) == text.encode("utf-8")


def test_lone_surrogates_become_replacement_characters(client):
    raw = '{"text": "a\\ud800b\\udfff", "encoding": "cl100k_base"}'
    response = client.post("/api/tokenize", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    tokens = response.json()["tokens"]
    assert b"".join(bytes.fromhex(t["bytes"]) for t in tokens) == "a\ufffdb\ufffd".encode()


def test_split_character_shows_replacement_text_and_true_bytes(client):
    tokens = tokenize(client, "🦄").json()["tokens"]
    assert len(tokens) > 1  # the unicorn is not one cl100k_base token
    assert b"".join(bytes.fromhex(t["bytes"]) for t in tokens) == "🦄".encode()
    assert all("\ufffd" in t["text"] for t in tokens)


def test_text_over_the_limit_is_413(app, client):
    limit = app.state.settings.max_tokenize_chars
    assert tokenize(client, "a" * limit).status_code == 200
    response = tokenize(client, "a" * (limit + 1))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"text": "hi", "encoding": "no_such_encoding"}, "encoding"),
        ({"text": 5, "encoding": "cl100k_base"}, "text"),
        ({"text": "hi", "encoding": "cl100k_base", "allow_special": "yes"}, "allow_special"),
        ({"text": "hi", "encoding": "cl100k_base", "allow_special": 1}, "allow_special"),
        ({"text": "hi"}, "encoding"),
        ({"text": "hi", "encoding": "cl100k_base", "extra": True}, "extra"),
        (["not", "an", "object"], ""),
    ],
)
def test_bad_requests_are_422_with_a_message(client, body, where):
    response = client.post("/api/tokenize", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    assert any(message.startswith(where) for message in detail)


def test_invalid_json_is_422(client):
    response = client.post(
        "/api/tokenize", content=b'{"text": "hi",', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"]


def test_api_needs_no_cookie_or_csrf_token(app):
    from fastapi.testclient import TestClient

    with TestClient(app, cookies=None) as fresh:
        response = fresh.post("/api/tokenize", json={"text": "hi", "encoding": "o200k_base"})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert json.loads(response.text)["count"] == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"allow_special": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "nested too deeply"),
        (b'{"text": "\xff", "encoding": "cl100k_base"}', "not UTF-8 text"),
    ],
    ids=["50,000 levels", "not UTF-8"],
)
def test_unreadable_json_is_422_with_a_message(client, raw, message):
    response = client.post("/api/tokenize", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {"detail": [f"body: invalid JSON, {message}"]}


def test_a_deep_list_where_text_belongs_is_422_with_a_message(client):
    """1,000 levels: Python 3.11's parser gives up (too deep), 3.12's parses it and validation refuses it."""
    raw = b'{"text": ' + b"[" * 1_000 + b"]" * 1_000 + b', "encoding": "cl100k_base"}'
    response = client.post("/api/tokenize", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0] in (
        "body: invalid JSON, nested too deeply",
        "text: Input should be a valid string",
    )


def test_a_long_tokenization_does_not_hold_up_other_requests(app):
    """100,000 CJK and emoji characters take o200k_base a few hundred ms: the event loop must stay free."""
    import asyncio
    import random
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    rng = random.Random(0)
    chars = [chr(c) for c in range(0x4E00, 0x9FFF)] + [chr(c) for c in range(0x1F300, 0x1F64F)]
    big = json.dumps({"text": "".join(rng.choices(chars, k=100_000)), "encoding": "o200k_base"})
    small = {"text": "hi", "encoding": "o200k_base"}

    async def race() -> list[str]:
        finished: list[str] = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

            async def post(name: str, **body) -> None:
                response = await http.post("/api/tokenize", **body)
                assert response.status_code == 200
                finished.append(name)

            headers = {"Content-Type": "application/json"}
            slow = asyncio.create_task(post("big", content=big.encode(), headers=headers))
            await asyncio.sleep(0.02)  # the big one is being tokenized by now
            await post("small", json=small)
            await slow
        return finished

    # Its own thread and loop: the browser tests' Playwright may already run a loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, race()).result() == ["small", "big"]
