"""Limits on the request head: 414 for a long request target, 431 for long header fields.

uvicorn's HTTP/1.1 parser (h11) buffers an incomplete request head up to a bound and then gives up with a
plain 400 and a closed connection, which a client still sending sees as a reset. The server raises that
bound to PARSER_LIMIT (app/serving.py), so every head up to it reaches this middleware, which answers with
the precise status; past PARSER_LIMIT the server itself answers (app/serving.py says how).
"""

import json

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_TARGET_BYTES = 8 * 1024  # path and query string
MAX_FIELD_BYTES = 8 * 1024  # one header field: name and value
MAX_HEADERS_BYTES = 16 * 1024  # every header field together
PARSER_LIMIT = 256 * 1024  # the most of an incomplete head the server buffers (h11_max_incomplete_event_size)


def target_size(scope: Scope) -> int:
    """Bytes of the request target as sent: the raw path, and `?query` when there is one."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    return len(raw_path) + (len(query) + 1 if query else 0)


def head_problem(scope: Scope) -> tuple[int, str] | None:
    """(414 or 431, why) for a request head past a limit; None when it is within them."""
    size = target_size(scope)
    if size > MAX_TARGET_BYTES:
        return 414, f"The address is {size:,} bytes long; the limit is {MAX_TARGET_BYTES:,}."
    total = 0
    for name, value in scope.get("headers", []):
        field = len(name) + len(value)
        if field > MAX_FIELD_BYTES:
            return 431, f"A header field is {field:,} bytes long; the limit is {MAX_FIELD_BYTES:,}."
        total += field
    if total > MAX_HEADERS_BYTES:
        return 431, f"The header fields are {total:,} bytes together; the limit is {MAX_HEADERS_BYTES:,}."
    return None


async def send_refusal(send: Send, status: int, message: str) -> None:
    """A small JSON error response; the connection closes after it."""
    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HeadLimitMiddleware:
    """Answers 414 or 431 for a request whose target or header fields are past the limits above."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (problem := head_problem(scope)) is not None:
            await send_refusal(send, *problem)
            return
        await self.app(scope, receive, send)
