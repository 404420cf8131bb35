"""JSON API of the sampling lab (changes no state: no cookie, no CSRF token)."""

from collections.abc import Iterator
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.capacity.deps import LabModelSlot
from app.labmodel.deps import LabModelDep, LogitsCacheDep, check_prompt_size
from app.labmodel.service import off_loop_unless_cached, token_label
from app.lm.generate import GenerationEnd
from app.sampling_lab import service
from app.sampling_lab.params import sampling_params
from app.sampling_lab.schemas import (
    GeneratedToken,
    GenerateRequest,
    GenerateResponse,
    NextToken,
    NextTokenRequest,
    NextTokenResponse,
    TransformRequest,
    TransformResponse,
)
from app.sampling_lab.streaming import Started, sse_events, started_generation

router = APIRouter(prefix="/api", tags=["lab model"])


@router.post("/next-token", response_model=NextTokenResponse, dependencies=[LabModelSlot])
async def next_token(body: NextTokenRequest, request: Request, lab: LabModelDep, cache: LogitsCacheDep):
    """The model's `top` most probable next tokens, before and after the sampling stages."""
    prompt, params = check_prompt_size(request, body.prompt), sampling_params(body)
    view = await off_loop_unless_cached(
        lab,
        cache,
        prompt,
        partial(service.next_token_view, lab=lab, cache=cache, prompt=prompt, params=params, top=body.top),
    )
    return NextTokenResponse(
        tokens=[NextToken(id=r.id, text=r.text, prob_before=r.prob_before, prob=r.prob) for r in view.rows],
        entropy_bits=view.entropy_bits,
        nucleus_size=view.nucleus_size,
        truncated=view.truncated,
    )


def _started(body: GenerateRequest, request: Request, lab: LabModelDep) -> Started:
    """Validate and start the generation before any response is sent (so bad input is a 422)."""
    return started_generation(
        lab,
        check_prompt_size(request, body.prompt),
        params=sampling_params(body),
        max_tokens=body.max_tokens,
        stop=body.stop,
        seed=body.seed,
    )


StartedDep = Annotated[Started, Depends(_started)]


@router.post("/generate", response_model=GenerateResponse, dependencies=[LabModelSlot])
def generate(started: StartedDep, lab: LabModelDep) -> GenerateResponse:
    """Generate a continuation (the prompt is not repeated) with the lab's model."""
    start, events = started
    end = next(event for event in events if isinstance(event, GenerationEnd))
    return GenerateResponse(
        text=end.text,
        finish_reason=end.finish_reason,
        tokens=[GeneratedToken(id=i, text=token_label(lab, i)) for i in end.token_ids],
        truncated=end.truncated,
        seed=start.seed,
    )


@router.post("/generate/stream", response_class=EventSourceResponse, dependencies=[LabModelSlot])
def generate_stream(started: StartedDep, lab: LabModelDep) -> Iterator[ServerSentEvent]:
    """The same generation as server-sent events: `start`, one `token` per sampled token, then `end`."""
    yield from sse_events(*started, lab)


@router.post("/sampling/transform", response_model=TransformResponse)
def transform(body: TransformRequest) -> TransformResponse:
    """Run your own probabilities or logits through the lab's sampling stages, in the same order."""
    params = sampling_params(body)
    values, kind = (body.probs, "probs") if body.probs is not None else (body.logits, "logits")
    try:
        view = service.transform_distribution(values, kind=kind, params=params, counts=body.counts)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return TransformResponse(probs=view.final, kept=view.kept)
