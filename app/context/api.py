"""POST /api/context-budget: a request's tokens laid into a catalog model's window (changes no state)."""

from fastapi import APIRouter, Request

from app.context.deps import budget_or_422
from app.context.schemas import ContextBudgetRequest, ContextBudgetResponse, CutOut, PartOut

router = APIRouter(prefix="/api", tags=["context"])

ERRORS = {
    413: {"description": "The body is larger than the lab's limit.", "content": {"application/json": {}}},
    422: {
        "description": "An unknown model, a part over its length limit, a negative reserve or one larger "
        "than the model's window, wrong types or extra fields."
    },  # fmt: skip
}


@router.post(
    "/context-budget",
    response_model=ContextBudgetResponse,
    summary="Budget a context window",
    responses=ERRORS,
)
def context_budget(body: ContextBudgetRequest, request: Request) -> ContextBudgetResponse:
    """Each part's tokens (the model's encoding, or cl100k_base as an estimate), the total with the output
    reserve, what remains, and what the overflow policy would cut: history oldest first, then documents last
    first; never the system prompt, the user message or the reserve."""
    budget = budget_or_422(
        request, model_id=body.model, parts=body.parts.model_dump(), output_reserve=body.output_reserve
    )
    return ContextBudgetResponse(
        model=budget.model.id,
        window=budget.window,
        encoding=budget.encoding,
        exact=budget.exact,
        parts={part.name: PartOut(tokens=part.tokens, cut=part.cut) for part in budget.parts},
        output_reserve=budget.reserve,
        total=budget.total,
        remaining=budget.remaining,
        overflow=budget.overflow,
        cuts=[CutOut(part=c.part, tokens=c.tokens, side=c.side, whole=c.whole) for c in budget.cuts],
        fits_after_cut=budget.fits_after_cut,
    )
