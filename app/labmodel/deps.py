"""Dependencies for the features that run the lab's model."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.labmodel.service import LogitsCache
from app.lm.checkpoint import LabModel


# async: plain reads of app.state, which FastAPI would otherwise send through its thread pool.
async def get_lab_model(request: Request) -> LabModel:
    """The checkpoint loaded at start-up."""
    return request.app.state.lab_model


async def get_logits_cache(request: Request) -> LogitsCache:
    """The app's next-token logits cache."""
    return request.app.state.logits_cache


def check_prompt_size(request: Request, text: str) -> str:
    """413 when a prompt is longer than the configured limit (MAX_PROMPT_CHARS)."""
    limit = request.app.state.settings.max_prompt_chars
    if len(text) > limit:
        raise HTTPException(
            status_code=413, detail=f"The text is {len(text):,} characters; the limit is {limit:,}."
        )
    return text


LabModelDep = Annotated[LabModel, Depends(get_lab_model)]
LogitsCacheDep = Annotated[LogitsCache, Depends(get_logits_cache)]
