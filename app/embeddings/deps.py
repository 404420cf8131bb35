"""Dependencies of the embeddings feature: the background handles, and the API's 503 while they load."""

from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request

from app.embeddings.handle import BackgroundLoad, EncoderHandle, EncoderLoading
from app.embeddings.model import EmbeddingModelError, SentenceEncoder
from app.embeddings.search import SearchIndex

T = TypeVar("T")


# async: a plain read of app.state, which FastAPI would otherwise send through its thread pool.
async def get_encoder_handle(request: Request) -> EncoderHandle:
    """all-MiniLM-L6-v2's handle (loaded, or loading in the background)."""
    return request.app.state.sentence_encoder


async def get_search_handle(request: Request) -> BackgroundLoad[SearchIndex]:
    """The lesson search index's handle (built in the background once MiniLM is ready)."""
    return request.app.state.search_index


def ready_or_503(handle: BackgroundLoad[T]) -> T:
    """The handle's value; a 503 with Retry-After while it loads, a 503 saying why if it failed."""
    try:
        return handle.get()
    except EncoderLoading as exc:
        raise HTTPException(
            status_code=503, detail=str(exc), headers={"Retry-After": str(exc.retry_after)}
        ) from exc
    except EmbeddingModelError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc


def api_encoder(handle: Annotated[EncoderHandle, Depends(get_encoder_handle)]) -> SentenceEncoder:
    """The loaded encoder, for the JSON API."""
    return ready_or_503(handle)


def api_search_index(
    handle: Annotated[BackgroundLoad[SearchIndex], Depends(get_search_handle)],
) -> SearchIndex:
    """The built search index, for the JSON API."""
    return ready_or_503(handle)


EncoderHandleDep = Annotated[EncoderHandle, Depends(get_encoder_handle)]
SearchHandleDep = Annotated[BackgroundLoad[SearchIndex], Depends(get_search_handle)]
ApiEncoderDep = Annotated[SentenceEncoder, Depends(api_encoder)]
ApiSearchIndexDep = Annotated[SearchIndex, Depends(api_search_index)]
