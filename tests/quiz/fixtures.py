"""Fixtures shared by the quiz, mock, review and dashboard tests: a fixture-bank lab, encoder, clock."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.embeddings.model import SentenceEncoder, load_sentence_encoder
from app.lessons.content import load_course
from app.main import create_app
from app.quiz.bank import QuestionBank, load_question_bank

FIXTURE_BANK = Path(__file__).parent / "fixture_bank"
REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"
START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)
        return self.now


def fixture_content(root: Path) -> Path:
    """A content folder with the real lessons and catalog but the fixture question bank."""
    content = root / "content"
    content.mkdir(parents=True)
    for entry in REAL_CONTENT.iterdir():
        if entry.name != "questions":
            (content / entry.name).symlink_to(entry)
    (content / "questions").symlink_to(FIXTURE_BANK)
    return content


@pytest.fixture(scope="session")
def sentence_encoder() -> SentenceEncoder:
    """all-MiniLM-L6-v2, loaded once for the whole test session."""
    return load_sentence_encoder()


@pytest.fixture(scope="session")
def real_bank() -> QuestionBank:
    """The lab's real question bank (content/questions)."""
    return load_question_bank(REAL_CONTENT / "questions", load_course(REAL_CONTENT))


@pytest.fixture
def clock() -> Clock:
    """A clock starting at 2026-11-28 09:00 UTC."""
    return Clock(START)


@pytest.fixture
def quiz_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with the fixture question bank."""
    return settings.model_copy(update={"content_dir": fixture_content(tmp_path)})


@pytest.fixture
def quiz_app(quiz_settings: Settings, clock: Clock, sentence_encoder: SentenceEncoder):
    """The lab on the fixture bank, with the movable clock and MiniLM loaded (it loads in the background)."""
    app = create_app(quiz_settings)
    app.state.clock = clock
    app.state.sentence_encoder.wait(timeout=120)  # the session's encoder, already loaded: at once
    return app


@pytest.fixture
def quiz_client(quiz_app) -> TestClient:
    """A browser-like client of the fixture-bank lab."""
    with TestClient(quiz_app) as client:
        yield client


@pytest.fixture
def session(quiz_app):
    """A database session on the fixture-bank lab's database."""
    with quiz_app.state.sessionmaker() as db:
        yield db
