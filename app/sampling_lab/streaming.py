"""Generation as server-sent events, shared by the JSON API and the page's EventSource."""

from collections.abc import Iterator, Sequence

from fastapi import HTTPException
from fastapi.sse import ServerSentEvent

from app.labmodel.service import token_label
from app.lm.checkpoint import LabModel
from app.lm.generate import GenerationEnd, GenerationEvent, GenerationStart, TextDelta, stream_generate
from app.lm.sampling import SamplingParams

Started = tuple[GenerationStart, Iterator[GenerationEvent]]


def started_generation(
    lab: LabModel,
    prompt: str,
    *,
    params: SamplingParams,
    max_tokens: int,
    stop: Sequence[str],
    seed: int | None,
) -> Started:
    """Start generating and draw the first event, so bad arguments are a 422 before any streaming."""
    events = stream_generate(
        lab.model, lab.tokenizer, prompt, max_tokens=max_tokens, params=params, stop=stop, seed=seed
    )
    try:
        first = next(events)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    assert isinstance(first, GenerationStart)
    return first, events


def sse_events(
    start: GenerationStart, events: Iterator[GenerationEvent], lab: LabModel
) -> Iterator[ServerSentEvent]:
    """`start`, then one `token` event per sampled token (with the text it released), then `end`."""
    yield ServerSentEvent(event="start", data={"truncated": start.truncated, "seed": start.seed})
    for event in events:
        if isinstance(event, TextDelta):
            yield ServerSentEvent(
                event="token",
                data={"id": event.token_id, "text": event.text, "token": token_label(lab, event.token_id)},
            )
        elif isinstance(event, GenerationEnd):
            yield ServerSentEvent(
                event="end",
                data={
                    "finish_reason": event.finish_reason,
                    "text": event.text,
                    "stop_sequence": event.stop_sequence,
                    "tokens": len(event.token_ids),
                },
            )
