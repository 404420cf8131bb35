"""The sampling lab pages: sliders over a real next-token distribution, sampling, your own list."""

from collections.abc import AsyncIterator, Iterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.capacity.deps import LabModelSlot, model_slot
from app.deps import HXRequest
from app.labmodel.deps import LabModelDep, LogitsCacheDep
from app.labmodel.service import cache_key, off_loop_unless_cached
from app.lessons.extras import LessonExtras
from app.lm.generate import MAX_TOKENS_LIMIT, generate
from app.lm.sampling import SamplingParams
from app.sampling_lab import service
from app.sampling_lab.params import sampling_params
from app.sampling_lab.streaming import Started, sse_events, started_generation
from app.templating import render, render_fragment

router = APIRouter(prefix="/playground/sampling")

DEFAULT_PROMPT = "The old man walked slowly down the"
# The module's worked top-p example (Key Parameters lesson).
MODULE_EXAMPLE = "0.40, 0.25, 0.15, 0.10, 0.05, 0.03, 0.02"
# The sliders keep their state in the URL (GET): 5,000 characters is far past the 256-token context,
# enough to see truncation, and keeps a shared link short. The JSON API takes MAX_PROMPT_CHARS.
PAGE_PROMPT_CHARS = 5_000


class SliderState(BaseModel):
    """Everything the sliders set; it lives in the URL so a setting can be shared or bookmarked."""

    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(DEFAULT_PROMPT, max_length=PAGE_PROMPT_CHARS)
    temperature: float = Field(1.0, allow_inf_nan=False)
    top_p: float = Field(1.0, allow_inf_nan=False)
    top_k: int = 0
    frequency_penalty: float = Field(0.0, allow_inf_nan=False)
    presence_penalty: float = Field(0.0, allow_inf_nan=False)
    max_tokens: int = Field(40, ge=1, le=MAX_TOKENS_LIMIT)
    stop: str = Field("", max_length=400, description="One stop sequence per line; \\n means a newline.")
    seed: int = Field(42, ge=0, lt=2**63)
    embedded: bool = False

    def params(self) -> SamplingParams:
        """Validated sampling parameters; 422 with the reason when one is out of range."""
        return sampling_params(self)

    def stop_sequences(self) -> list[str]:
        """The stop field as a list: one per line, with the two characters \\n standing for a newline."""
        return [line.replace("\\n", "\n") for line in self.stop.splitlines() if line]

    def page_url(self, **changes: object) -> str:
        """The page URL for this state (with `changes` applied)."""
        state = self.model_dump(exclude={"embedded"}) | changes
        return f"/playground/sampling?{urlencode(state)}"


StateDep = Annotated[SliderState, Query()]


def distribution_context(lab, cache, state: SliderState) -> dict:  # noqa: ANN001 - LabModel, LogitsCache
    """What the bars partial draws."""
    view = service.next_token_view(lab=lab, cache=cache, prompt=state.prompt, params=state.params())
    scale = max([row.prob_before for row in view.rows] + [row.prob for row in view.rows] + [1e-9])
    return {
        "state": state,
        "view": view,
        "scale": scale,
        "context_length": lab.config.context_length,
        "page_prompt_chars": PAGE_PROMPT_CHARS,
    }


def _widget_context(lab, cache, state: SliderState) -> dict:  # noqa: ANN001
    return distribution_context(lab, cache, state) | {
        "max_tokens_limit": MAX_TOKENS_LIMIT,
        "own": custom_context(CustomState()),
    }


async def slider_slot(
    request: Request, lab: LabModelDep, cache: LogitsCacheDep, hx: HXRequest, state: StateDep
) -> AsyncIterator[None]:
    """The gate's slot for the sampling page, except for a slider move on cached logits: that is sampling
    alone, served on the event loop in about a millisecond, and must not wait behind other learners'
    forward passes. It still counts against the rate limits."""
    cached = hx and cache_key(lab, state.prompt) in cache
    async with model_slot(request, "lab", needed=not cached):
        yield


@router.get("", dependencies=[Depends(slider_slot)])
async def sampling_page(
    request: Request, lab: LabModelDep, cache: LogitsCacheDep, hx: HXRequest, state: StateDep
):
    """The sampling lab; htmx slider moves get only the bars back (the logits come from the cache)."""

    def bars():
        return render(request, "sampling/_distribution.html", distribution_context(lab, cache, state))

    def page():
        return render(request, "sampling/page.html", _widget_context(lab, cache, state))

    if hx:  # a slider move: on cached logits, about a millisecond of sampling and the bars
        return await off_loop_unless_cached(lab, cache, state.prompt, bars)
    return await run_in_threadpool(page)  # the whole page also runs the worked example: not on the loop


@router.get("/sample-one", dependencies=[LabModelSlot])
def sample_one(request: Request, lab: LabModelDep, cache: LogitsCacheDep, state: StateDep):
    """Append one sampled token to the prompt and show the next distribution (penalties now count it)."""
    params = state.params()
    seed = (state.seed + len(lab.tokenizer.encode(state.prompt))) % 2**63  # a new draw at each position
    result = generate(lab.model, lab.tokenizer, state.prompt, max_tokens=1, params=params, seed=seed)
    new_state = state.model_copy(update={"prompt": state.prompt + result.text})
    response = render(
        request,
        "sampling/_distribution.html",
        distribution_context(lab, cache, new_state) | {"appended": result, "oob_prompt": True},
    )
    if not state.embedded:
        response.headers["HX-Replace-Url"] = new_state.page_url()
    return response


@router.get("/histogram", dependencies=[LabModelSlot])
def histogram(request: Request, lab: LabModelDep, cache: LogitsCacheDep, state: StateDep):
    """Sample the next token 100 times and compare the counts with the computed probabilities."""
    context = distribution_context(lab, cache, state)
    hist = service.sample_histogram(
        lab=lab, cache=cache, prompt=state.prompt, params=state.params(), seed=state.seed
    )
    return render(request, "sampling/_histogram.html", context | {"hist": hist})


def _started_from_query(lab: LabModelDep, state: StateDep) -> Started:
    return started_generation(
        lab,
        state.prompt,
        params=state.params(),
        max_tokens=state.max_tokens,
        stop=state.stop_sequences(),
        seed=state.seed,
    )


@router.get("/stream", response_class=EventSourceResponse, dependencies=[LabModelSlot])
def stream(
    started: Annotated[Started, Depends(_started_from_query)], lab: LabModelDep
) -> Iterator[ServerSentEvent]:
    """Generation streamed to the page's EventSource (GET, because EventSource cannot POST)."""
    yield from sse_events(*started, lab)


class CustomState(BaseModel):
    """The "your own distribution" form."""

    model_config = ConfigDict(extra="ignore")

    probs: str = Field(MODULE_EXAMPLE, max_length=600_000)
    counts: str = Field("", max_length=300_000)
    temperature: float = Field(1.0, allow_inf_nan=False)
    top_k: int = 0
    top_p: float = Field(0.8, allow_inf_nan=False)
    frequency_penalty: float = Field(0.0, allow_inf_nan=False)
    presence_penalty: float = Field(0.0, allow_inf_nan=False)


def _numbers(text: str, kind: type, name: str) -> list:
    try:
        return [kind(part) for part in text.replace("\n", ",").split(",") if part.strip()]
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=f"{name}: write numbers separated by commas") from exc


def custom_context(custom: CustomState) -> dict:
    """Every stage of the sampling pipeline on the learner's own list."""
    values = _numbers(custom.probs, float, "probabilities")
    counts = _numbers(custom.counts, int, "counts") or None
    params = sampling_params(custom)
    try:
        view = service.transform_distribution(values, kind="probs", params=params, counts=counts)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return {"custom": custom, "transform": view, "given": values}


@router.get("/custom")
def custom_distribution(request: Request, hx: HXRequest, custom: Annotated[CustomState, Query()]):
    """Your own probabilities through penalties, temperature, top-k and top-p, stage by stage."""
    context = {"own": custom_context(custom)}
    if hx:
        return render(request, "sampling/_custom.html", context)
    return render(request, "sampling/custom_page.html", context)


def lesson_widget(request: Request) -> Markup:
    """The sliders embedded in the Key Parameters lesson."""
    state = SliderState(embedded=True)
    context = _widget_context(request.app.state.lab_model, request.app.state.logits_cache, state)
    return render_fragment(request, "sampling/_widget.html", context)


def lesson_custom_widget(request: Request) -> Markup:
    """The module's worked top-p example, live, in the Key Parameters lesson."""
    return render_fragment(
        request, "sampling/_custom_widget.html", {"own": custom_context(CustomState()), "embedded": True}
    )


def register_lesson_extras(extras: LessonExtras) -> None:
    """The worked top-p example beside the lesson's own, and the live sliders after all the parameters."""
    extras.register("key-parameters", "top-p-nucleus-sampling", lesson_custom_widget, shared=True)
    extras.register("key-parameters", "parameter-interaction", lesson_widget, shared=True)
