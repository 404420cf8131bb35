"""Rate-limit a model request: called by the model gate's dependencies (app/capacity/deps.py) before a slot.

So the routes that count against the limits are exactly the routes that name a model slot in their decorator;
training runs have their own queue and name none.
"""

from fastapi import HTTPException, Request

from app.observability.metrics import REJECTED


def enforce_rate_limit(request: Request) -> None:
    """429 with Retry-After when this learner or this address has spent a limit on model requests.

    The count is a few dictionary operations, so it runs on the event loop. The learner is the signed
    cookie's id (none yet: the address limit alone).
    """
    refusal = request.app.state.rate_limiter.check(
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
