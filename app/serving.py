"""How uvicorn serves the lab: its HTTP protocol and options, shared by `python -m app` and any launcher.

- `h11_max_incomplete_event_size=PARSER_LIMIT` (256 KiB, up from h11's 16 KiB): every request head up to
  it is parsed and reaches HeadLimitMiddleware, which answers 414 or 431 past the app's own limits (8 KiB
  target, 8 KiB field, 16 KiB of fields). How much of a head arrives in one read depends on the network,
  so h11's own bound alone would sometimes parse a 20 KB head and sometimes refuse it.
- Past PARSER_LIMIT the server stops reading the head. uvicorn would answer a bare 400 and close at once,
  and a client still sending gets a reset instead of the answer. LabH11Protocol answers 414 (the request
  line never ended) or 431 (the header fields did not), half-closes its side, and reads and discards what
  the client still sends for up to LINGER_SECONDS / LINGER_BYTES before closing, so the answer arrives.
- `access_log=False`: the app logs each request itself, with its request id (app/requestlog).

With uvicorn's command line: `--http app.serving:LabH11Protocol --h11-max-incomplete-event-size 262144
--no-access-log`.
"""

import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from app.security.head_limits import PARSER_LIMIT

LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


def _oversized_head_response(buffered: bytes) -> bytes:
    """The raw 414 or 431 for a head longer than PARSER_LIMIT, by whether its request line ended."""
    if b"\r\n" not in buffered and b"\n" not in buffered:
        status, reason, what = 414, "URI Too Long", "The request line"
    else:
        status, reason, what = 431, "Request Header Fields Too Large", "The request head"
    body = json.dumps({"detail": f"{what} is longer than the server reads ({PARSER_LIMIT:,} bytes)."})
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n{body}"
    ).encode()


class LabH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering 414/431 to a head past the parser's bound without a reset."""

    _lingering = False
    _discarded = 0

    def send_400_response(self, msg: str) -> None:
        """h11 refused the data: past the bound, answer 414/431 and linger; otherwise uvicorn's 400."""
        buffered, _ = self.conn.trailing_data
        if len(buffered) <= PARSER_LIMIT:
            super().send_400_response(msg)
            return
        self.logger.warning("Request head longer than %d bytes refused.", PARSER_LIMIT)
        self.transport.write(_oversized_head_response(buffered))
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def data_received(self, data: bytes) -> None:
        if self._lingering:  # the rest of a refused head: drop it, up to a bound
            self._discarded += len(data)
            if self._discarded > LINGER_BYTES:
                self.transport.close()
            return
        super().data_received(data)


def server_options() -> dict[str, Any]:
    """uvicorn.run / uvicorn.Config keyword arguments for serving the lab (also with several workers:
    the protocol is named by its import path, which every worker process resolves for itself)."""
    return {
        "http": f"{LabH11Protocol.__module__}:{LabH11Protocol.__qualname__}",
        "h11_max_incomplete_event_size": PARSER_LIMIT,
        "access_log": False,
    }
