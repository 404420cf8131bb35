"""The lab served by a real uvicorn in its own process, and a thin keep-alive HTTP client for benchmarks."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.config import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(
    url: str, path: str, body: dict, deadline_s: float = 300, ready: frozenset[int] = frozenset({200})
) -> float:
    """perf_counter() when POST path first answers 200, or another status in `ready` (it answers 503 while
    its model loads)."""
    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        if httpx.post(url + path, json=body, timeout=30).status_code in ready:
            return time.perf_counter()
        time.sleep(0.05)
    raise RuntimeError(f"{path} was not ready after {deadline_s} s")


def start_server(folder: Path, *, settled: bool = True) -> tuple[subprocess.Popen, str]:
    """uvicorn serving create_app() on a fresh database, in its own process; returns it and its URL.

    settled: return only once MiniLM and the lesson search index, which load in the background after
    start, are ready, so that their loading does not land inside another benchmark's timings.
    """
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{folder / 'lab.db'}",
        "VAR_DIR": str(folder),
        "SECRET_KEY": "bench",
        # A benchmark sends far more model requests a second than a learner may: time the work, not 429s.
        "RATE_LIMIT_LEARNER": "",
        "RATE_LIMIT_ADDRESS": "",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(server, url)
    if settled:
        wait_until_ready(url, "/api/search", {"query": "tokens"})
    return server, url


def wait_until_healthy(server: subprocess.Popen, url: str, deadline_s: float = 60) -> None:
    """Return once GET /healthz answers 200; stop the server and raise if it exits or never does."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"the server at {url} did not start (exit status {server.poll()})")


class Connection:
    """A keep-alive HTTP/1.1 connection from the standard library: a thin client, so that the time
    measured is the app's and not the client library's (httpx adds ~0.5 ms a request)."""

    def __init__(self, url: str) -> None:
        self._conn = http.client.HTTPConnection(url.removeprefix("http://"))
        self.server_ms: list[float] = []  # the app's own time for each response (its Server-Timing header)
        self.last_cookie: str | None = (
            None  # name=value of the last cookie set, to send back as a browser would
        )

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST and read the whole response."""
        self._conn.request("POST", path, body=body, headers=headers)
        return self._read()

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """GET and read the whole response."""
        self._conn.request("GET", path, headers=headers or {})
        return self._read()

    def _read(self) -> tuple[int, bytes]:
        response = self._conn.getresponse()
        cookie = response.getheader("set-cookie")
        if cookie:
            self.last_cookie = cookie.split(";", 1)[0]
        timing = response.getheader("server-timing", "")
        if timing.startswith("app;dur="):
            self.server_ms.append(float(timing.removeprefix("app;dur=")))
        return response.status, response.read()

    def close(self) -> None:
        """Close the socket."""
        self._conn.close()
