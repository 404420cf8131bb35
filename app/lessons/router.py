"""Lesson pages and the done toggle."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from app.deps import CourseDep, HXRequest, LearnerDep, SessionDep
from app.lessons.content import Lesson
from app.lessons.service import course_status, record_opened, set_done
from app.templating import render

router = APIRouter(prefix="/lessons")


def _lesson_or_404(course, slug: str) -> Lesson:  # noqa: ANN001 - Course
    lesson = course.lesson(slug)
    if lesson is None:
        raise HTTPException(status_code=404, detail=f"There is no lesson called “{slug[:80]}”.")
    return lesson


@router.get("/{slug}")
def lesson_page(slug: str, request: Request, session: SessionDep, learner: LearnerDep, course: CourseDep):
    """A lesson: body, table of contents, sidebar of all lessons, previous/next and the done toggle."""
    lesson = _lesson_or_404(course, slug)
    record_opened(session=session, learner_id=learner.id, slug=slug)
    statuses = course_status(session=session, learner_id=learner.id, course=course)
    previous, following = course.neighbours(slug)
    return render(
        request,
        "lessons/lesson.html",
        {
            "lesson": lesson,
            "sidebar": list(zip(course.lessons, statuses, strict=True)),
            "done": next(s.done for s in statuses if s.slug == slug),
            "previous": previous,
            "following": following,
            "extras": request.app.state.lesson_extras.render_for(slug, request),
            "tables": request.app.state.lesson_extras.tables_for(slug, request),
        },
    )


@router.post("/{slug}/done")
def toggle_done(
    slug: str,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    course: CourseDep,
    hx: HXRequest,
    done: Annotated[bool, Form()] = True,
):
    """Mark the lesson done (or not); htmx gets the toggle partial back, a plain form a redirect."""
    lesson = _lesson_or_404(course, slug)
    state = set_done(session=session, learner_id=learner.id, slug=slug, done=done)
    if hx:
        return render(request, "lessons/_done_toggle.html", {"lesson": lesson, "done": state, "oob": True})
    return RedirectResponse(f"/lessons/{slug}", status_code=303)
