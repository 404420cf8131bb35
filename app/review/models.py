"""Spaced review: one FSRS card per answered question, and the append-only log it is computed from."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class ReviewCard(Base):
    """The FSRS memory state of one question for one learner; `due_at` says when to see it again."""

    __tablename__ = "review_card"
    __table_args__ = (
        UniqueConstraint("learner_id", "question_id"),
        Index("ix_review_card_learner_id_due_at", "learner_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    state: Mapped[int]
    step: Mapped[int | None]
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReviewLog(Base):
    """One rating, never changed: an answer's automatic rating, or a later self-assessment overriding it."""

    __tablename__ = "review_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="SET NULL"))
    rating: Mapped[int]  # fsrs.Rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    source: Mapped[str] = mapped_column(String(16))  # "answer" | "self_grade"
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())
