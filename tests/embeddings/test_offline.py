"""Nothing reaches the network while MiniLM loads and the embeddings widgets and API run: every outgoing
connection and name lookup that is not this machine's loopback is refused and recorded."""

import ipaddress
import socket

import pytest
from fastapi.testclient import TestClient

from app.embeddings import model as embedding_model
from app.embeddings import wordpiece
from app.main import create_app
from tests.conftest import csrf_token, page

HX = {"HX-Request": "true"}
LOCAL_NAMES = {"localhost", "testserver"}


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like never leave the machine
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture
def no_network(monkeypatch) -> list[str]:
    """Refuse (and record) every connection or lookup to anywhere but loopback."""
    attempts: list[str] = []
    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def guarded(real):  # noqa: ANN001, ANN202
        def connect(sock, address):  # noqa: ANN001, ANN202
            host = address[0] if isinstance(address, tuple) else address
            if not _is_loopback(host):
                attempts.append(f"connect {address}")
                raise OSError(f"test: no network ({address})")
            return real(sock, address)

        return connect

    def getaddrinfo(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if not _is_loopback(host):
            attempts.append(f"lookup {host}")
            raise socket.gaierror(f"test: no network ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


def test_the_guard_refuses_the_outside_world(no_network):
    with pytest.raises(OSError), socket.socket() as sock:
        sock.connect(("93.184.216.34", 443))
    with pytest.raises(OSError):
        socket.getaddrinfo("huggingface.co", 443)
    assert no_network == ["connect ('93.184.216.34', 443)", "lookup huggingface.co"]


def test_loading_minilm_and_running_every_widget_never_touches_the_network(no_network, settings, monkeypatch):
    # A fresh load (not the process's cached encoder) and a fresh search index, both under the guard.
    monkeypatch.setattr("app.main.load_sentence_encoder", embedding_model.load_sentence_encoder.__wrapped__)
    monkeypatch.setattr("app.embeddings.search._memo", {})
    wordpiece.wordpiece_tokenizer.cache_clear()
    app = create_app(settings)
    with TestClient(app) as client:
        app.state.sentence_encoder.wait(timeout=180)
        app.state.search_index.wait(timeout=180)
        token = csrf_token(client, "/playground/embeddings")
        headers = {**HX, "X-CSRF-Token": token}
        responses = [
            client.get("/playground/embeddings"),
            client.get("/lessons/embeddings"),
            client.get("/playground/embeddings/compare?a=cats&b=dogs", headers=HX),
            client.get("/playground/embeddings/example", headers=HX),
            client.post("/playground/embeddings/matrix", data={"texts": "a\nb\nc"}, headers=headers),
            client.get("/playground/embeddings/search?q=temperature", headers=HX),
            client.get("/playground/embeddings/attention?text=cats+and+dogs", headers=HX),
            client.post(
                "/playground/tokenizer", data={"text": "unbelievable", "compare": "on"}, headers=headers
            ),
            client.post("/api/embeddings/similarity", json={"texts": ["a", "b"]}),
            client.post("/api/search", json={"query": "attention"}),
        ]
    assert [r.status_code for r in responses] == [200] * len(responses)
    assert not page(responses[0]).select(".emb-loading, .error-message")
    assert no_network == []
    wordpiece.wordpiece_tokenizer.cache_clear()
