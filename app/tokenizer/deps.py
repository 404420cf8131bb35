"""Annotated dependencies of the tokenizer feature: the encodings loaded at start-up."""

from typing import Annotated

from fastapi import Depends, Request

from app.tokenizer.encodings import EncodingRegistry


# async: a plain read of app.state, which FastAPI would otherwise send through its thread pool.
async def get_encodings(request: Request) -> EncodingRegistry:
    """The encodings loaded at start-up."""
    return request.app.state.encodings


async def get_max_chars(request: Request) -> int:
    """The longest text to tokenize (settings.max_tokenize_chars)."""
    return request.app.state.settings.max_tokenize_chars


EncodingsDep = Annotated[EncodingRegistry, Depends(get_encodings)]
MaxCharsDep = Annotated[int, Depends(get_max_chars)]
