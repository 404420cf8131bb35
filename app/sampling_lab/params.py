"""Sampling parameters from a request model, or a 422 that names the one out of range."""

from typing import Protocol

from fastapi import HTTPException

from app.lm.sampling import SamplingParams


class HasSamplingFields(Protocol):
    """Anything with the five sampling knobs (the API bodies, the page's query state)."""

    temperature: float
    top_k: int
    top_p: float
    frequency_penalty: float
    presence_penalty: float


def sampling_params(source: HasSamplingFields) -> SamplingParams:
    """Validated SamplingParams; the range check is app.lm.sampling's, its message becomes the 422's."""
    try:
        return SamplingParams(
            temperature=source.temperature,
            top_k=source.top_k,
            top_p=source.top_p,
            frequency_penalty=source.frequency_penalty,
            presence_penalty=source.presence_penalty,
        ).validate()
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
