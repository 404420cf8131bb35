"""The lab under overload: model routes answer 503 + Retry-After at once past the queue, every slot comes
back after errors and streams, and /healthz and the cheap pages keep answering meanwhile."""

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.capacity.deps import LabModelSlot
from app.capacity.gate import ModelGate
from app.main import create_app
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


@pytest.fixture
def busy_settings(settings):
    """One model slot and one place in the queue."""
    return settings.model_copy(update={"model_workers": 1, "model_queue": 1})


@pytest.fixture
def busy_client(busy_settings):
    with TestClient(create_app(busy_settings)) as client:
        yield client


@pytest.fixture
def held_slot(busy_client):
    """The one slot held by the test until it ends (release() gives it back early)."""
    gate: ModelGate = busy_client.app.state.model_gate
    assert gate.try_acquire()
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            gate.release()

    yield release
    release()


def _queue_one(client: TestClient) -> tuple[ThreadPoolExecutor, object]:
    """Start a model request that waits in the queue; its future resolves when it is answered."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(client.post, "/api/next-token", json={"prompt": "The queued one"})
    gate = client.app.state.model_gate
    deadline = time.monotonic() + 10
    while gate.waiting < 1:
        assert time.monotonic() < deadline, "the request never queued"
        time.sleep(0.005)
    return pool, future


def test_past_the_queue_a_model_request_gets_503_at_once_while_healthz_answers(busy_client, held_slot):
    pool, queued = _queue_one(busy_client)  # the slot is held and the queue is now full
    started = time.perf_counter()
    refused = busy_client.post("/api/attention", json={"text": "The cat sat"})
    refused_in = time.perf_counter() - started
    assert refused.status_code == 503 and refused_in < 1.0
    assert int(refused.headers["retry-after"]) >= 1
    assert "busy" in refused.json()["detail"]

    started = time.perf_counter()
    health = busy_client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert time.perf_counter() - started < 1.0
    assert busy_client.get("/playground/tokenizer").status_code == 200  # pages without a model serve on

    metrics = busy_client.get("/metrics").text
    assert "lab_model_in_flight 1.0" in metrics and "lab_model_queue_length 1.0" in metrics
    assert not queued.done()

    held_slot()  # the slot comes free: the queued request runs, and the gate is empty again
    assert queued.result(timeout=10).status_code == 200
    pool.shutdown()
    gate = busy_client.app.state.model_gate
    assert gate.in_flight == 0 and gate.waiting == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/next-token", {"prompt": "The cat"}),
        ("post", "/api/generate", {"prompt": "The cat", "max_tokens": 2}),
        ("post", "/api/generate/stream", {"prompt": "The cat", "max_tokens": 2}),
        ("post", "/api/attention", {"text": "The cat"}),
        ("post", "/api/forward", {"prompt": "The cat"}),
        ("post", "/api/logit-lens", {"prompt": "The cat"}),
        ("post", "/api/embeddings/similarity", {"texts": ["a", "b"]}),
        ("post", "/api/search", {"query": "tokens"}),
        ("get", "/playground/attention", None),
        ("get", "/playground/sampling", None),
        ("get", "/playground/sampling/sample-one", None),
        ("get", "/playground/sampling/histogram", None),
        ("get", "/playground/sampling/stream", None),
        ("get", "/playground/completions", None),
        ("get", "/playground/architecture", None),
        ("get", "/playground/architecture/forward", None),
        ("get", "/playground/architecture/lens", None),
        ("get", "/playground/embeddings", None),
        ("get", "/playground/embeddings/compare", None),
        ("get", "/playground/embeddings/search", None),
    ],
)
def test_every_model_route_is_behind_the_gate(busy_settings, method, path, body):
    app = create_app(busy_settings.model_copy(update={"model_queue": 0}))
    with TestClient(app) as client:
        gate = app.state.model_gate
        assert gate.try_acquire()
        try:
            response = getattr(client, method)(path, **({"json": body} if body else {}))
        finally:
            gate.release()
    assert response.status_code == 503 and response.headers["retry-after"].isdigit()
    if path.startswith("/api/"):
        assert "busy" in response.json()["detail"]
    else:
        assert "busy" in response.text and "<html" in response.text  # a page for a browser


def test_htmx_gets_the_error_partial(busy_client, held_slot):
    pool, queued = _queue_one(busy_client)
    response = busy_client.get("/playground/attention?text=hi", headers=HX)
    assert response.status_code == 503 and "retry-after" in response.headers
    assert response.text.startswith('<p class="error-message"') and "busy" in response.text
    held_slot()
    queued.result(timeout=10)
    pool.shutdown()


def test_only_free_text_grading_takes_a_slot(busy_settings):
    """A choice answer is graded without a model, so a full gate does not refuse it; a free-text one is."""
    app = create_app(busy_settings.model_copy(update={"model_queue": 0}))
    with TestClient(app) as client:
        token = csrf_token(client)
        gate = app.state.model_gate
        bank = app.state.question_bank
        choice = next(q for q in bank.questions.values() if q.type == "single")
        free = next(q for q in bank.questions.values() if q.type == "free_text")
        assert gate.try_acquire()
        try:
            base = {"submission_key": "key-" + "a" * 10, "csrf_token": token}
            answered = client.post(f"/quiz/questions/{choice.id}/answer", data=base | {"choice": ["0"]})
            graded = client.post(
                f"/quiz/questions/{free.id}/answer",
                data=base | {"submission_key": "key-" + "b" * 10, "text": "Attention mixes tokens."},
                headers=HX,
            )
        finally:
            gate.release()
    assert answered.status_code == 200
    assert graded.status_code == 503 and "retry-after" in graded.headers


def test_the_slot_comes_back_after_errors(client):
    gate = client.app.state.model_gate
    too_long = "x" * (client.app.state.settings.max_prompt_chars + 1)
    assert client.post("/api/attention", json={"text": too_long}).status_code == 413  # raised in the endpoint
    assert client.post("/api/generate", json={"prompt": "a", "temperature": -1}).status_code == 422
    assert client.get("/playground/attention?layer=60").status_code == 422
    assert gate.in_flight == 0 and gate.waiting == 0


def test_an_unexpected_error_gives_the_slot_back():
    app = FastAPI()
    app.state.model_gate = gate = ModelGate(1, 0)

    @app.get("/boom", dependencies=[LabModelSlot])
    def boom():
        raise RuntimeError("model crashed")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/boom").status_code == 500
        assert client.get("/boom").status_code == 500  # not 503: the first one's slot came back
    assert gate.in_flight == 0


def _asgi_stream(app: FastAPI, body: dict) -> tuple[list[int], int]:
    """POST /api/generate/stream straight through ASGI, noting slots in use as each body chunk arrives."""
    in_use: list[int] = []

    async def call() -> None:
        payload = json.dumps(body).encode()
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
            "scheme": "http", "path": "/api/generate/stream", "raw_path": b"/api/generate/stream",
            "query_string": b"", "root_path": "", "server": ("test", 80), "client": ("127.0.0.1", 1),
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode())],
        }  # fmt: skip
        sent = False

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": payload, "more_body": False}
            await asyncio.sleep(3600)

        async def send(message):
            if message["type"] == "http.response.body" and message.get("body"):
                in_use.append(app.state.model_gate.in_flight)

        await app(scope, receive, send)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, call()).result(timeout=60)
    return in_use, app.state.model_gate.in_flight


def test_a_streamed_generation_holds_its_slot_until_the_stream_ends(settings):
    app = create_app(settings)
    in_use, after = _asgi_stream(app, {"prompt": "The cat", "max_tokens": 8, "seed": 1})
    assert len(in_use) >= 3 and all(n == 1 for n in in_use)  # start, tokens, end: all inside the slot
    assert after == 0


def test_a_slider_move_on_cached_logits_takes_no_slot_but_a_new_prompt_does(busy_settings):
    app = create_app(busy_settings.model_copy(update={"model_queue": 0}))
    htmx = {"HX-Request": "true"}
    with TestClient(app) as client:
        assert client.get("/playground/sampling", params={"prompt": "The cat"}).status_code == 200
        gate = app.state.model_gate
        assert gate.try_acquire()  # another learner's forward pass holds the only slot
        try:
            moved = client.get(
                "/playground/sampling", params={"prompt": "The cat", "temperature": "0.5"}, headers=htmx
            )
            new_prompt = client.get("/playground/sampling", params={"prompt": "The dog"}, headers=htmx)
        finally:
            gate.release()
    assert moved.status_code == 200  # sampling alone, on the cached logits: it did not wait for the slot
    assert new_prompt.status_code == 503 and new_prompt.headers["retry-after"].isdigit()
