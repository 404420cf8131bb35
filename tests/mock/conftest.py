"""The quiz features' shared fixtures (tests/quiz/fixtures.py), each test on SQLite and on PostgreSQL."""

from tests.databases import database_url  # noqa: F401
from tests.quiz.fixtures import clock, quiz_app, quiz_client, quiz_settings, sentence_encoder, session  # noqa: F401
