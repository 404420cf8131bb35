"""Live training runs: at most one per learner, a few at once per server, the rest waiting in order.

A run is *reserved* by the POST that starts it and *claimed* by the GET that streams it; only then
does it join the queue, so a page that never opens its stream holds nothing for long (an unclaimed
reservation expires, and the same learner's next start replaces it). A running run gets its own
daemon thread, never more than ``max_running`` at once, which calls the run's job (the training
itself runs in a child process the job drives, see worker.py); the job reports through ``Run.emit``
and checks ``Run.should_stop`` between steps. Events cross from that thread to
the stream's event loop with ``call_soon_threadsafe``. Nothing is written to disk.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

Job = Callable[["Run"], None]
RunState = Literal["reserved", "queued", "running", "finished"]
Event = tuple[str, dict[str, Any]]


class RunRefused(Exception):
    """A run cannot start now: ``status`` is the HTTP status that says why (409 or 503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(eq=False)
class Run:
    """One training run of one learner, from reservation to its last event."""

    id: str
    learner_id: str
    kind: str
    job: Job
    reserved_at: float
    cancelled: threading.Event = field(default_factory=threading.Event)
    state: RunState = "reserved"
    _loop: asyncio.AbstractEventLoop | None = None
    _queue: asyncio.Queue | None = None

    def should_stop(self) -> bool:
        """True once the run was cancelled (Cancel button, page closed, server stopping)."""
        return self.cancelled.is_set()

    def emit(self, name: str, data: dict[str, Any]) -> None:
        """Send one event to the stream, from any thread (dropped if the stream's loop is gone)."""
        self._put((name, data))

    def close(self) -> None:
        """Tell the stream that no event follows."""
        self._put(None)

    def _put(self, item: Event | None) -> None:
        if self._loop is None or self._queue is None:
            return
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the loop has closed: nobody is listening any more
            pass

    async def next_event(self) -> Event | None:
        """The next event for the stream, or None after the last one."""
        assert self._queue is not None, "claim the run before reading its events"
        return await self._queue.get()


class TrainingRuns:
    """The server's runs: reservations, the waiting queue in order, and the running ones."""

    def __init__(self, *, max_running: int, max_waiting: int, claim_seconds: float = 30.0) -> None:
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.claim_seconds = claim_seconds
        self._lock = threading.Lock()
        self._runs: dict[str, Run] = {}  # every run not yet finished
        self._waiting: deque[Run] = deque()
        self._running: set[Run] = set()
        self._threads: set[threading.Thread] = set()

    def reserve(self, learner_id: str, kind: str, job: Job) -> Run:
        """A new run for this learner, or RunRefused: one live run per learner, and a bounded queue."""
        now = time.monotonic()
        with self._lock:
            for run in list(self._runs.values()):
                unclaimed = run.state == "reserved"
                if unclaimed and (run.learner_id == learner_id or now - run.reserved_at > self.claim_seconds):
                    del self._runs[run.id]  # never streamed: expired, or replaced by this learner's new start
            mine = [r for r in self._runs.values() if r.learner_id == learner_id]
            if mine:
                raise RunRefused(
                    409,
                    f"You already have a training run going ({mine[0].kind}). "
                    "Cancel it or let it finish, then start this one.",
                )
            if len(self._runs) >= self.max_running + self.max_waiting:
                raise RunRefused(
                    503,
                    f"The lab is busy: {len(self._running)} runs are training and {len(self._waiting)} "
                    "are waiting. Try again in a minute.",
                )
            run = Run(
                id=secrets.token_urlsafe(12), learner_id=learner_id, kind=kind, job=job, reserved_at=now
            )
            self._runs[run.id] = run
            return run

    def claim(self, run_id: str, learner_id: str | None, loop: asyncio.AbstractEventLoop) -> Run | None:
        """Attach the stream to this learner's reserved run and queue it; None if there is no such run."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.learner_id != learner_id or run.state != "reserved":
                return None
            run._loop, run._queue = loop, asyncio.Queue()
            run.state = "queued"
            self._waiting.append(run)
            self._dispatch()
            return run

    def cancel(self, run_id: str, learner_id: str | None) -> bool:
        """Cancel this learner's run (True), or False when it has none by that id."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.learner_id != learner_id:
                return False
        self.stop(run)
        return True

    def stop(self, run: Run) -> None:
        """Cancel a run: a waiting one leaves the queue now, a running one stops after its current step."""
        run.cancelled.set()
        with self._lock:
            if run.state == "running":
                return  # its thread sees the flag between steps and finishes the run
            self._runs.pop(run.id, None)
            if run in self._waiting:
                self._waiting.remove(run)
                self._announce_positions()
            finished = run.state == "queued"
            run.state = "finished"
        if finished:
            run.emit("end", {"reason": "stopped", "html": ""})
            run.close()

    def get(self, run_id: str) -> Run | None:
        """A run not yet finished, by id."""
        with self._lock:
            return self._runs.get(run_id)

    def counts(self) -> dict[str, int]:
        """How many runs are running, waiting, and reserved but not yet streamed."""
        with self._lock:
            return {
                "running": len(self._running),
                "waiting": len(self._waiting),
                "reserved": sum(r.state == "reserved" for r in self._runs.values()),
            }

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel every run and wait a little for the running ones to notice."""
        with self._lock:
            runs = list(self._runs.values())
            threads = list(self._threads)
        for run in runs:
            self.stop(run)
        for thread in threads:
            thread.join(timeout)

    def _dispatch(self) -> None:
        """Start waiting runs while there is room (lock held)."""
        while self._waiting and len(self._running) < self.max_running:
            run = self._waiting.popleft()
            run.state = "running"
            self._running.add(run)
            thread = threading.Thread(
                target=self._work, args=(run,), name=f"training-{run.kind}", daemon=True
            )
            self._threads.add(thread)
            thread.start()
        self._announce_positions()

    def _announce_positions(self) -> None:
        for position, run in enumerate(self._waiting, start=1):
            run.emit("queued", {"position": position, "running": len(self._running)})

    def _work(self, run: Run) -> None:
        try:
            if not run.should_stop():
                run.job(run)
            else:
                run.emit("end", {"reason": "stopped", "html": ""})
        except Exception:  # a failed run must not take the worker's slot with it
            log.exception("training run %s (%s) failed", run.id, run.kind)
            run.emit("failed", {"message": "The training run failed on the server; the error is logged."})
        finally:
            with self._lock:
                self._running.discard(run)
                self._runs.pop(run.id, None)
                self._threads.discard(threading.current_thread())
                run.state = "finished"
                self._dispatch()
            run.close()
