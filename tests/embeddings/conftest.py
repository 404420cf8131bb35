"""Embeddings fixtures: the quiz fixtures, a lab with MiniLM loaded, and one whose MiniLM is held back."""

import threading

import pytest
from fastapi.testclient import TestClient

from tests.quiz.fixtures import clock, quiz_app, quiz_client, quiz_settings, sentence_encoder, session  # noqa: F401


@pytest.fixture
def ready_app(app, sentence_encoder):  # noqa: F811 - the quiz fixture, imported above
    """The lab with all-MiniLM-L6-v2 and the lesson search index loaded (both load in the background)."""
    app.state.sentence_encoder.wait(timeout=120)
    app.state.search_index.wait(timeout=120)
    return app


@pytest.fixture
def ready_client(ready_app) -> TestClient:
    """A browser-like client of the loaded lab."""
    with TestClient(ready_app) as client:
        yield client


class HeldLoad:
    """Stands in for load_sentence_encoder: blocks until released, then hands over the real encoder."""

    def __init__(self, encoder) -> None:  # noqa: ANN001 - SentenceEncoder
        self.encoder = encoder
        self.release = threading.Event()
        self.calls = 0

    def __call__(self):  # noqa: ANN204
        self.calls += 1
        if not self.release.wait(timeout=60):
            raise TimeoutError("the test never released the encoder")
        return self.encoder


@pytest.fixture
def held_encoder(monkeypatch, sentence_encoder) -> HeldLoad:  # noqa: F811 - the quiz fixture
    """Apps created after this fixture keep MiniLM "loading" until `held_encoder.release.set()`."""
    held = HeldLoad(sentence_encoder)
    monkeypatch.setattr("app.main.load_sentence_encoder", held)
    yield held
    held.release.set()  # let the background threads finish
