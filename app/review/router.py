"""The review page: the questions FSRS says are due, one at a time."""

from fastapi import APIRouter, Request

from app.deps import HXRequest, LearnerDep, NowDep, SessionDep
from app.quiz.deps import BankDep, ToolsDep
from app.quiz.service import present_for_learner
from app.review.service import due_reviews, next_due_at
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
    """The most overdue question as a card, and how many are due now and today."""
    due = due_reviews(session=session, learner_id=learner.id, now=now, known=set(bank.questions))
    ctx = {
        "due_count": len(due.now),
        "due_today": len(due.today),
        "context": "review",
        "p": None,
        "next_due": None,
    }
    if due.now:
        [ctx["p"]] = present_for_learner(
            session=session, learner_id=learner.id, questions=[bank.get(due.now[0])], tools=tools
        )
    else:
        ctx["next_due"] = next_due_at(session=session, learner_id=learner.id, known=set(bank.questions))
    return render(request, "review/_due.html" if hx else "review/index.html", ctx)
