"""Export a learner's whole progress as JSON, and import such a file into the current learner only."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.dashboard.models import ProgressImport
from app.dashboard.schemas import (
    FORMAT,
    VERSION,
    AnswerRow,
    ChoiceResponse,
    ChoicesResponse,
    LessonProgressRow,
    MockAttemptRow,
    MockItemRow,
    NumberResponse,
    ProgressFile,
    ResponseRow,
    ReviewCardRow,
    ReviewLogRow,
    TextResponse,
)
from app.lessons.models import LessonProgress
from app.mock.models import MockAttempt, MockItem
from app.quiz.bank import Question, QuestionBank
from app.quiz.models import Answer
from app.review.models import ReviewCard, ReviewLog
from app.review.scheduling import reschedule

MAX_IMPORT_BYTES = 1_000_000
# Namespace of the keys of imported copies of another learner's interviews (see imported_attempt_key).
_IMPORTED_ATTEMPT = uuid.UUID("5f0c7a52-3c1e-4d0b-9a57-6c1b2f0d8e41")


class ImportRefusedError(ValueError):
    """The file is not a progress file of the lab, or was already imported; nothing was written."""


class ImportConflictError(ImportRefusedError):
    """The file clashes with progress already here (the same file again, or rows that collide)."""


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
                follow_up=a.follow_up,
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
                follow_ups=attempt.follow_ups,
                items=[
                    MockItemRow(
                        position=item.position,
                        question_id=item.question_id,
                        seed=item.seed,
                        shown_at=item.shown_at,
                        answer_key=key_of.get(item.answer_id),
                        draft=item.draft,
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


_RESPONSE_OF_TYPE: dict[str, type] = {
    "single": ChoiceResponse,
    "multiple": ChoicesResponse,
    "numeric": NumberResponse,
    "generated": NumberResponse,
    "free_text": TextResponse,
}


def _fits(question: Question, response: ResponseRow | None) -> bool:
    """Whether an answer could have been given to this question (the pages show it against its choices)."""
    if response is None:
        return True
    if not isinstance(response, _RESPONSE_OF_TYPE[question.type]):
        return False
    count = len(question.spec.choices) if question.type in ("single", "multiple") else 0
    if isinstance(response, ChoiceResponse):
        return response.choice < count
    if isinstance(response, ChoicesResponse):
        return max(response.choices) < count
    return True


def check_against_bank(document: ProgressFile, bank: QuestionBank) -> None:
    """Refuse a file naming a question this lab does not have, or an answer that does not fit its question."""
    named = [
        *(row.question_id for row in document.answers),
        *(item.question_id for attempt in document.mock_attempts for item in attempt.items),
        *(row.question_id for row in document.review_cards),
        *(row.question_id for row in document.review_log),
    ]
    unknown = sorted({question_id for question_id in named if bank.get(question_id) is None})
    if unknown:
        raise ImportRefusedError(
            f"The progress file names {len(unknown)} question(s) this lab does not have, "
            f"first “{unknown[0]}”. Nothing was changed."
        )
    for row in document.answers:
        question = bank.get(row.question_id)
        if not _fits(question, row.response):
            raise ImportRefusedError(
                f"The progress file is damaged: the answer {row.submission_key} does not fit "
                f"question “{row.question_id}”. Nothing was changed."
            )
        if row.self_grade is not None and question.type != "free_text":
            raise ImportRefusedError(
                f"The progress file is damaged: the answer {row.submission_key} is self-assessed, "
                "but only interview answers can be. Nothing was changed."
            )


class AlreadyImportedError(ImportConflictError):
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
    mine = {a.submission_key: a for a in _rows(session, Answer, learner_id, Answer.id)}
    ids = {key: answer.id for key, answer in mine.items()}
    added = 0
    for row in rows:
        if row.submission_key in ids:
            if mine[row.submission_key].question_id != row.question_id:
                raise ImportConflictError(
                    f"The answer {row.submission_key} in the file is to another question than your answer "
                    "with the same key. Nothing was changed."
                )
            continue
        answer = Answer(
            learner_id=learner_id,
            **row.model_dump(exclude={"follow_up"}),
            follow_up=row.follow_up.model_dump(mode="json") if row.follow_up else None,  # a JSON column
        )
        session.add(answer)
        session.flush()
        ids[row.submission_key] = answer.id
        added += 1
    return ids, added


def imported_attempt_key(learner_id: str, source_key: str) -> str:
    """The key of this learner's copy of an interview whose key another learner holds: the same every time,
    so importing a later export of the same learner skips the interviews already copied."""
    return uuid.uuid5(_IMPORTED_ATTEMPT, f"{learner_id}:{source_key}").hex


def _merge_attempts(
    session: Session, learner_id: str, rows: list[MockAttemptRow], answer_ids: dict[str, int]
) -> int:
    # Answers already in one of this learner's interviews: an interview holding them is one they have.
    linked = set(
        session.scalars(
            select(MockItem.answer_id)
            .join(Answer, Answer.id == MockItem.answer_id)
            .where(Answer.learner_id == learner_id)
        )
    )
    added = 0
    for row in rows:
        copy_key = imported_attempt_key(learner_id, row.key)
        same_keys = MockAttempt.key.in_([row.key, copy_key])
        owners = dict(session.execute(select(MockAttempt.key, MockAttempt.learner_id).where(same_keys)).all())
        item_answers = [answer_ids[item.answer_key] for item in row.items if item.answer_key]
        if learner_id in owners.values() or linked.intersection(item_answers):
            continue  # imported before, or this learner's own
        # The interview keeps its key unless another learner here holds it; then the copy gets its own.
        key = row.key if row.key not in owners else copy_key
        if key in owners:
            raise ImportConflictError(
                "An interview in the file clashes with another learner's. Nothing was changed."
            )
        linked.update(item_answers)
        attempt = MockAttempt(
            learner_id=learner_id,
            key=key,
            **row.model_dump(exclude={"key", "items"}),
        )
        session.add(attempt)
        session.flush()
        for item in row.items:
            session.add(
                MockItem(
                    attempt_id=attempt.id,
                    answer_id=answer_ids[item.answer_key] if item.answer_key else None,
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


def import_progress(
    *, session: Session, learner_id: str, data: bytes, bank: QuestionBank, now: datetime
) -> ImportSummary:
    """Merge a progress file into this learner only, in one transaction; the same file twice is refused.

    Everything is checked before the first write, and a refusal (ImportRefusedError) writes nothing.
    """
    document = parse_progress_file(data)
    check_against_bank(document, bank)
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
    except IntegrityError:  # a row the checks above did not foresee, or the same file imported at once
        session.rollback()
        raise ImportConflictError(
            "The progress file clashes with progress already here. Nothing was changed."
        ) from None
    except Exception:
        session.rollback()
        raise
    return ImportSummary(lessons=lessons, answers=answers, attempts=attempts, reviews=len(touched))
