"""Timed mock interviews: draw questions (weighted toward weak and due ones), save every answer at once,
enforce the deadline on the server, and score the attempt overall and per lesson.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.embeddings.model import SentenceEncoder
from app.mock.models import MockAttempt, MockItem
from app.quiz.bank import QUESTION_TYPES, Question, QuestionBank
from app.quiz.followups import FollowUpError, answer_follow_up, is_pending, offered
from app.quiz.generated import GeneratorTools, new_seed
from app.quiz.models import Answer
from app.quiz.schemas import MAX_TEXT_CHARS, AnswerInputError, Response, response_json
from app.quiz.service import add_answer, answer_by_key, effective_correct, effective_score, latest_answers
from app.review.service import due_reviews

DEFAULT_COUNT = 10
DEFAULT_MINUTES = 15
MAX_COUNT = 30
MAX_MINUTES = 120
# Drawing weights: a question answered wrong last time comes up most, then due and unseen ones.
WEIGHT_WRONG = 4.0
WEIGHT_UNSEEN = 2.0
WEIGHT_RIGHT = 1.0
DUE_FACTOR = 2.0


class AttemptClosedError(Exception):
    """The attempt is submitted or its time is up: no more answers."""


class AlreadyAnsweredError(Exception):
    """This question of the attempt already has a different answer."""


class FollowUpPendingError(Exception):
    """The interviewer's follow-up on the last answer comes before the next question."""


@dataclass(frozen=True)
class MockSetup:
    """What the learner asked for: lessons, number of questions, minutes and question types."""

    lessons: tuple[str, ...]
    count: int = DEFAULT_COUNT
    minutes: int = DEFAULT_MINUTES
    types: tuple[str, ...] = QUESTION_TYPES
    follow_ups: bool = True  # an interview answer that misses points gets one follow-up question


def question_weights(
    *, session: Session, learner_id: str, candidates: Sequence[Question], now: datetime
) -> dict[str, float]:
    """Each candidate's drawing weight from its latest answer and whether its review is due."""
    latest = latest_answers(session=session, learner_id=learner_id)
    known = {question.id for question in candidates}
    due = set(due_reviews(session=session, learner_id=learner_id, now=now, known=known).now)
    weights = {}
    for question in candidates:
        answer = latest.get(question.id)
        if answer is None:
            weight = WEIGHT_UNSEEN
        else:  # right or wrong as mastery counts it: a self-assessment overrides the grader
            weight = WEIGHT_RIGHT if effective_correct(answer) else WEIGHT_WRONG
        weights[question.id] = weight * (DUE_FACTOR if question.id in due else 1.0)
    return weights


def draw_questions(
    candidates: Sequence[Question], weights: dict[str, float], count: int, rng: random.Random
) -> list[Question]:
    """`count` distinct questions drawn at random in proportion to their weights (Efraimidis-Spirakis)."""
    keyed = sorted(candidates, key=lambda q: rng.random() ** (1.0 / weights[q.id]), reverse=True)
    return keyed[:count]


def _attempt_by_key(session: Session, key: str) -> MockAttempt | None:
    return session.scalars(select(MockAttempt).where(MockAttempt.key == key)).one_or_none()


def _started_from(
    session: Session,
    attempt: MockAttempt | None,
    *,
    learner_id: str,
    setup: MockSetup,
    count: int,
    now: datetime,
) -> bool:
    """Whether the attempt is this learner's still-open attempt of this very set-up (a repeated start)."""
    if attempt is None or attempt.learner_id != learner_id:
        return False
    if attempt.finished_at is not None or now >= attempt.deadline_at:
        return False
    asked = (list(setup.lessons), list(setup.types), setup.minutes * 60, setup.follow_ups)
    if (attempt.lessons, attempt.types, attempt.time_limit_s, attempt.follow_ups) != asked:
        return False
    return session.scalar(select(func.count()).where(MockItem.attempt_id == attempt.id)) == count


def start_attempt(
    *,
    session: Session,
    learner_id: str,
    setup: MockSetup,
    bank: QuestionBank,
    now: datetime,
    rng: random.Random | None = None,
    key: str | None = None,
) -> MockAttempt:
    """Create an attempt with its questions drawn and seeded; ValueError when no question matches.

    `key` comes with the set-up form: the same form sent twice (a double click) returns the attempt the
    first one started while it is still open, instead of starting a second one.
    """
    # A lesson or type named twice must not put its questions in the draw twice.
    setup = replace(
        setup, lessons=tuple(dict.fromkeys(setup.lessons)), types=tuple(dict.fromkeys(setup.types))
    )
    candidates = list(
        {q.id: q for slug in setup.lessons for q in bank.for_lesson(slug) if q.type in setup.types}.values()
    )
    if not candidates:
        raise ValueError("No question matches these lessons and types. Choose more of them.")
    count = min(setup.count, len(candidates))
    if key is not None:
        earlier = _attempt_by_key(session, key)
        if _started_from(session, earlier, learner_id=learner_id, setup=setup, count=count, now=now):
            return earlier
        if earlier is not None:  # an old or someone else's form: start afresh under a new key
            key = None
    weights = question_weights(session=session, learner_id=learner_id, candidates=candidates, now=now)
    drawn = draw_questions(candidates, weights, setup.count, rng or random.Random())
    attempt = MockAttempt(
        key=key or uuid.uuid4().hex,
        learner_id=learner_id,
        lessons=list(setup.lessons),
        types=list(setup.types),
        time_limit_s=setup.minutes * 60,
        follow_ups=setup.follow_ups,
        started_at=now,
        deadline_at=now + timedelta(minutes=setup.minutes),
    )
    session.add(attempt)
    session.flush()
    for position, question in enumerate(drawn, start=1):
        session.add(
            MockItem(attempt_id=attempt.id, position=position, question_id=question.id, seed=new_seed())
        )
    try:
        session.commit()
    except IntegrityError:  # the same form raced in from another request: that one started it
        session.rollback()
        earlier = _attempt_by_key(session, attempt.key) if key else None
        if not _started_from(session, earlier, learner_id=learner_id, setup=setup, count=count, now=now):
            raise
        return earlier
    return attempt


def get_attempt(*, session: Session, learner_id: str, attempt_id: int) -> MockAttempt | None:
    """The learner's own attempt; None for a missing one or anyone else's."""
    attempt = session.get(MockAttempt, attempt_id)
    return attempt if attempt is not None and attempt.learner_id == learner_id else None


def attempt_items(*, session: Session, attempt: MockAttempt) -> list[MockItem]:
    """The attempt's questions in order."""
    return list(
        session.scalars(select(MockItem).where(MockItem.attempt_id == attempt.id).order_by(MockItem.position))
    )


def remaining_seconds(attempt: MockAttempt, now: datetime) -> int:
    """Whole seconds left before the deadline (0 when it has passed)."""
    return max(0, int((attempt.deadline_at - now).total_seconds()))


def close_if_expired(*, session: Session, attempt: MockAttempt, now: datetime) -> bool:
    """Submit an attempt whose deadline has passed, with the answers saved before it; True if it is closed."""
    if attempt.finished_at is None and now >= attempt.deadline_at:
        attempt.finished_at = attempt.deadline_at
        attempt.finish_reason = "expired"
        session.commit()
    return attempt.finished_at is not None


def ensure_open(*, session: Session, attempt: MockAttempt, now: datetime) -> None:
    """Raise AttemptClosedError when the attempt is submitted or its time is up (submitting it then)."""
    if close_if_expired(session=session, attempt=attempt, now=now):
        if attempt.finish_reason == "expired":
            raise AttemptClosedError(
                "Time is up: the interview was submitted with the answers saved before the deadline."
            )
        raise AttemptClosedError("This interview is already submitted.")


def unanswered_count(*, session: Session, attempt: MockAttempt) -> int:
    """How many of the attempt's questions have no answer, as the database says now (not as loaded)."""
    session.flush()
    return session.scalar(
        select(func.count()).where(MockItem.attempt_id == attempt.id, MockItem.answer_id.is_(None))
    )


def pending_follow_up(*, session: Session, attempt: MockAttempt) -> tuple[MockItem, Answer] | None:
    """The answered question whose follow-up still waits for a reply (before any next question), if any."""
    if not attempt.follow_ups:
        return None
    # Filtered here, not in SQL: a JSON column may hold JSON null as well as SQL NULL.
    rows = session.execute(
        select(MockItem, Answer)
        .join(Answer, Answer.id == MockItem.answer_id)
        .where(MockItem.attempt_id == attempt.id)
        .order_by(MockItem.position)
    ).all()
    return next(((item, answer) for item, answer in rows if is_pending(answer)), None)


def finish_if_complete(*, session: Session, attempt: MockAttempt, now: datetime) -> bool:
    """Finish a running attempt whose every question (and follow-up) is answered; the caller commits."""
    if (
        attempt.finished_at is None
        and unanswered_count(session=session, attempt=attempt) == 0
        and pending_follow_up(session=session, attempt=attempt) is None
    ):
        attempt.finished_at = now
        attempt.finish_reason = "completed"
        return True
    return False


def current_item(*, session: Session, attempt: MockAttempt, now: datetime) -> MockItem | None:
    """The first unanswered question, marked as shown the first time it is served (for time per question)."""
    item = next((i for i in attempt_items(session=session, attempt=attempt) if i.answer_id is None), None)
    if item is not None and item.shown_at is None:
        item.shown_at = now
        session.commit()
    return item


def _submission_key(attempt: MockAttempt, position: int) -> str:
    # One key per (attempt, question): a double click or a retry finds the first answer.
    return f"mock-{attempt.key}-{position}"


def answer_item(
    *,
    session: Session,
    attempt: MockAttempt,
    item: MockItem,
    question: Question,
    response: Response | None,
    now: datetime,
    tools: GeneratorTools,
    encoder: SentenceEncoder | None,
) -> MockItem:
    """Save the answer to one question of a running attempt, in one transaction.

    The same answer again (a double click, a retry) returns the saved one, even once that answer closed
    the attempt; a different one is refused.
    """
    if item.answer_id is not None:
        return _same_answer_or_refuse(session, item, response)
    ensure_open(session=session, attempt=attempt, now=now)
    if pending_follow_up(session=session, attempt=attempt) is not None:
        raise FollowUpPendingError("Answer or skip the interviewer's follow-up question first.")
    key = _submission_key(attempt, item.position)
    try:
        # Answers to one attempt wait for each other (row lock on PostgreSQL; SQLite writes one at a time),
        # so the count of unanswered questions below sees the other answer.
        session.execute(select(MockAttempt.id).where(MockAttempt.id == attempt.id).with_for_update())
        answer = add_answer(
            session=session,
            learner_id=attempt.learner_id,
            question=question,
            response=response,
            seed=item.seed if question.type == "generated" else None,
            submission_key=key,
            now=now,
            tools=tools,
            encoder=encoder,
        )
        item.answer_id = answer.id
        item.shown_at = item.shown_at or now
        item.draft = None  # the answer replaces what was typed so far
        finish_if_complete(session=session, attempt=attempt, now=now)
        session.commit()
    except IntegrityError:  # the same question's answer raced in from another request
        session.rollback()
        if answer_by_key(session=session, learner_id=attempt.learner_id, submission_key=key) is None:
            raise
        session.refresh(item)
        return _same_answer_or_refuse(session, item, response)
    return item


def _same_answer_or_refuse(session: Session, item: MockItem, response: Response | None) -> MockItem:
    existing = session.get(Answer, item.answer_id) if item.answer_id is not None else None
    if existing is not None and existing.response == response_json(response):
        return item
    raise AlreadyAnsweredError("This question already has a saved answer; answers in an interview are final.")


def answer_item_follow_up(
    *,
    session: Session,
    attempt: MockAttempt,
    item: MockItem,
    question: Question,
    text: str | None,
    now: datetime,
    encoder: SentenceEncoder,
) -> MockItem:
    """Grade and keep the reply to a question's follow-up (None: skipped) while the attempt runs.

    The same reply again returns the saved one; FollowUpError when there is no follow-up or another reply.
    """
    answer = session.get(Answer, item.answer_id) if item.answer_id is not None else None
    if answer is None or not attempt.follow_ups or offered(answer) is None:
        raise FollowUpError("This question has no follow-up.")
    if answer.follow_up is None:
        ensure_open(session=session, attempt=attempt, now=now)
    answer_follow_up(session=session, answer=answer, question=question, text=text, now=now, encoder=encoder)
    finish_if_complete(session=session, attempt=attempt, now=now)
    session.commit()
    return item


def save_draft(*, session: Session, attempt: MockAttempt, item: MockItem, text: str, now: datetime) -> bool:
    """Keep what the learner has typed so far for an unanswered question; False when it is answered already.

    A draft is not an answer: it is restored into the form on the next visit and shown in the results,
    but never graded. Refused (AttemptClosedError) once the attempt is closed.
    """
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_TEXT_CHARS:
        raise AnswerInputError(f"A draft is at most {MAX_TEXT_CHARS:,} characters; this has {len(text):,}.")
    if item.answer_id is not None:  # a late autosave after the answer: the answer is what counts
        return False
    ensure_open(session=session, attempt=attempt, now=now)
    item.draft = text if text.strip() else None
    session.commit()
    return True


def submit_attempt(*, session: Session, attempt: MockAttempt, now: datetime) -> MockAttempt:
    """Finish the attempt now (idempotent); past the deadline it counts as expired at the deadline."""
    if not close_if_expired(session=session, attempt=attempt, now=now):
        attempt.finished_at = now
        attempt.finish_reason = "submitted"
        session.commit()
    return attempt


@dataclass(frozen=True)
class ItemResult:
    """One question of a finished attempt: the answer given (if any), its score and the time it took."""

    item: MockItem
    question: Question
    answer: Answer | None
    attempt_follow_ups: bool = True

    @property
    def score(self) -> float:
        """The answer's score as it counts; 0 when unanswered."""
        return effective_score(self.answer) if self.answer else 0.0

    @property
    def follow_up(self) -> dict | None:
        """The reply to the interviewer's follow-up on this answer (answered or skipped), or None."""
        return self.answer.follow_up if self.answer is not None and self.attempt_follow_ups else None

    @property
    def recovered(self) -> bool:
        """Whether the follow-up's reply made the missed point."""
        return bool(self.follow_up and self.follow_up.get("recovered"))

    @property
    def seconds(self) -> float | None:
        """Seconds from first showing to the answer, when both are known."""
        if self.answer is None or self.item.shown_at is None:
            return None
        return max(0.0, (self.answer.answered_at - self.item.shown_at).total_seconds())


@dataclass(frozen=True)
class LessonScore:
    """An attempt's score on one lesson's questions."""

    slug: str
    count: int
    score: float


@dataclass(frozen=True)
class AttemptResult:
    """A finished attempt, scored overall and per lesson."""

    attempt: MockAttempt
    items: list[ItemResult]

    @property
    def score(self) -> float:
        """Mean item score in [0, 1]."""
        return sum(r.score for r in self.items) / len(self.items) if self.items else 0.0

    @property
    def answered(self) -> int:
        """How many questions have an answer."""
        return sum(r.answer is not None for r in self.items)

    @property
    def follow_ups(self) -> int:
        """How many follow-up questions the interviewer asked (answered or skipped)."""
        return sum(r.follow_up is not None for r in self.items)

    @property
    def recovered(self) -> int:
        """How many missed points the learner made on follow-up ("recovered on follow-up")."""
        return sum(r.recovered for r in self.items)

    @property
    def by_lesson(self) -> list[LessonScore]:
        """Score per lesson, in the order lessons first appear."""
        slugs = list(dict.fromkeys(r.question.lesson for r in self.items))
        scores = []
        for slug in slugs:
            mine = [r.score for r in self.items if r.question.lesson == slug]
            scores.append(LessonScore(slug=slug, count=len(mine), score=sum(mine) / len(mine)))
        return scores


def attempt_result(*, session: Session, attempt: MockAttempt, bank: QuestionBank) -> AttemptResult:
    """Score an attempt (questions no longer in the bank are left out)."""
    items = attempt_items(session=session, attempt=attempt)
    answer_ids = [i.answer_id for i in items if i.answer_id is not None]
    answers = {a.id: a for a in session.scalars(select(Answer).where(Answer.id.in_(answer_ids)))}
    results = []
    for item in items:
        question = bank.get(item.question_id)
        if question is not None:
            answer = answers.get(item.answer_id)
            results.append(ItemResult(item, question, answer, attempt_follow_ups=attempt.follow_ups))
    return AttemptResult(attempt=attempt, items=results)


def attempt_history(
    *, session: Session, learner_id: str, bank: QuestionBank, now: datetime
) -> list[AttemptResult]:
    """Every attempt of the learner, oldest first; expired ones are closed on the way."""
    attempts = list(
        session.scalars(
            select(MockAttempt).where(MockAttempt.learner_id == learner_id).order_by(MockAttempt.started_at)
        )
    )
    for attempt in attempts:
        close_if_expired(session=session, attempt=attempt, now=now)
    return [attempt_result(session=session, attempt=a, bank=bank) for a in attempts]
