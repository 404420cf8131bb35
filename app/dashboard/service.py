"""The progress dashboard's numbers: mastery, questions seen and due, streak, activity, interview scores."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lessons.content import Course
from app.mock.service import AttemptResult, attempt_history
from app.quiz.bank import QuestionBank
from app.quiz.models import Answer
from app.quiz.service import Mastery, mastery_by_lesson
from app.review.service import due_reviews


@dataclass(frozen=True)
class LessonProgressRow:
    """One lesson on the dashboard."""

    slug: str
    title: str
    mastery: Mastery
    due: int


@dataclass(frozen=True)
class Dashboard:
    """Everything /progress draws."""

    lessons: list[LessonProgressRow]
    activity: dict[date, int]
    streak: int
    answered: int
    due_today: int
    interviews: list[AttemptResult]
    today: date


def activity_by_day(*, session: Session, learner_id: str) -> dict[date, int]:
    """How many answers the learner gave on each UTC day."""
    times = session.scalars(select(Answer.answered_at).where(Answer.learner_id == learner_id))
    return dict(Counter(when.date() for when in times))


def streak(days: set[date], today: date) -> int:
    """Consecutive active days ending today (or yesterday, while today is still open)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def build_dashboard(
    *, session: Session, learner_id: str, course: Course, bank: QuestionBank, now: datetime
) -> Dashboard:
    """Collect the dashboard's numbers for one learner."""
    slugs = [lesson.slug for lesson in course.lessons]
    mastery = mastery_by_lesson(session=session, learner_id=learner_id, bank=bank, slugs=slugs)
    due_ids = set(
        due_reviews(session=session, learner_id=learner_id, now=now, known=set(bank.questions)).today
    )
    rows = [
        LessonProgressRow(
            slug=lesson.slug,
            title=lesson.meta.title,
            mastery=mastery[lesson.slug],
            due=sum(q.id in due_ids for q in bank.for_lesson(lesson.slug)),
        )
        for lesson in course.lessons
    ]
    activity = activity_by_day(session=session, learner_id=learner_id)
    history = attempt_history(session=session, learner_id=learner_id, bank=bank, now=now)
    return Dashboard(
        lessons=rows,
        activity=activity,
        streak=streak(set(activity), now.date()),
        answered=sum(activity.values()),
        due_today=len(due_ids),
        interviews=[r for r in history if r.attempt.finished_at is not None],
        today=now.date(),
    )
