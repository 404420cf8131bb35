"""The review page: the questions FSRS says are due, one at a time."""

from fastapi import APIRouter, Request

from app.deps import HXRequest, LearnerDep, NowDep, SessionDep
from app.quiz.deps import BankDep, ToolsDep
from app.quiz.service import present_for_learner
from app.review.service import due_question_ids, next_due_at
from app.templating import render

router = APIRouter()


@router.get("/review")
def review_page(
    request: Request,
    session: SessionDep,
    learner: LearnerDep,
    bank: BankDep,
    tools: ToolsDep,
    now: NowDep,
    hx: HXRequest,
):
    """The most overdue question as a card, and how many more are due."""
    due = due_question_ids(session=session, learner_id=learner.id, now=now, known=set(bank.questions))
    ctx = {"due_count": len(due), "context": "review", "p": None, "next_due": None}
    if due:
        [ctx["p"]] = present_for_learner(
            session=session, learner_id=learner.id, questions=[bank.get(due[0])], tools=tools
        )
    else:
        ctx["next_due"] = next_due_at(session=session, learner_id=learner.id)
    return render(request, "review/_due.html" if hx else "review/index.html", ctx)
