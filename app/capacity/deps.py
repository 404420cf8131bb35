"""The model gate as FastAPI dependencies: a route that runs a model names one in its decorator.

    @router.post("/attention", dependencies=[LabModelSlot])

The slot is taken on the event loop before the endpoint runs (a queued request holds no worker thread)
and given back by the dependency's exit, which FastAPI runs once the response has been sent: so a
streamed generation (server-sent events) holds its slot for as long as it generates, and a client that
goes away ends the stream and frees the slot. Before the slot, the request counts against the learner's
and the address's rate limits (app/ratelimit/): past them, 429 with Retry-After. Past the queue the
request gets 503 with Retry-After before any work: JSON under /api/, the error partial for htmx, an
error page otherwise (app/errors.py).
"""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, HTTPException, Request

from app.capacity.gate import GateBusy, ModelGate
from app.observability.metrics import MODEL_WAIT, MODEL_WORK, REJECTED
from app.ratelimit.deps import enforce_rate_limit

# "skip" as FastAPI reads a true bool from a form field.
_TRUE = frozenset({"1", "true", "on", "yes"})


def get_gate(request: Request) -> ModelGate:
    """The app's one model gate."""
    return request.app.state.model_gate


@asynccontextmanager
async def model_slot(request: Request, model: str, *, needed: bool = True) -> AsyncIterator[None]:
    """Count the request against the rate limits, then hold a slot of the gate (503 past its queue).

    `needed=False` only counts it: for a request that turns out to need no model work (a slider move on
    cached logits is a millisecond of sampling), so that it never queues behind forward passes.
    """
    enforce_rate_limit(request)
    if not needed:
        yield
        return
    gate = get_gate(request)
    queued = time.perf_counter()
    try:
        await gate.acquire()
    except GateBusy as exc:
        REJECTED.labels(reason="busy").inc()
        raise HTTPException(
            status_code=503, detail=str(exc), headers={"Retry-After": str(exc.retry_after)}
        ) from exc
    started = time.perf_counter()
    MODEL_WAIT.labels(model=model).observe(started - queued)
    try:
        yield
    finally:
        held = time.perf_counter() - started
        MODEL_WORK.labels(model=model).observe(held)
        gate.release(held)


async def lab_model_slot(request: Request) -> AsyncIterator[None]:
    """A slot for the lab's transformer (attention, next-token, generation, the forward pass)."""
    async with model_slot(request, "lab"):
        yield


async def encoder_slot(request: Request) -> AsyncIterator[None]:
    """A slot for all-MiniLM-L6-v2 (embeddings, search)."""
    async with model_slot(request, "minilm"):
        yield


async def grading_slot(request: Request) -> AsyncIterator[None]:
    """A slot for grading, only when the form carries free text to grade (choices and skips need none).

    The form was already parsed for the endpoint; reading it here costs nothing.
    """
    form = await request.form()
    text = form.get("text")
    skipped = str(form.get("skip", "")).lower() in _TRUE
    if not isinstance(text, str) or not text.strip() or skipped:
        yield
        return
    async with model_slot(request, "minilm"):
        yield


LabModelSlot = Depends(lab_model_slot)
EncoderSlot = Depends(encoder_slot)
GradingSlot = Depends(grading_slot)
