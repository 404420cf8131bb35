"""The quiz features' shared fixtures (tests/quiz/fixtures.py)."""

from tests.quiz.fixtures import clock, quiz_app, quiz_client, quiz_settings, sentence_encoder, session  # noqa: F401
