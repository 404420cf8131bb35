"""Home page (the course map) and the learner's display name (the health check: app/observability)."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.deps import CourseDep, HXRequest, LearnerDep, NowDep, SessionDep
from app.learners.service import MAX_DISPLAY_NAME, set_display_name
from app.lessons.service import course_status
from app.quiz.deps import BankDep
from app.quiz.service import mastery_by_lesson
from app.review.service import due_in_words, due_reviews
from app.templating import render

router = APIRouter()


@router.get("/")
def home(
    request: Request, session: SessionDep, learner: LearnerDep, course: CourseDep, bank: BankDep, now: NowDep
):
    """The course map: every lesson with the learner's progress and mastery, and what is due for review."""
    statuses = course_status(session=session, learner_id=learner.id, course=course)
    slugs = [lesson.slug for lesson in course.lessons]
    done = sum(status.done for status in statuses)
    due = due_reviews(session=session, learner_id=learner.id, now=now, known=set(bank.questions))
    return render(
        request,
        "home/index.html",
        {
            "learner": learner,
            "lessons": list(zip(course.lessons, statuses, strict=True)),
            "done_count": done,
            "mastery": mastery_by_lesson(session=session, learner_id=learner.id, bank=bank, slugs=slugs),
            "due": due,
            "due_today": len(due.today),
            "next_due_words": due_in_words(due.next_at, now) if due.next_at else None,
            "max_name": MAX_DISPLAY_NAME,
        },
    )


@router.post("/learner/name")
def update_name(
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    hx: HXRequest,
    display_name: Annotated[str, Form(max_length=200)] = "",
):
    """Set or clear the learner's display name."""
    try:
        set_display_name(session=session, learner=learner, name=display_name)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    if hx:
        return render(request, "home/_name_form.html", {"learner": learner, "max_name": MAX_DISPLAY_NAME})
    return RedirectResponse("/", status_code=303)
