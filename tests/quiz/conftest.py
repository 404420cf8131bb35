"""The quiz features' shared fixtures (tests/quiz/fixtures.py), each test on SQLite and on PostgreSQL."""

from tests.databases import database_url  # noqa: F401
from tests.quiz.fixtures import (  # noqa: F401
    clock,
    quiz_app,
    quiz_client,
    quiz_settings,
    real_bank,
    sentence_encoder,
    session,
)
