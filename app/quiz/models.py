"""Every answer a learner gives, to a lesson quiz, a review or a mock interview."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Answer(Base):
    """One graded answer; the submission key makes a repeated submission a no-op."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("learner_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    submission_key: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(80))
    seed: Mapped[int | None]
    # As given: {"choice": 2}, {"choices": [0, 3]}, {"value": 1.5} or {"text": "..."}; None = skipped.
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    score: Mapped[float]
    correct: Mapped[bool]
    # Free text: the points covered (with the learner's sentences), misconceptions, the follow-up offered.
    grading: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The reply to the interviewer's follow-up, graded against its one point (app/quiz/followups.py).
    follow_up: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    self_grade: Mapped[str | None] = mapped_column(String(8))
    self_graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
