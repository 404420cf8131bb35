"""Lesson progress: opened and done marks per learner."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.lessons.content import Course
from app.lessons.models import LessonProgress
from app.timeutil import utcnow


@dataclass(frozen=True)
class LessonStatus:
    """Where one learner stands on one lesson."""

    slug: str
    opened: bool
    done: bool


def progress_by_slug(*, session: Session, learner_id: str) -> dict[str, LessonProgress]:
    """The learner's progress rows, keyed by lesson slug."""
    rows = session.scalars(select(LessonProgress).where(LessonProgress.learner_id == learner_id))
    return {row.lesson_slug: row for row in rows}


def course_status(*, session: Session, learner_id: str, course: Course) -> list[LessonStatus]:
    """Every lesson of the course with the learner's opened/done marks, in course order."""
    rows = progress_by_slug(session=session, learner_id=learner_id)
    return [
        LessonStatus(
            slug=lesson.slug,
            opened=lesson.slug in rows,
            done=lesson.slug in rows and rows[lesson.slug].done_at is not None,
        )
        for lesson in course.lessons
    ]


def _progress_row(*, session: Session, learner_id: str, slug: str) -> LessonProgress:
    row = session.scalars(
        select(LessonProgress).where(
            LessonProgress.learner_id == learner_id, LessonProgress.lesson_slug == slug
        )
    ).one_or_none()
    if row is not None:
        return row
    row = LessonProgress(learner_id=learner_id, lesson_slug=slug, opened_at=utcnow())
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another request of the same learner created it first
        session.rollback()
        return _progress_row(session=session, learner_id=learner_id, slug=slug)
    return row


def record_opened(*, session: Session, learner_id: str, slug: str) -> None:
    """Note that the learner opened the lesson (the first time only)."""
    _progress_row(session=session, learner_id=learner_id, slug=slug)
    session.commit()


def set_done(*, session: Session, learner_id: str, slug: str, done: bool) -> bool:
    """Mark the lesson done or not done; idempotent; returns the new state."""
    row = _progress_row(session=session, learner_id=learner_id, slug=slug)
    if done and row.done_at is None:
        row.done_at = utcnow()
    elif not done:
        row.done_at = None
    session.commit()
    return done
