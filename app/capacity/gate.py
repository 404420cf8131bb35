"""One gate in front of every piece of model work: a few slots at once, a short queue, and "busy" past it.

A request that needs a model takes a slot; when every slot is taken it waits in a bounded queue on the
event loop (so it holds no worker thread while it waits). When the queue is full too, or the wait runs
past `max_wait`, acquiring raises GateBusy at once, which the dependency turns into 503 + Retry-After.

The gate is thread-safe and not tied to one event loop: a released slot is handed straight to the
oldest waiter through that waiter's own loop, and tests may hold slots from any thread.
"""

import asyncio
import math
import threading
from collections import deque
from dataclasses import dataclass


class GateBusy(Exception):
    """Every slot is taken and the queue is full (or the wait took too long): come back later."""

    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Waiter:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future


def _grant(future: asyncio.Future) -> None:
    if not future.done():  # a waiter cancelled meanwhile gives the slot back itself (see acquire)
        future.set_result(None)


class ModelGate:
    """`slots` pieces of model work at once, `queue` more waiting, every other request refused."""

    def __init__(self, slots: int, queue: int, *, max_wait: float = 10.0) -> None:
        if slots < 1 or queue < 0:
            raise ValueError("a gate needs at least one slot and a queue of zero or more")
        self.slots = slots
        self.queue = queue
        self.max_wait = max_wait
        self._lock = threading.Lock()
        self._in_flight = 0
        self._waiters: deque[_Waiter] = deque()
        self._mean_hold = 0.1  # seconds a slot is held, smoothed; sizes Retry-After

    @property
    def in_flight(self) -> int:
        """Slots taken now."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Requests queued for a slot now."""
        return len(self._waiters)

    def retry_after(self) -> int:
        """Whole seconds after which a refused request may find room: the queue ahead drained, 1 to 30."""
        ahead = self.waiting + self._in_flight
        return max(1, min(30, math.ceil(self._mean_hold * ahead / self.slots)))

    def _busy(self, why: str) -> GateBusy:
        seconds = self.retry_after()
        return GateBusy(seconds, f"The lab's models are busy ({why}). Try again in {seconds} s.")

    def try_acquire(self) -> bool:
        """Take a free slot without waiting; False when none is free (or others queue for one)."""
        with self._lock:
            if self._in_flight < self.slots and not self._waiters:
                self._in_flight += 1
                return True
            return False

    async def acquire(self) -> None:
        """Take a slot, waiting in the queue if there is room in it; GateBusy when there is none."""
        with self._lock:
            if self._in_flight < self.slots and not self._waiters:
                self._in_flight += 1
                return
            if len(self._waiters) >= self.queue:
                raise self._busy("every slot is taken and the queue is full")
            loop = asyncio.get_running_loop()
            waiter = _Waiter(loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.max_wait):
                await waiter.future
        except (asyncio.CancelledError, TimeoutError) as exc:
            with self._lock:
                queued = waiter in self._waiters
                if queued:
                    self._waiters.remove(waiter)
            if not queued:  # release() handed this waiter the slot just as it gave up: pass it on
                self.release()
            if isinstance(exc, TimeoutError):
                raise self._busy(f"no slot came free within {self.max_wait:g} s") from None
            raise

    def release(self, held_for: float | None = None) -> None:
        """Give a slot back: to the oldest waiter if any, else to the pool."""
        with self._lock:
            if held_for is not None:
                self._mean_hold += 0.2 * (held_for - self._mean_hold)
            while self._waiters:
                waiter = self._waiters.popleft()  # the slot passes on: in_flight stays the same
                try:
                    waiter.loop.call_soon_threadsafe(_grant, waiter.future)
                    return
                except RuntimeError:  # that waiter's event loop has closed: try the next one
                    continue
            if self._in_flight == 0:
                raise RuntimeError("release() without a slot held")
            self._in_flight -= 1
