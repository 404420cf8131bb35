"""The review page: the questions FSRS says are due, one at a time."""

from fastapi import APIRouter, Request

from app.deps import HXRequest, LearnerDep, NowDep, SessionDep
from app.quiz.deps import BankDep, ToolsDep
from app.quiz.service import present_for_learner
from app.review.service import due_in_words, due_reviews
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
        "due_later": len(due.later_today),
        "context": "review",
        "p": None,
        "next_due": due.next_at,
        "next_due_words": due_in_words(due.next_at, now) if due.next_at else None,
    }
    if due.now:
        [ctx["p"]] = present_for_learner(
            session=session, learner_id=learner.id, questions=[bank.get(due.now[0])], tools=tools
        )
    return render(request, "review/_due.html" if hx else "review/index.html", ctx)
