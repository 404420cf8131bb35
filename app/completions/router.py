"""The completer page: one prompt, twenty seeded samples from the lab's model, T = 0, and a seed rerun."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from app.capacity.deps import LabModelSlot
from app.charts.columns import Column, column_chart
from app.completions.service import MAX_TOKENS_LIMIT, SAMPLES, Spread, sample_spread
from app.deps import HXRequest
from app.labmodel.deps import LabModelDep
from app.lessons.extras import LessonExtras
from app.lm.checkpoint import LabModel
from app.lm.sampling import MAX_TEMPERATURE, SamplingParams
from app.templating import render, render_fragment

router = APIRouter(prefix="/playground/completions")

# The lab's model puts almost all its mass on " States" here, then the samples drift apart: both at once.
DEFAULT_PROMPT = "The President of the United"
# A completion prompt, not a document: the model sees at most its context (256 tokens) of it anyway.
PROMPT_CHARS = 1_000


class SpreadState(BaseModel):
    """The form's state, kept in the URL (GET: sampling changes nothing on the server)."""

    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(DEFAULT_PROMPT, max_length=PROMPT_CHARS)
    temperature: float = Field(0.8, ge=0.0, le=MAX_TEMPERATURE, allow_inf_nan=False)
    max_tokens: int = Field(6, ge=1, le=MAX_TOKENS_LIMIT)
    seed: int = Field(42, ge=0, lt=2**63)
    embedded: bool = False


StateDep = Annotated[SpreadState, Query()]


def spread_context(lab: LabModel, state: SpreadState) -> dict:
    """Run the samples and draw the divergence chart."""
    try:
        params = SamplingParams(temperature=state.temperature).validate()
        spread = sample_spread(
            lab=lab, prompt=state.prompt, params=params, max_tokens=state.max_tokens, seed=state.seed
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    prefix = "lesson-spread" if state.embedded else "spread"
    return {"state": state, "spread": spread, "divergence_chart": _divergence_chart(spread, prefix),
            "prefix": prefix}  # fmt: skip


def _divergence_chart(spread: Spread, prefix: str) -> Markup:
    counts = spread.divergence
    return column_chart(
        f"{prefix}-divergence",
        columns=[
            Column(str(k), n, f"After {k} token{'s' if k > 1 else ''}: {n} distinct")
            for k, n in enumerate(counts, start=1)
        ],  # fmt: skip
        title=f"Distinct continuations among {len(spread.seeds)} samples, after each token",
        desc=", ".join(f"after {k}: {n}" for k, n in enumerate(counts, start=1)),
    )


def _widget_context(state: SpreadState) -> dict:
    return {"state": state, "samples": SAMPLES, "max_tokens_limit": MAX_TOKENS_LIMIT,
            "max_temperature": MAX_TEMPERATURE, "prompt_chars": PROMPT_CHARS,
            "prefix": "lesson-spread" if state.embedded else "spread"}  # fmt: skip


@router.get("", dependencies=[LabModelSlot])
def completions_page(request: Request, lab: LabModelDep, hx: HXRequest, state: StateDep):
    """The page with its samples; htmx gets only the samples partial."""
    context = spread_context(lab, state)
    if hx:
        return render(request, "completions/_spread.html", context)
    return render(request, "completions/page.html", _widget_context(state) | context)


def lesson_widget(request: Request) -> Markup:
    """The form in the Mental Models lesson; its samples load after the page (twenty generations)."""
    return render_fragment(request, "completions/_widget.html", _widget_context(SpreadState(embedded=True)))


def register_lesson_extras(extras: LessonExtras) -> None:
    """Right after the lesson says LLMs are probabilistic text completers."""
    extras.register("mental-models", "1-llms-are-probabilistic-text-completers", lesson_widget, shared=True)
