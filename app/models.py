"""Every feature's ORM models, imported in one place so Alembic sees the whole metadata."""

from app.db import Base
from app.learners.models import Learner
from app.lessons.models import LessonProgress

__all__ = ["Base", "Learner", "LessonProgress"]
