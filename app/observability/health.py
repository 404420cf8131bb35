"""The health check's database probe: its own connection on its own thread, so it never queues behind
the request pool's connections, the worker threads or the model gate.

One probe runs at a time; callers arriving meanwhile share its answer, and an answer is reused for
`fresh_for` seconds, so a flood of health checks costs one query a second. A database that does not
answer within `timeout` seconds is reported down (503) rather than waited for.
"""

import asyncio
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool


@dataclass(frozen=True)
class DatabaseHealth:
    """The last probe's answer."""

    ok: bool
    detail: str
    checked_at: float


def _probe_engine(database_url: str, timeout: float) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connect_args = {"timeout": timeout, "check_same_thread": False}
    else:  # psycopg, and any libpq-based driver
        connect_args = {"connect_timeout": max(1, round(timeout))}
    # NullPool: a fresh connection per probe, so a pool emptied by the requests cannot hold it up.
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


class DatabaseProbe:
    """`SELECT 1` on a dedicated connection and thread, answered within `timeout` seconds."""

    def __init__(self, database_url: str, *, timeout: float = 2.0, fresh_for: float = 1.0) -> None:
        self.timeout = timeout
        self.fresh_for = fresh_for
        self._engine = _probe_engine(database_url, timeout)
        self._executor: ThreadPoolExecutor | None = None  # made on the first probe, again after close()
        self._lock = threading.Lock()
        self._running: Future[DatabaseHealth] | None = None
        self._last: DatabaseHealth | None = None

    def _query(self) -> DatabaseHealth:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", said in one line
            return DatabaseHealth(False, f"database error: {type(exc).__name__}", time.monotonic())
        return DatabaseHealth(True, "ok", time.monotonic())

    def _probe(self) -> Future[DatabaseHealth]:
        with self._lock:
            if self._running is None or self._running.done():
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
                self._running = self._executor.submit(self._query)
                self._running.add_done_callback(self._remember)
            return self._running

    def _remember(self, future: Future[DatabaseHealth]) -> None:
        if not future.cancelled() and future.exception() is None:
            self._last = future.result()

    async def check(self) -> DatabaseHealth:
        """A recent enough answer, or a new probe's, or "did not answer" after `timeout` seconds."""
        last = self._last
        if last is not None and time.monotonic() - last.checked_at < self.fresh_for:
            return last
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._probe())), self.timeout)
        except TimeoutError:
            return DatabaseHealth(
                False, f"database did not answer within {self.timeout:g} s", time.monotonic()
            )

    def close(self) -> None:
        """Stop the probe thread (not waiting for a probe in progress) and drop the engine's connections.

        The probe still answers afterwards, on a new thread: an app whose lifespan ends and starts again
        (a test client opened twice on one app) keeps a working /healthz.
        """
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        self._engine.dispose()
