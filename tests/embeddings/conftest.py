"""Embeddings fixtures: the quiz fixtures, a lab with MiniLM loaded, and one whose MiniLM is held back."""

import pytest
from fastapi.testclient import TestClient

from tests.embeddings.helpers import HeldLoad
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


@pytest.fixture
def held_encoder(monkeypatch, sentence_encoder) -> HeldLoad:  # noqa: F811 - the quiz fixture
    """Apps created after this fixture keep MiniLM "loading" until `held_encoder.release.set()`."""
    held = HeldLoad(sentence_encoder)
    monkeypatch.setattr("app.main.load_sentence_encoder", held)
    yield held
    held.release.set()  # let the background threads finish
