"""The app-wide dependency that rate-limits the model routes (MODEL_ROUTES) and lets the rest through."""

from fastapi import HTTPException, Request

from app.observability.metrics import REJECTED
from app.ratelimit.routes import MODEL_ROUTES


async def rate_limit(request: Request) -> None:
    """429 with Retry-After when this learner or this address has spent a limit on model requests.

    Async on purpose: the count is a few dictionary operations, so it runs on the event loop rather than
    taking a worker thread. The learner is the signed cookie's id (none yet: the address limit alone).
    """
    route = request.scope.get("route")
    if (request.method, getattr(route, "path", None)) not in MODEL_ROUTES:
        return
    limiter = request.app.state.rate_limiter
    refusal = limiter.check(
        learner_id=request.app.state.cookies.learner_id(request),
        address=request.client.host if request.client else "unknown",
    )
    if refusal is None:
        return
    REJECTED.labels(reason="rate_limited").inc()
    who = "you" if refusal.scope == "learner" else "your network address"
    raise HTTPException(
        status_code=429,
        detail=f"Too many model requests from {who} (limit {refusal.limit}). "
        f"Try again in {refusal.retry_after} s.",
        headers={"Retry-After": str(refusal.retry_after)},
    )
