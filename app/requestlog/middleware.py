"""The access log: one line per request with its id, method, route, path, status and duration.

It replaces uvicorn's own access log (`python -m app` turns that off), so each request logs once.
"""

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.requestlog.request_id import HEADER, request_id_from

log = logging.getLogger("app.access")


def request_id(scope: Scope) -> str | None:
    """The id the request log middleware gave this request (None outside it)."""
    return scope.get("state", {}).get("request_id")


class RequestLogMiddleware:
    """Gives each request an id (echoed as `X-Request-ID`) and logs one line when its response ends.

    The line: `<id> <client> <METHOD> <route> <path> <status> <ms>ms`, where route is the matched
    route's template (`/lessons/{slug}`) or `-`, and the query string is left out (it may hold a learner's
    text). The time runs to the last byte of the response, so a stream logs when it ends.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id_from(dict(scope.get("headers", [])).get(HEADER.encode()))
        scope.setdefault("state", {})["request_id"] = rid
        status = 500  # what the server sends if the app fails before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", None) or "-"
            client = scope.get("client")
            log.info(
                "%s %s %s %s %s %d %.1fms",
                rid,
                client[0] if client else "-",
                scope["method"],
                route,
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
