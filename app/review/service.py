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
    """The questions due for review, most overdue first: by now, and by the end of today (UTC).

    A first right answer comes back in FSRS's 10-minute learning step: that question is due later today,
    not now, and `next_at` says when.
    """

    now: list[str]
    today: list[str]
    next_at: datetime | None = None  # when the next question not yet due falls due

    @property
    def later_today(self) -> list[str]:
        """Due before midnight UTC but not yet."""
        return self.today[len(self.now) :]


def due_reviews(*, session: Session, learner_id: str, now: datetime, known: set[str]) -> DueReviews:
    """The learner's questions due now and due today; only those still in the bank (`known`) count."""
    rows = session.execute(
        select(ReviewCard.question_id, ReviewCard.due_at)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due_at < end_of_day(now))
        .order_by(ReviewCard.due_at, ReviewCard.id)
    ).all()
    due = [(question_id, due_at) for question_id, due_at in rows if question_id in known]
    upcoming = session.execute(
        select(ReviewCard.question_id, ReviewCard.due_at)
        .where(ReviewCard.learner_id == learner_id, ReviewCard.due_at > now)
        .order_by(ReviewCard.due_at, ReviewCard.id)
    )
    return DueReviews(
        now=[question_id for question_id, due_at in due if due_at <= now],
        today=[question_id for question_id, _ in due],
        next_at=next((due_at for question_id, due_at in upcoming if question_id in known), None),
    )


def due_in_words(when: datetime, now: datetime) -> str:
    """When a review falls due, as said aloud: "in 10 minutes", "in 3 hours", "tomorrow", "in 4 days"."""
    seconds = (when - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        minutes = max(1, round(seconds / 60))
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    if when < end_of_day(now):
        hours = round(seconds / 3600)
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = (when.date() - now.date()).days
    return "tomorrow" if days == 1 else f"in {days} days"
