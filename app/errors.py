"""Error responses: a styled page for people, JSON for the API, never a stack trace."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.templating import render

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    414: "Address too long",
    422: "That input was not accepted",
    429: "Too many requests",
    431: "Request headers too large",
    500: "Something went wrong",
    503: "Not ready yet",
}


def wants_json(request: Request) -> bool:
    """API paths and JSON clients get JSON errors; browsers get a page."""
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def validation_messages(exc: RequestValidationError) -> list[str]:
    """Readable one-line messages for each invalid field."""
    messages = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form"))
        messages.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return messages


def unreadable_json(exc: StarletteHTTPException) -> str | None:
    """Why FastAPI's 400 for a JSON body is really invalid input (a 422), or None for any other error.

    FastAPI turns json.JSONDecodeError into a 422 itself, but not a body nested too deeply for json.loads
    (RecursionError) or one that is not UTF-8 (UnicodeDecodeError): those come as a bare 400.
    """
    if exc.status_code != 400:
        return None
    if isinstance(exc.__cause__, RecursionError):
        return "body: invalid JSON, nested too deeply"
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return "body: invalid JSON, not UTF-8 text"
    return None


def _error_response(request: Request, status: int, detail: object, headers: dict[str, str] | None = None):
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    message = "; ".join(detail) if isinstance(detail, list) else str(detail)
    template = "errors/_message.html" if request.headers.get("hx-request") == "true" else "errors/error.html"
    return render(
        request,
        template,
        {"status": status, "title": TITLES.get(status, "Error"), "message": message},
        status_code=status,
        headers=headers,
    )


# What a 422 from the JSON API really holds; FastAPI's schema would otherwise promise its own objects.
VALIDATION_ERROR_SCHEMA = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "title": "Detail",
            "type": "array",
            "items": {"type": "string"},
            "description": "One readable line per invalid field, such as `text: Field required`.",
        }
    },
}


def document_validation_errors(app: FastAPI) -> None:
    """Make the OpenAPI document describe the lab's 422 body ({"detail": [lines]}), not FastAPI's default."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schemas = build().get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
                schemas.pop("ValidationError", None)  # only FastAPI's default body referred to it
        return app.openapi_schema

    app.openapi = openapi


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a clean 4xx/5xx response (and document the 422)."""
    document_validation_errors(app)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = exc.detail
        if (message := unreadable_json(exc)) is not None:
            return _error_response(request, 422, [message])
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is no page at this address."
        if exc.status_code == 422 and isinstance(detail, str):
            detail = [detail]  # every 422 has the documented shape: a list of lines
        return _error_response(request, exc.status_code, detail, exc.headers)  # e.g. a 503's Retry-After

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _error_response(request, 422, validation_messages(exc))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception):
        # Starlette answers this one outside the middleware, so the id header is set here too.
        request_id = getattr(request.state, "request_id", None)
        log.exception(
            "unhandled error on %s %s (request id %s)", request.method, request.url.path, request_id
        )
        headers = {"X-Request-ID": request_id} if request_id else None
        message = "The lab hit an unexpected error. It has been logged."
        return _error_response(request, 500, message, headers)
