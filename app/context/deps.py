"""Dependencies of the context feature: the example (built once per app) and the budget, or a 422."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.context.example import ContextExample, load_context_example
from app.context.service import Budget, BudgetError, context_budget, find_model


def get_example(request: Request) -> ContextExample:
    """The module's figures and the example texts, read on first use and kept on app.state."""
    state = request.app.state
    example = getattr(state, "context_example", None)
    if example is None:
        example = state.context_example = load_context_example(state.course, state.settings.content_dir)
    return example


def budget_or_422(request: Request, *, model_id: str, parts: dict[str, str], output_reserve: int) -> Budget:
    """The budget for a catalog model; an unknown model or an impossible reserve is a 422 with the reason."""
    state = request.app.state
    try:
        model = find_model(state.model_catalog, model_id)
        return context_budget(
            encodings=state.encodings, model=model, parts=parts, output_reserve=output_reserve
        )
    except BudgetError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


ExampleDep = Annotated[ContextExample, Depends(get_example)]
