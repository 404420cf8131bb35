"""The tokenizer's JSON API: list the encodings, tokenize text. It changes no state: no cookie, no CSRF."""

import json
from functools import partial

from fastapi import APIRouter, HTTPException, Response
from starlette.concurrency import run_in_threadpool

from app.tokenizer.deps import EncodingsDep, MaxCharsDep
from app.tokenizer.schemas import EncodingOut, TokenizeRequest, TokenizeResponse
from app.tokenizer.service import TextTooLongError, Tokenization, UnknownEncodingError, tokenize

router = APIRouter(prefix="/api", tags=["tokenizer"])

ERRORS = {
    413: {"description": "The text is longer than the limit.", "content": {"application/json": {}}},
    422: {"description": "Invalid JSON, wrong types, extra fields or an unknown encoding."},
}


def tokenization_json(result: Tokenization) -> bytes:
    """The TokenizeResponse body, joined from each token's JSON, which is serialised once per token id.

    Equivalent to TokenizeResponse(...).model_dump_json() (a test checks), without building and
    validating one model per token: that keeps the API within a couple of ms of tiktoken itself.
    """
    head = f'{{"encoding":{json.dumps(result.encoding)},"count":{result.count},"tokens":['
    return (head + ",".join(piece.api_json for piece in result.pieces) + "]}").encode("utf-8")


INLINE_CHARS = 20_000


@router.get("/encodings", response_model=list[EncodingOut], summary="List the encodings")
async def list_encodings(registry: EncodingsDep) -> list[EncodingOut]:
    """Every encoding the lab can tokenize with, its vocabulary size and where it was loaded from."""
    return [EncodingOut(name=e.name, vocab_size=e.vocab_size, source=e.source) for e in registry]


@router.post("/tokenize", response_model=TokenizeResponse, summary="Tokenize text", responses=ERRORS)
async def tokenize_text(body: TokenizeRequest, registry: EncodingsDep, max_chars: MaxCharsDep) -> Response:
    """Split text into tokens: each token's id, text and bytes (hex). Empty text has zero tokens."""
    job = partial(
        tokenize,
        registry=registry,
        encoding=body.encoding,
        text=body.text,
        allow_special=body.allow_special,
        max_chars=max_chars,
    )
    # A few KB take well under a millisecond: run them here, where a thread-pool hop would add ~0.4 ms.
    # Long texts go to the pool: 100,000 characters of CJK and emoji take o200k_base 100-400 ms, which
    # on the event loop would stall every other request.
    try:
        result = job() if len(body.text) <= INLINE_CHARS else await run_in_threadpool(job)
    except UnknownEncodingError as exc:
        raise HTTPException(status_code=422, detail=[f"encoding: {exc}"]) from exc
    except TextTooLongError as exc:
        raise HTTPException(status_code=413, detail=str(exc)) from exc
    return Response(content=tokenization_json(result), media_type="application/json")
