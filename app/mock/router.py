"""Timed mock interviews: set up, answer against the clock (autosaved), submit, and see the results."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.capacity.deps import GradingSlot
from app.charts.progress import score_line
from app.deps import CourseDep, HXRequest, LearnerDep, NowDep, SessionDep
from app.embeddings.handle import EncoderLoading
from app.mock.models import MockAttempt
from app.mock.service import (
    DEFAULT_COUNT,
    DEFAULT_MINUTES,
    MAX_COUNT,
    MAX_MINUTES,
    AlreadyAnsweredError,
    AttemptClosedError,
    FollowUpPendingError,
    MockSetup,
    answer_item,
    answer_item_follow_up,
    attempt_history,
    attempt_items,
    attempt_result,
    close_if_expired,
    current_item,
    ensure_open,
    finish_if_complete,
    get_attempt,
    pending_follow_up,
    remaining_seconds,
    save_draft,
    start_attempt,
    submit_attempt,
)
from app.quiz.bank import QUESTION_TYPES
from app.quiz.deps import BankDep, ToolsDep, grader_loading, grading_encoder
from app.quiz.followups import FollowUpError
from app.quiz.router import FormChoices, FormText, FormValue, RowId, question_or_404
from app.quiz.schemas import MAX_TEXT_CHARS, AnswerInputError, parse_response
from app.quiz.service import answer_view, present
from app.templating import render

router = APIRouter(prefix="/mock")

TYPE_LABELS = {
    "single": "One answer",
    "multiple": "Select all",
    "numeric": "Number",
    "free_text": "Interview answer",
    "generated": "Calculation",
}


def _attempt_or_404(session, learner_id: str, attempt_id: int) -> MockAttempt:  # noqa: ANN001 - Session
    attempt = get_attempt(session=session, learner_id=learner_id, attempt_id=attempt_id)
    if attempt is None:
        raise HTTPException(status_code=404, detail="There is no such interview.")
    return attempt


def _redirect(url: str, hx: bool) -> Response:
    if hx:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.get("")
def mock_home(
    request: Request, session: SessionDep, learner: LearnerDep, course: CourseDep, bank: BankDep, now: NowDep
):
    """Set up an interview; the history of attempts with a chart of scores over time."""
    history = attempt_history(session=session, learner_id=learner.id, bank=bank, now=now)
    finished = [r for r in history if r.attempt.finished_at is not None]
    return render(
        request,
        "mock/index.html",
        {
            "history": list(reversed(history)),
            "chart": score_line("score-chart", [(r.attempt.started_at, r.score) for r in finished]),
            "lessons": [lesson for lesson in course.lessons if bank.for_lesson(lesson.slug)],
            "type_labels": TYPE_LABELS,
            "defaults": {"count": DEFAULT_COUNT, "minutes": DEFAULT_MINUTES},
            "limits": {"count": MAX_COUNT, "minutes": MAX_MINUTES},
            "start_key": uuid.uuid4().hex,  # one per showing of the form: a double click starts one attempt
        },
    )


@router.post("")
def start_mock(
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    course: CourseDep,
    bank: BankDep,
    now: NowDep,
    hx: HXRequest,
    lessons: Annotated[list[str] | None, Form(max_length=50)] = None,
    types: Annotated[list[str] | None, Form(max_length=10)] = None,
    count: Annotated[int, Form(ge=1, le=MAX_COUNT)] = DEFAULT_COUNT,
    minutes: Annotated[int, Form(ge=1, le=MAX_MINUTES)] = DEFAULT_MINUTES,
    start_key: Annotated[str | None, Form(pattern=r"^[0-9a-f]{32}$")] = None,
    follow_ups: Annotated[bool, Form()] = False,  # a checkbox, checked by default on the set-up form
):
    """Draw the questions and start the clock; then go to the attempt (the same form twice: the same one)."""
    known = [lesson.slug for lesson in course.lessons]
    # A lesson or type sent twice is chosen once (its questions must not be drawn twice).
    chosen_lessons = tuple(dict.fromkeys(lessons or known))
    chosen_types = tuple(dict.fromkeys(types or QUESTION_TYPES))
    unknown = [s for s in chosen_lessons if s not in known] + [
        t for t in chosen_types if t not in QUESTION_TYPES
    ]
    if unknown:
        raise HTTPException(
            status_code=422, detail=f"Unknown lesson or question type: {', '.join(unknown)[:200]}."
        )
    setup = MockSetup(
        lessons=chosen_lessons, count=count, minutes=minutes, types=chosen_types, follow_ups=follow_ups
    )
    try:
        attempt = start_attempt(
            session=session, learner_id=learner.id, setup=setup, bank=bank, now=now, key=start_key
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return _redirect(f"/mock/{attempt.id}", hx)


def _attempt_page_context(session, attempt: MockAttempt, bank, tools, now) -> dict:  # noqa: ANN001
    pending = pending_follow_up(session=session, attempt=attempt)
    item = None if pending else current_item(session=session, attempt=attempt, now=now)
    items = attempt_items(session=session, attempt=attempt)
    ctx = {
        "attempt": attempt,
        "items": items,
        "item": item,
        "now": now,
        "remaining": remaining_seconds(attempt, now),
    }
    if pending is not None:  # the interviewer's follow-up on the last answer comes first
        followed, answer = pending
        ctx["follow_up"] = {
            "item": followed,
            "question": question_or_404(bank, followed.question_id),
            "offer": answer.grading["follow_up"],
        }
    if item is not None:
        question = question_or_404(bank, item.question_id)
        ctx["p"] = present(question, tools=tools, seed=item.seed, submission_key=f"item-{item.position}")
        if question.type == "free_text":  # typed text is autosaved as a draft and restored here
            ctx["draft_url"] = f"/mock/{attempt.id}/draft"
            ctx["draft"] = item.draft or ""
    return ctx


@router.get("/{attempt_id}")
def attempt_page(
    attempt_id: RowId,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    bank: BankDep,
    tools: ToolsDep,
    now: NowDep,
):
    """A running attempt (countdown and the current question) or, once finished, its results."""
    attempt = _attempt_or_404(session, learner.id, attempt_id)
    if not close_if_expired(session=session, attempt=attempt, now=now) and finish_if_complete(
        session=session, attempt=attempt, now=now
    ):
        session.commit()  # every question was answered but the attempt was left open
    if attempt.finished_at is not None:
        result = attempt_result(session=session, attempt=attempt, bank=bank)
        views = [answer_view(r.question, r.answer, tools) if r.answer else None for r in result.items]
        return render(request, "mock/results.html", {"result": result, "views": views})
    return render(request, "mock/attempt.html", _attempt_page_context(session, attempt, bank, tools, now))


@router.post("/{attempt_id}/answer", dependencies=[GradingSlot])
def answer_mock_question(
    attempt_id: RowId,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    bank: BankDep,
    tools: ToolsDep,
    now: NowDep,
    hx: HXRequest,
    position: Annotated[int, Form(ge=1, le=MAX_COUNT)],
    skip: Annotated[bool, Form()] = False,
    choice: FormChoices = None,
    value: FormValue = None,
    text: FormText = None,
):
    """Save one answer the moment it is given (refused after the deadline); then the next question.

    The same answer sent again gets the same reply as the first time, even when the first one was the last
    answer and closed the interview.
    """
    attempt = _attempt_or_404(session, learner.id, attempt_id)
    item = _item_or_404(session, attempt, position)
    question = question_or_404(bank, item.question_id)
    try:
        if item.answer_id is None:  # "closed" comes before any other complaint about a new answer
            ensure_open(session=session, attempt=attempt, now=now)
        response = None if skip else parse_response(question, choice=choice or [], value=value, text=text)
        encoder = grading_encoder(request, question) if response is not None else None
        answer_item(
            session=session,
            attempt=attempt,
            item=item,
            question=question,
            response=response,
            now=now,
            tools=tools,
            encoder=encoder,
        )
    except AnswerInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except (AttemptClosedError, AlreadyAnsweredError, FollowUpPendingError) as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except EncoderLoading:
        action = f"/mock/{attempt.id}/answer"
        fields = {"position": position}
        return grader_loading(request, hx, action=action, target="#mock-item", fields=fields, text=text)
    return _next_step(request, session, attempt, bank, tools, now, hx)


def _next_step(request, session, attempt, bank, tools, now, hx: bool) -> Response:  # noqa: ANN001
    """After an answer: the next question or follow-up as a partial, or the results once it is over."""
    if close_if_expired(session=session, attempt=attempt, now=now) or not hx:
        return _redirect(f"/mock/{attempt.id}", hx)
    return render(request, "mock/_item.html", _attempt_page_context(session, attempt, bank, tools, now))


@router.post("/{attempt_id}/follow-up", dependencies=[GradingSlot])
def answer_mock_follow_up(
    attempt_id: RowId,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    bank: BankDep,
    tools: ToolsDep,
    now: NowDep,
    hx: HXRequest,
    position: Annotated[int, Form(ge=1, le=MAX_COUNT)],
    skip: Annotated[bool, Form()] = False,
    text: FormText = None,
):
    """Answer (or skip) the interviewer's follow-up on a question's missed point; then the next question."""
    attempt = _attempt_or_404(session, learner.id, attempt_id)
    item = _item_or_404(session, attempt, position)
    question = question_or_404(bank, item.question_id)
    try:
        encoder = None if skip else grading_encoder(request, question)
        answer_item_follow_up(
            session=session,
            attempt=attempt,
            item=item,
            question=question,
            text=None if skip else (text or ""),
            now=now,
            encoder=encoder,
        )
    except AnswerInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except (AttemptClosedError, FollowUpError) as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except EncoderLoading:
        action = f"/mock/{attempt.id}/follow-up"
        fields = {"position": position}
        return grader_loading(request, hx, action=action, target="#mock-item", fields=fields, text=text)
    return _next_step(request, session, attempt, bank, tools, now, hx)


def _item_or_404(session, attempt: MockAttempt, position: int):  # noqa: ANN001, ANN202 - Session, MockItem
    item = next((i for i in attempt_items(session=session, attempt=attempt) if i.position == position), None)
    if item is None:
        raise HTTPException(status_code=404, detail="This interview has no such question.")
    return item


@router.post("/{attempt_id}/draft")
def save_mock_draft(
    attempt_id: RowId,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    bank: BankDep,
    now: NowDep,
    position: Annotated[int, Form(ge=1, le=MAX_COUNT)],
    text: Annotated[str, Form(max_length=MAX_TEXT_CHARS * 2)] = "",
):
    """Autosave the interview answer typed so far (a draft: restored on return, shown in the results, not
    graded); 204 once the question has its answer."""
    attempt = _attempt_or_404(session, learner.id, attempt_id)
    item = _item_or_404(session, attempt, position)
    if question_or_404(bank, item.question_id).type != "free_text":
        raise HTTPException(status_code=422, detail="Only interview answers are kept as drafts.")
    try:
        kept = save_draft(session=session, attempt=attempt, item=item, text=text, now=now)
    except AnswerInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except AttemptClosedError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    if not kept:
        return Response(status_code=204)
    return render(request, "mock/_draft_status.html", {"item": item, "now": now})


@router.post("/{attempt_id}/submit")
def submit_mock(attempt_id: RowId, session: SessionDep, learner: LearnerDep, now: NowDep, hx: HXRequest):
    """Finish the interview now; unanswered questions count as wrong."""
    attempt = _attempt_or_404(session, learner.id, attempt_id)
    submit_attempt(session=session, attempt=attempt, now=now)
    return _redirect(f"/mock/{attempt.id}", hx)
