"""Counts and times every HTTP request by its route template, for /metrics."""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability.metrics import LATENCY, REQUESTS


def route_label(scope: Scope) -> str:
    """The matched route's template (`/lessons/{slug}`), so labels stay few whatever paths are sent."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "unmatched"


class MetricsMiddleware:
    """Records lab_http_requests_total and lab_http_request_duration_seconds for each response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = route_label(scope)
            method = scope.get("method", "GET")
            REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)
