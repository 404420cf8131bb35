"""Spaced review with FSRS (the `fsrs` package): every answer rates its question's card.

Wrong is Again and right is Good; a self-assessment of a free-text answer (Again/Hard/Good/Easy) is logged
as a new entry that overrides that answer's rating, and the card is replayed from the log. The log is
append-only: the card is always what FSRS makes of the effective ratings, in time order.
"""

from collections.abc import Iterable
from datetime import datetime

from fsrs import Card, Rating, Scheduler, State
from fsrs import ReviewLog as FsrsReviewLog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.review.models import ReviewCard, ReviewLog

# No fuzzing: the same history always gives the same schedule (tests and imports rely on it).
SCHEDULER = Scheduler(enable_fuzzing=False)
SELF_GRADES = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
_CARD_ID = 0  # fsrs wants an id; ours is the row's (learner, question)


def rating_for(correct: bool) -> Rating:
    """The automatic rating of an answer: right is Good, wrong is Again."""
    return Rating.Good if correct else Rating.Again


def _to_fsrs(row: ReviewCard) -> Card:
    return Card(
        card_id=_CARD_ID,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due_at,
        last_review=row.last_review_at,
    )


def _store(row: ReviewCard, card: Card) -> ReviewCard:
    row.state = int(card.state)
    row.step = card.step
    row.stability = card.stability
    row.difficulty = card.difficulty
    row.due_at = card.due
    row.last_review_at = card.last_review
    return row


def get_card(*, session: Session, learner_id: str, question_id: str) -> ReviewCard | None:
    """The learner's card for this question, or None before the first answer."""
    return session.scalars(
        select(ReviewCard).where(ReviewCard.learner_id == learner_id, ReviewCard.question_id == question_id)
    ).one_or_none()


def _card_row(*, session: Session, learner_id: str, question_id: str, at: datetime) -> ReviewCard:
    row = get_card(session=session, learner_id=learner_id, question_id=question_id)
    if row is None:
        row = _store(
            ReviewCard(learner_id=learner_id, question_id=question_id), Card(card_id=_CARD_ID, due=at)
        )
        session.add(row)
    return row


def record_review(
    *,
    session: Session,
    learner_id: str,
    question_id: str,
    rating: Rating,
    reviewed_at: datetime,
    answer_id: int | None,
    logged_at: datetime,
) -> ReviewCard:
    """Rate the question's card with FSRS and append the rating to the log (the caller commits)."""
    row = _card_row(session=session, learner_id=learner_id, question_id=question_id, at=reviewed_at)
    card, _ = SCHEDULER.review_card(_to_fsrs(row), rating, reviewed_at)
    session.add(
        ReviewLog(
            learner_id=learner_id,
            question_id=question_id,
            answer_id=answer_id,
            rating=int(rating),
            source="answer",
            reviewed_at=reviewed_at,
            logged_at=logged_at,
        )
    )
    return _store(row, card)


def effective_ratings(logs: Iterable[ReviewLog]) -> list[ReviewLog]:
    """The entries that count: each answer's latest one (a self-grade overrides the automatic rating)."""
    latest: dict[tuple[str, int], ReviewLog] = {}
    for log in sorted(logs, key=lambda entry: entry.id):
        key = ("answer", log.answer_id) if log.answer_id is not None else ("log", log.id)
        latest[key] = log
    return sorted(latest.values(), key=lambda entry: (entry.reviewed_at, entry.id))


def reschedule(*, session: Session, learner_id: str, question_id: str, at: datetime) -> ReviewCard:
    """Recompute the card from the question's effective log entries (the caller commits)."""
    session.flush()
    logs = session.scalars(
        select(ReviewLog).where(ReviewLog.learner_id == learner_id, ReviewLog.question_id == question_id)
    ).all()
    history = [
        FsrsReviewLog(
            card_id=_CARD_ID, rating=Rating(log.rating), review_datetime=log.reviewed_at, review_duration=None
        )
        for log in effective_ratings(logs)
    ]
    row = _card_row(session=session, learner_id=learner_id, question_id=question_id, at=at)
    first = history[0].review_datetime if history else at
    return _store(row, SCHEDULER.reschedule_card(Card(card_id=_CARD_ID, due=first), history))


def override_rating(
    *,
    session: Session,
    learner_id: str,
    question_id: str,
    answer_id: int,
    rating: Rating,
    reviewed_at: datetime,
    logged_at: datetime,
) -> ReviewCard:
    """Log a self-assessment in place of an answer's automatic rating, replay the card; the caller commits."""
    session.add(
        ReviewLog(
            learner_id=learner_id,
            question_id=question_id,
            answer_id=answer_id,
            rating=int(rating),
            source="self_grade",
            reviewed_at=reviewed_at,
            logged_at=logged_at,
        )
    )
    return reschedule(session=session, learner_id=learner_id, question_id=question_id, at=reviewed_at)
