"""What is due for review, and how much is due today."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.review.models import ReviewCard


def end_of_day(now: datetime) -> datetime:
    """Midnight UTC that ends `now`'s day."""
    return datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)


def due_question_ids(*, session: Session, learner_id: str, now: datetime, known: set[str]) -> list[str]:
    """Questions whose card is due by `now`, most overdue first; only those still in the bank."""
    rows = session.scalars(
        select(ReviewCard.question_id)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due_at <= now)
        .order_by(ReviewCard.due_at, ReviewCard.id)
    )
    return [question_id for question_id in rows if question_id in known]


def due_today_count(*, session: Session, learner_id: str, now: datetime) -> int:
    """How many cards fall due before the end of today (UTC)."""
    return session.scalar(
        select(func.count())
        .select_from(ReviewCard)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due_at < end_of_day(now))
    )


def due_ids_by(*, session: Session, learner_id: str, until: datetime) -> set[str]:
    """The question ids whose card is due before `until`."""
    return set(
        session.scalars(
            select(ReviewCard.question_id).where(
                ReviewCard.learner_id == learner_id, ReviewCard.due_at < until
            )
        )
    )


def next_due_at(*, session: Session, learner_id: str) -> datetime | None:
    """When the learner's next card falls due, or None without cards."""
    return session.scalar(select(func.min(ReviewCard.due_at)).where(ReviewCard.learner_id == learner_id))
