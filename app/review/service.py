"""What is due for review: one function that the home page, the review page, the dashboard and the mock
interview's draw all count with."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.review.models import ReviewCard


def end_of_day(now: datetime) -> datetime:
    """Midnight UTC that ends `now`'s day."""
    return datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)


@dataclass(frozen=True)
class DueReviews:
    """The questions due for review, most overdue first: by now, and by the end of today (UTC)."""

    now: list[str]
    today: list[str]


def due_reviews(*, session: Session, learner_id: str, now: datetime, known: set[str]) -> DueReviews:
    """The learner's questions due now and due today; only those still in the bank (`known`) count."""
    rows = session.execute(
        select(ReviewCard.question_id, ReviewCard.due_at)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due_at < end_of_day(now))
        .order_by(ReviewCard.due_at, ReviewCard.id)
    ).all()
    due = [(question_id, due_at) for question_id, due_at in rows if question_id in known]
    return DueReviews(
        now=[question_id for question_id, due_at in due if due_at <= now],
        today=[question_id for question_id, _ in due],
    )


def next_due_at(*, session: Session, learner_id: str, known: set[str]) -> datetime | None:
    """When the learner's next card of a question still in the bank falls due, or None without one."""
    rows = session.execute(
        select(ReviewCard.question_id, ReviewCard.due_at)
        .where(ReviewCard.learner_id == learner_id)
        .order_by(ReviewCard.due_at, ReviewCard.id)
    )
    return next((due_at for question_id, due_at in rows if question_id in known), None)
