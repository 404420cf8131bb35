"""Timed mock interviews: the attempt and the questions drawn for it."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class MockAttempt(Base):
    """One timed interview: its set-up, its deadline and how it ended."""

    __tablename__ = "mock_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    lessons: Mapped[list[str]] = mapped_column(JSON)
    types: Mapped[list[str]] = mapped_column(JSON)
    time_limit_s: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finish_reason: Mapped[str | None] = mapped_column(String(16))  # "submitted" | "expired"
    # Whether an interview answer that misses points gets a follow-up question before the next question.
    follow_ups: Mapped[bool] = mapped_column(default=True, server_default=true())


class MockItem(Base):
    """One question of an attempt, in order, with the seed its generated numbers come from and any draft."""

    __tablename__ = "mock_item"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("mock_attempt.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(String(80))
    seed: Mapped[int]
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="SET NULL"), unique=True)
    # The free-text answer as typed so far, autosaved before it is sent; never graded (see save_draft).
    draft: Mapped[str | None] = mapped_column(Text)
