"""Every feature's ORM models, imported in one place so Alembic sees the whole metadata."""

from app.dashboard.models import ProgressImport
from app.db import Base
from app.learners.models import Learner
from app.lessons.models import LessonProgress
from app.mock.models import MockAttempt, MockItem
from app.quiz.models import Answer
from app.review.models import ReviewCard, ReviewLog

__all__ = [
    "Answer",
    "Base",
    "Learner",
    "LessonProgress",
    "MockAttempt",
    "MockItem",
    "ProgressImport",
    "ReviewCard",
    "ReviewLog",
]
