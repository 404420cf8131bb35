"""Lesson quizzes: a question card, its answer with feedback, try again, and self-assessment."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Request
from markupsafe import Markup

from app.capacity.deps import GradingSlot
from app.deps import HXRequest, LearnerDep, NowDep, SessionDep
from app.embeddings.handle import EncoderLoading
from app.lessons.content import Course
from app.lessons.extras import ExtraRenderer, LessonExtras
from app.quiz.bank import Question, QuestionBank
from app.quiz.deps import BankDep, ToolsDep, grader_loading, grading_encoder
from app.quiz.followups import FollowUpError, answer_follow_up
from app.quiz.generated import SEED_MAX
from app.quiz.schemas import MAX_TEXT_CHARS, AnswerInputError, parse_response
from app.quiz.service import (
    AnswerConflictError,
    answer_view,
    get_answer,
    mastery_by_lesson,
    present_for_learner,
    seed_was_issued,
    self_grade,
    submit_answer,
)
from app.templating import render, render_fragment

router = APIRouter(prefix="/quiz")

SUBMISSION_KEY = r"^[A-Za-z0-9_-]{8,64}$"
Context = Literal["lesson", "review"]
# Hard caps on what a form may carry; the service gives the readable message below them.
FormKey = Annotated[str, Form(pattern=SUBMISSION_KEY)]
FormSeed = Annotated[int | None, Form(ge=0, le=SEED_MAX)]
FormChoices = Annotated[list[str] | None, Form(max_length=10)]
FormValue = Annotated[str | None, Form(max_length=200)]
FormText = Annotated[str | None, Form(max_length=MAX_TEXT_CHARS * 4)]
# A row id in a path: SQLite's integers stop at 2**63 - 1; a larger number is a 422, not an OverflowError.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def question_or_404(bank: QuestionBank, question_id: str) -> Question:
    """The question with this id, or a 404 naming it."""
    question = bank.get(question_id)
    if question is None:
        raise HTTPException(status_code=404, detail=f"There is no question “{question_id[:80]}”.")
    return question


def _mastery(session, learner_id: str, bank: QuestionBank, slug: str):  # noqa: ANN001 - Session
    return mastery_by_lesson(session=session, learner_id=learner_id, bank=bank, slugs=[slug])[slug]


@router.get("/questions/{question_id}")
def question_card(
    question_id: str,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    bank: BankDep,
    tools: ToolsDep,
    hx: HXRequest,
    context: Context = "lesson",
):
    """The learner's next try at a question (new submission key): the card, or a page around it."""
    question = question_or_404(bank, question_id)
    [presented] = present_for_learner(
        session=session, learner_id=learner.id, questions=[question], tools=tools
    )
    ctx = {"p": presented, "context": context, "question": question}
    if not hx:
        ctx["mastery"] = _mastery(session, learner.id, bank, question.lesson)
    return render(request, "quiz/_question.html" if hx else "quiz/question.html", ctx)


@router.post("/questions/{question_id}/answer", dependencies=[GradingSlot])
def answer_question(
    question_id: str,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    now: NowDep,
    bank: BankDep,
    tools: ToolsDep,
    hx: HXRequest,
    submission_key: FormKey,
    seed: FormSeed = None,
    choice: FormChoices = None,
    value: FormValue = None,
    text: FormText = None,
    context: Annotated[Context, Form()] = "lesson",
):
    """Grade and save an answer (once per submission key); feedback, explanation and the paragraph."""
    question = question_or_404(bank, question_id)
    try:
        if question.type == "generated" and seed is None:
            raise AnswerInputError("This question's numbers are missing (no seed). Reload the page.")
        if question.type == "generated" and not seed_was_issued(
            session=session, learner_id=learner.id, question_id=question.id, seed=seed
        ):
            raise AnswerInputError("These numbers were not the ones shown to you. Reload the page.")
        response = parse_response(question, choice=choice or [], value=value, text=text)
        encoder = grading_encoder(request, question)
        answer = submit_answer(
            session=session,
            learner_id=learner.id,
            question=question,
            response=response,
            seed=seed,
            submission_key=submission_key,
            now=now,
            tools=tools,
            encoder=encoder,
        )
    except AnswerInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except AnswerConflictError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except EncoderLoading:
        fields = {"submission_key": submission_key, "seed": seed, "context": context}
        action = f"/quiz/questions/{question.id}/answer"
        return grader_loading(
            request,
            hx,
            action=action,
            target="closest .question-card",
            fields=fields,
            text=text,
            card_id=f"q-{question.id}",
        )
    ctx = {
        "view": answer_view(question, answer, tools),
        "question": question,
        "context": context,
        "mastery": _mastery(session, learner.id, bank, question.lesson),
        # The mastery meter is on a lesson's quiz and on the question's own page, not on the review page.
        "oob": hx and context == "lesson",
    }
    return render(request, "quiz/_feedback.html" if hx else "quiz/question.html", ctx)


@router.post("/answers/{answer_id}/self-grade")
def self_grade_answer(
    answer_id: RowId,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    now: NowDep,
    bank: BankDep,
    tools: ToolsDep,
    hx: HXRequest,
    grade: Annotated[Literal["again", "hard", "good", "easy"], Form()],
):
    """Keep the learner's own verdict on an interview answer beside the grader's; reschedule its review."""
    answer = get_answer(session=session, learner_id=learner.id, answer_id=answer_id)
    if answer is None:
        raise HTTPException(status_code=404, detail="There is no such answer.")
    question = question_or_404(bank, answer.question_id)
    try:
        self_grade(session=session, answer=answer, question=question, grade_name=grade, now=now)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    if hx:
        return render(request, "quiz/_self_grade.html", {"answer": answer})
    ctx = {
        "view": answer_view(question, answer, tools),
        "question": question,
        "context": "lesson",
        "mastery": _mastery(session, learner.id, bank, question.lesson),
    }
    return render(request, "quiz/question.html", ctx)


@router.post("/answers/{answer_id}/follow-up", dependencies=[GradingSlot])
def answer_follow_up_question(
    answer_id: RowId,
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    now: NowDep,
    bank: BankDep,
    tools: ToolsDep,
    hx: HXRequest,
    text: FormText = None,
):
    """Answer the follow-up an interviewer would ask on the answer's most important missed point."""
    answer = get_answer(session=session, learner_id=learner.id, answer_id=answer_id)
    if answer is None:
        raise HTTPException(status_code=404, detail="There is no such answer.")
    question = question_or_404(bank, answer.question_id)
    try:
        encoder = grading_encoder(request, question)
        answer_follow_up(
            session=session, answer=answer, question=question, text=text or "", now=now, encoder=encoder
        )
        session.commit()
    except AnswerInputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except FollowUpError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except EncoderLoading as exc:  # only on a worker that has not loaded MiniLM yet: the offer came graded
        raise HTTPException(
            status_code=503,
            detail="The grader's model is still loading; send your answer again in a few seconds.",
            headers={"Retry-After": str(EncoderLoading.retry_after)},
        ) from exc
    if hx:
        return render(request, "quiz/_follow_up.html", {"answer": answer, "follow_up_form": True})
    ctx = {
        "view": answer_view(question, answer, tools),
        "question": question,
        "context": "lesson",
        "mastery": _mastery(session, learner.id, bank, question.lesson),
    }
    return render(request, "quiz/question.html", ctx)


def lesson_quiz(slug: str) -> ExtraRenderer:
    """The renderer of one lesson's quiz block (a lesson extra after its last section)."""

    def render_quiz(request: Request) -> Markup:
        bank: QuestionBank = request.app.state.question_bank
        learner_id = request.state.learner_id
        with request.app.state.sessionmaker() as session:
            mastery = _mastery(session, learner_id, bank, slug)
            presented = present_for_learner(
                session=session,
                learner_id=learner_id,
                questions=list(bank.for_lesson(slug)),
                tools=request.app.state.generator_tools,
            )
        return render_fragment(
            request, "quiz/_lesson_quiz.html", {"slug": slug, "mastery": mastery, "presented": presented}
        )

    return render_quiz


def register_lesson_quizzes(extras: LessonExtras, course: Course, bank: QuestionBank) -> None:
    """Place each lesson's quiz after its last section."""
    for lesson in course.lessons:
        if bank.for_lesson(lesson.slug) and lesson.rendered.toc:
            extras.register(lesson.slug, lesson.rendered.toc[-1].anchor, lesson_quiz(lesson.slug))
