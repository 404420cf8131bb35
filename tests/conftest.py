"""Shared fixtures: an app on a fresh SQLite file migrated by Alembic, a client, and page helpers.

Test folders whose features keep state in the database run their tests on SQLite and on a real PostgreSQL
server too, by taking `database_url` from tests/databases.py (see tests/postgres.py for the server).
"""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

pytest_plugins = ("tests.postgres",)

TINY_CORPUS = (
    "The cat sat on the mat. The dog sat on the log. A cat and a dog sat together on the mat. "
    "Tokens are the atomic unit; attention routes information between tokens. "
) * 4


def tiny_checkpoint(out: Path, *, context_length: int = 32, n_layer: int = 2) -> Path:
    """Write a real checkpoint folder: a tiny random-initialised transformer and a small trained BPE."""
    import torch

    from app.lm.bpe import train_bpe
    from app.lm.checkpoint import save_checkpoint
    from app.lm.model import GPT, GPTConfig
    from app.lm.tokenizer import LabTokenizer

    torch.manual_seed(0)
    tokenizer = LabTokenizer(train_bpe([TINY_CORPUS], vocab_size=300).ranks(), name="tiny-bpe")
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size, context_length=context_length, n_layer=n_layer, n_head=2, n_embd=16
    )
    save_checkpoint(out, GPT(config), tokenizer, card={"note": "random weights for tests"})
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A real checkpoint folder with a tiny random-initialised transformer and a small trained BPE."""
    return tiny_checkpoint(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite file (tests/databases.py's fixture adds PostgreSQL where the database matters)."""
    return f"sqlite:///{tmp_path / 'lab.db'}"


@pytest.fixture
def settings(tmp_path: Path, tiny_model_dir: Path, database_url: str) -> Settings:
    """Settings pointing at a temporary database and var folder, and the tiny model."""
    return Settings(
        database_url=database_url,
        var_dir=tmp_path,
        secret_key="test-secret",
        model_dir=tiny_model_dir,
    )


@pytest.fixture
def app(settings: Settings):
    """The lab, built by the factory on a freshly migrated database."""
    return create_app(settings)


@pytest.fixture
def client(app) -> TestClient:
    """A test client that keeps cookies like a browser."""
    with TestClient(app) as test_client:
        yield test_client


def page(response) -> BeautifulSoup:
    """Parse an HTML response."""
    return BeautifulSoup(response.text, "html.parser")


def csrf_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token a page hands this client's learner."""
    body = page(client.get(path)).select_one("body")
    import json

    return json.loads(body["hx-headers"])["X-CSRF-Token"]
