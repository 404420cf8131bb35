"""Export a learner's whole progress as JSON, and import such a file into the current learner only."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dashboard.models import ProgressImport
from app.dashboard.schemas import (
    FORMAT,
    VERSION,
    AnswerRow,
    LessonProgressRow,
    MockAttemptRow,
    MockItemRow,
    ProgressFile,
    ReviewCardRow,
    ReviewLogRow,
)
from app.lessons.models import LessonProgress
from app.mock.models import MockAttempt, MockItem
from app.quiz.models import Answer
from app.review.models import ReviewCard, ReviewLog
from app.review.scheduling import reschedule

MAX_IMPORT_BYTES = 1_000_000


class ImportRefusedError(ValueError):
    """The file is not a progress file of the lab, or was already imported; nothing was written."""


def _rows(session: Session, model, learner_id: str, *order):  # noqa: ANN001, ANN202 - a mapped class
    return list(session.scalars(select(model).where(model.learner_id == learner_id).order_by(*order)))


def export_progress(*, session: Session, learner_id: str, now: datetime) -> dict:
    """The learner's lessons, answers, interviews, review cards and review log, ready for JSON."""
    answers = _rows(session, Answer, learner_id, Answer.id)
    key_of = {answer.id: answer.submission_key for answer in answers}
    attempts = _rows(session, MockAttempt, learner_id, MockAttempt.id)
    items = list(
        session.scalars(
            select(MockItem)
            .where(MockItem.attempt_id.in_([a.id for a in attempts]))
            .order_by(MockItem.position)
        )
    )
    document = ProgressFile(
        format=FORMAT,
        version=VERSION,
        exported_at=now,
        lesson_progress=[
            LessonProgressRow(lesson_slug=row.lesson_slug, opened_at=row.opened_at, done_at=row.done_at)
            for row in _rows(session, LessonProgress, learner_id, LessonProgress.id)
        ],
        answers=[
            AnswerRow(
                submission_key=a.submission_key,
                question_id=a.question_id,
                seed=a.seed,
                response=a.response,
                score=a.score,
                correct=a.correct,
                grading=a.grading,
                self_grade=a.self_grade,
                self_graded_at=a.self_graded_at,
                answered_at=a.answered_at,
            )
            for a in answers
        ],
        mock_attempts=[
            MockAttemptRow(
                key=attempt.key,
                lessons=attempt.lessons,
                types=attempt.types,
                time_limit_s=attempt.time_limit_s,
                started_at=attempt.started_at,
                deadline_at=attempt.deadline_at,
                finished_at=attempt.finished_at,
                finish_reason=attempt.finish_reason,
                items=[
                    MockItemRow(
                        position=item.position,
                        question_id=item.question_id,
                        seed=item.seed,
                        shown_at=item.shown_at,
                        answer_key=key_of.get(item.answer_id),
                    )
                    for item in items
                    if item.attempt_id == attempt.id
                ],
            )
            for attempt in attempts
        ],
        review_cards=[
            ReviewCardRow(
                question_id=c.question_id,
                state=c.state,
                step=c.step,
                stability=c.stability,
                difficulty=c.difficulty,
                due_at=c.due_at,
                last_review_at=c.last_review_at,
            )
            for c in _rows(session, ReviewCard, learner_id, ReviewCard.id)
        ],
        review_log=[
            ReviewLogRow(
                question_id=log.question_id,
                answer_key=key_of.get(log.answer_id),
                rating=log.rating,
                source=log.source,
                reviewed_at=log.reviewed_at,
                logged_at=log.logged_at,
            )
            for log in _rows(session, ReviewLog, learner_id, ReviewLog.id)
        ],
    )
    return document.model_dump(mode="json")


def parse_progress_file(data: bytes) -> ProgressFile:
    """Validate an uploaded file; ImportRefusedError saying what is wrong with it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefusedError(f"The file is larger than {MAX_IMPORT_BYTES:,} bytes.")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportRefusedError("This is not a progress file of the lab: it is not JSON.") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ImportRefusedError(
            "This is not a progress file of the lab (its format is not “llm-interview-lab/progress”)."
        )
    if raw.get("version") != VERSION:
        raise ImportRefusedError(
            f"This progress file has version {raw.get('version')!r}; this lab reads version {VERSION}."
        )
    try:
        return ProgressFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ImportRefusedError(
            f"The progress file is damaged: {where}: {first['msg']} ({exc.error_count()} problems)."
        ) from None


class AlreadyImportedError(ImportRefusedError):
    """This learner imported this very file before."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import added."""

    lessons: int
    answers: int
    attempts: int
    reviews: int


def _merge_lessons(session: Session, learner_id: str, rows: list[LessonProgressRow]) -> int:
    existing = {p.lesson_slug: p for p in _rows(session, LessonProgress, learner_id, LessonProgress.id)}
    added = 0
    for row in rows:
        mine = existing.get(row.lesson_slug)
        if mine is None:
            session.add(
                LessonProgress(
                    learner_id=learner_id,
                    lesson_slug=row.lesson_slug,
                    opened_at=row.opened_at,
                    done_at=row.done_at,
                )
            )
            added += 1
        else:
            mine.done_at = mine.done_at or row.done_at
    return added


def _merge_answers(session: Session, learner_id: str, rows: list[AnswerRow]) -> tuple[dict[str, int], int]:
    ids = {a.submission_key: a.id for a in _rows(session, Answer, learner_id, Answer.id)}
    added = 0
    for row in rows:
        if row.submission_key in ids:
            continue
        answer = Answer(learner_id=learner_id, **row.model_dump())
        session.add(answer)
        session.flush()
        ids[row.submission_key] = answer.id
        added += 1
    return ids, added


def _merge_attempts(
    session: Session, learner_id: str, rows: list[MockAttemptRow], answer_ids: dict[str, int]
) -> int:
    added = 0
    for row in rows:
        owner = session.scalar(select(MockAttempt.learner_id).where(MockAttempt.key == row.key))
        if owner == learner_id:
            continue
        attempt = MockAttempt(
            learner_id=learner_id,
            # Another learner's copy of the same interview keeps its key; this one gets its own.
            key=row.key if owner is None else uuid.uuid4().hex,
            **row.model_dump(exclude={"key", "items"}),
        )
        session.add(attempt)
        session.flush()
        for item in row.items:
            session.add(
                MockItem(
                    attempt_id=attempt.id,
                    answer_id=answer_ids.get(item.answer_key) if item.answer_key else None,
                    **item.model_dump(exclude={"answer_key"}),
                )
            )
        added += 1
    return added


def _merge_review_log(
    session: Session, learner_id: str, rows: list[ReviewLogRow], answer_ids: dict[str, int]
) -> set[str]:
    def identity(question_id, answer_id, rating, source, reviewed_at):  # noqa: ANN001, ANN202
        return (question_id, answer_id, rating, source, reviewed_at)

    seen = {
        identity(log.question_id, log.answer_id, log.rating, log.source, log.reviewed_at)
        for log in _rows(session, ReviewLog, learner_id, ReviewLog.id)
    }
    touched = set()
    for row in sorted(rows, key=lambda r: r.logged_at):
        answer_id = answer_ids.get(row.answer_key) if row.answer_key else None
        key = identity(row.question_id, answer_id, row.rating, row.source, row.reviewed_at)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            ReviewLog(learner_id=learner_id, answer_id=answer_id, **row.model_dump(exclude={"answer_key"}))
        )
        touched.add(row.question_id)
    return touched


def import_progress(*, session: Session, learner_id: str, data: bytes, now: datetime) -> ImportSummary:
    """Merge a progress file into this learner only, in one transaction; the same file twice is refused."""
    document = parse_progress_file(data)
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.scalars(
        select(ProgressImport).where(ProgressImport.learner_id == learner_id, ProgressImport.digest == digest)
    ).one_or_none()
    if earlier is not None:
        raise AlreadyImportedError(
            f"This file was already imported on {earlier.imported_at:%Y-%m-%d %H:%M} UTC. "
            "Nothing was changed."
        )
    try:
        lessons = _merge_lessons(session, learner_id, document.lesson_progress)
        answer_ids, answers = _merge_answers(session, learner_id, document.answers)
        attempts = _merge_attempts(session, learner_id, document.mock_attempts, answer_ids)
        touched = _merge_review_log(session, learner_id, document.review_log, answer_ids)
        for question_id in sorted(touched):
            reschedule(session=session, learner_id=learner_id, question_id=question_id, at=now)
        session.add(ProgressImport(learner_id=learner_id, digest=digest, imported_at=now))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return ImportSummary(lessons=lessons, answers=answers, attempts=attempts, reviews=len(touched))
