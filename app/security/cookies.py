"""The signed learner cookie."""

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "lab_learner"
ONE_YEAR = 365 * 24 * 3600


class LearnerCookie:
    """Signs and reads the learner id kept in an HttpOnly, SameSite=Lax cookie."""

    def __init__(self, secret_key: str, *, secure: bool) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt="learner-cookie")
        self._secure = secure

    def learner_id(self, request: Request) -> str | None:
        """The learner id the cookie carries, or None when it is absent, tampered with or malformed."""
        raw = request.cookies.get(COOKIE_NAME)
        if not raw:
            return None
        try:
            value = self._serializer.loads(raw)
        except BadSignature:
            return None
        if not isinstance(value, str) or not value.isalnum() or len(value) != 32:
            return None
        return value

    def issue(self, request: Request, learner_id: str) -> None:
        """Ask for the signed cookie of this learner to be set on whatever response the request gets."""
        request.state.issue_learner_cookie = learner_id

    def header_value(self, learner_id: str) -> str:
        """The Set-Cookie value for this learner: signed, HttpOnly, SameSite=Lax, one year."""
        secure = "; Secure" if self._secure else ""
        value = self._serializer.dumps(learner_id)
        return f"{COOKIE_NAME}={value}; Max-Age={ONE_YEAR}; Path=/; HttpOnly; SameSite=lax{secure}"


class LearnerCookieMiddleware:
    """Sets the learner cookie that a dependency issued, on any kind of response (page, partial, redirect).

    FastAPI drops headers set on an injected Response when the endpoint returns its own Response,
    so the cookie travels through the request state instead.
    """

    def __init__(self, app: ASGIApp, cookie: LearnerCookie) -> None:
        self.app = app
        self.cookie = cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            learner_id = scope.get("state", {}).get("issue_learner_cookie")
            if message["type"] == "http.response.start" and learner_id:
                MutableHeaders(scope=message).append("set-cookie", self.cookie.header_value(learner_id))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
