"""The routes that run a model, and so count against the rate limits.

Kept as one list, checked against the app's routes at start (`missing_routes`), so that a renamed route
stops the start instead of silently losing its limit. Training runs are not here: they have their own queue.
"""

from collections.abc import Iterable

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

MODEL_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        # The lab's transformer: JSON API.
        ("POST", "/api/attention"),
        ("POST", "/api/next-token"),
        ("POST", "/api/generate"),
        ("POST", "/api/generate/stream"),
        ("POST", "/api/forward"),
        ("POST", "/api/logit-lens"),
        # The lab's transformer: pages and their htmx widgets (a slider move is a GET of the sampling page).
        ("GET", "/playground/attention"),
        ("GET", "/playground/sampling"),
        ("GET", "/playground/sampling/sample-one"),
        ("GET", "/playground/sampling/histogram"),
        ("GET", "/playground/sampling/stream"),
        ("GET", "/playground/completions"),
        ("GET", "/playground/architecture"),
        ("GET", "/playground/architecture/forward"),
        ("GET", "/playground/architecture/lens"),
        # all-MiniLM-L6-v2: JSON API, the embeddings page and its widgets.
        ("POST", "/api/embeddings/similarity"),
        ("POST", "/api/search"),
        ("GET", "/playground/embeddings"),
        ("GET", "/playground/embeddings/compare"),
        ("GET", "/playground/embeddings/example"),
        ("POST", "/playground/embeddings/matrix"),
        ("GET", "/playground/embeddings/search"),
        ("GET", "/playground/embeddings/attention"),
        # Answers graded by MiniLM (free text) as they are given; drafts are saved, never graded.
        ("POST", "/quiz/questions/{question_id}/answer"),
        ("POST", "/quiz/answers/{answer_id}/follow-up"),
        ("POST", "/mock/{attempt_id}/answer"),
        ("POST", "/mock/{attempt_id}/follow-up"),
    }
)


def missing_routes(routes: Iterable[BaseRoute]) -> set[tuple[str, str]]:
    """The MODEL_ROUTES entries that match no route of the app."""
    served = {
        (method, context.path)
        for context in iter_route_contexts(list(routes))
        for method in (context.methods or ())
    }
    return set(MODEL_ROUTES) - served
