"""Fixtures for the context service: the lab's real encodings and catalog, loaded once."""

import pytest

from app.catalog.models import load_catalog
from app.config import ROOT, Settings
from app.tokenizer.encodings import load_encodings


@pytest.fixture(scope="session")
def encodings():
    """cl100k_base and o200k_base, from the same verified files the app loads."""
    return load_encodings(Settings())


@pytest.fixture(scope="session")
def catalog(encodings):
    """The model catalog in content/models.yaml."""
    return load_catalog(ROOT / "content" / "models.yaml", encodings=encodings.names)
