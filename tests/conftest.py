"""Shared fixtures: an app on a fresh SQLite file migrated by Alembic, a client, and page helpers."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a temporary database and var folder."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'lab.db'}", var_dir=tmp_path, secret_key="test-secret")


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
