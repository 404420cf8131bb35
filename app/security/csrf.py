"""CSRF protection: every state-changing request from a page carries a token bound to its learner.

The token is an HMAC of the learner id, so it needs no storage and several workers agree on it.
htmx sends it as the `X-CSRF-Token` header (static/js/lab.js); plain forms send a `csrf_token` field.
The JSON API under /api/ changes no state and takes neither cookie nor token.
"""

import hashlib
import hmac

from fastapi import HTTPException, Request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "x-csrf-token"
FORM_FIELD = "csrf_token"
EXEMPT_PREFIXES = ("/api/",)


def csrf_token_for(secret_key: str, learner_id: str) -> str:
    """The CSRF token of one learner."""
    return hmac.new(secret_key.encode(), f"csrf:{learner_id}".encode(), hashlib.sha256).hexdigest()


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse an unsafe request whose token does not match its learner's."""
    if request.method in SAFE_METHODS or request.url.path.startswith(EXEMPT_PREFIXES):
        return
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(FORM_FIELD)
    learner_id = request.app.state.cookies.learner_id(request)
    expected = csrf_token_for(request.app.state.secret_key, learner_id) if learner_id else None
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="This form has expired. Reload the page and try again.")
