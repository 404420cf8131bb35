"""The request id: the caller's `X-Request-ID` when it is sane, else a new random one."""

import re
import uuid

HEADER = "x-request-id"
SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")  # a UUID, a trace id, a load balancer's id; nothing to escape


def new_request_id() -> str:
    """32 lower-case hex digits (a random UUID)."""
    return uuid.uuid4().hex


def request_id_from(sent: bytes | None) -> str:
    """The id sent, if it is 8-64 safe characters; otherwise a new one."""
    if sent is not None:
        text = sent.decode("latin-1")
        if SANE.fullmatch(text):
            return text
    return new_request_id()
