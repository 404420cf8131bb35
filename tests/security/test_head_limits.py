"""Oversized request lines and headers get 414 / 431 from a real `python -m app`, never a reset.

Raw sockets, because a client library would refuse to send such requests or hide how the connection ended.
Requests are sent in 4 KiB pieces, as they cross a real network, so the server's parser sees them arrive.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.security.head_limits import PARSER_LIMIT

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory, tiny_model_dir):
    """`python -m app` in its own process on a free port; yields (port, path of its log)."""
    folder = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{folder / 'lab.db'}",
        "VAR_DIR": str(folder),
        "SECRET_KEY": "head-limits",
        "MODEL_DIR": str(tiny_model_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"python -m app did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield port, log_path
    finally:
        server.terminate()
        server.wait(timeout=20)


def exchange(port: int, request: bytes, piece: int = 4096) -> tuple[int, dict[str, str], bytes]:
    """Send the request in pieces, read the whole response; fails on a reset instead of an answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for start in range(0, len(request), piece):
            sock.sendall(request[start : start + piece])
        data = b""
        while chunk := sock.recv(65536):  # to the server's close: every answer here ends the connection
            data += chunk
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"the connection ended without a response: {data[:200]!r}"
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines[1:])}
    if "content-length" in headers:
        assert len(body) == int(headers["content-length"])
    return int(lines[0].split(" ")[1]), headers, body


def get(target: str, extra_headers: str = "") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra_headers}Connection: close\r\n\r\n".encode()


def test_a_64_kb_query_string_gets_414(served):
    status, headers, body = exchange(served[0], get("/?q=" + "a" * 65536))
    assert status == 414 and b"limit is 8,192" in body
    assert headers["x-request-id"]


def test_a_target_just_under_the_limit_is_served(served):
    status, _, _ = exchange(served[0], get("/healthz?pad=" + "a" * 8000))
    assert status == 200


def test_one_long_header_field_gets_431(served):
    status, _, body = exchange(served[0], get("/", "X-Big: " + "b" * 20_000 + "\r\n"))
    assert status == 431 and b"A header field" in body


def test_many_header_fields_together_get_431(served):
    fields = "".join(f"X-Part-{i}: {'c' * 2000}\r\n" for i in range(10))
    status, _, body = exchange(served[0], get("/", fields))
    assert status == 431 and b"together" in body


def test_a_request_line_past_the_parser_bound_gets_414_not_a_reset(served):
    # Still arriving (no end of line yet): a whole request line that lands in one read is parsed whole and
    # gets the middleware's 414 instead, so only an unfinished one reaches the parser's bound every time.
    unfinished = f"GET /?q={'a' * (PARSER_LIMIT + 50_000)}".encode()
    status, headers, body = exchange(served[0], unfinished)
    assert status == 414 and headers["connection"] == "close" and b"longer than the server reads" in body


def test_header_fields_past_the_parser_bound_get_431_not_a_reset(served):
    fields = "".join(f"X-Part-{i}: {'d' * 8000}\r\n" for i in range(40))  # 320 KB
    status, _, _ = exchange(served[0], get("/", fields))
    assert status == 431


def test_a_malformed_request_still_gets_400(served):
    status, _, _ = exchange(served[0], b"NOT HTTP AT ALL\r\n\r\n")
    assert status == 400


def test_the_app_logs_each_request_once_and_uvicorn_not_at_all(served):
    port, log_path = served
    status, headers, _ = exchange(port, get("/healthz", "X-Request-ID: served-check-0001\r\n"))
    assert status == 200 and headers["x-request-id"] == "served-check-0001"
    deadline = time.monotonic() + 5
    while "served-check-0001" not in log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [line for line in log_path.read_text().splitlines() if "/healthz" in line]
    ours = [line for line in lines if "served-check-0001" in line]
    assert len(ours) == 1 and ours[0].startswith("INFO app.access: served-check-0001 127.0.0.1 GET /healthz")
    assert not [line for line in lines if "HTTP/1.1" in line]  # no uvicorn access line
