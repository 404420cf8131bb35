"""The limiter: a sliding-window count per learner and per address, kept in this process's memory.

Each worker process has its own counts, so n workers let a learner through up to n times the limit.
"""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter


def parse_limits(value: str) -> list[RateLimitItem]:
    """`"30/second;1200/minute"` as limits; an empty string is no limit. ValueError names a bad one."""
    return parse_many(value) if value.strip() else []


@dataclass(frozen=True)
class Refusal:
    """Which limit refused a request, and in how many whole seconds to try again."""

    scope: str  # "learner" or "address"
    limit: RateLimitItem
    retry_after: int


class RateLimiter:
    """Counts model requests per learner and per address; refuses one past any of their limits."""

    def __init__(self, *, per_learner: str, per_address: str) -> None:
        self._limits = {"learner": parse_limits(per_learner), "address": parse_limits(per_address)}
        self._storage = MemoryStorage()
        self._strategy = SlidingWindowCounterRateLimiter(self._storage)

    @property
    def enabled(self) -> bool:
        """False when both scopes are configured without limits."""
        return any(self._limits.values())

    def check(self, *, learner_id: str | None, address: str) -> Refusal | None:
        """Count one request against each limit in turn, or refuse it at the first one that is spent.

        One `hit` per limit (a test-then-hit would cost twice as much on every request). A refusing limit
        counts nothing, nor do the ones after it; the learner's limits come first, so a learner refused
        does not use up their address's allowance. The window's reset time gives Retry-After.
        """
        keys = ([("learner", learner_id)] if learner_id else []) + [("address", address)]
        for scope, key in keys:
            for item in self._limits[scope]:
                if not self._strategy.hit(item, scope, key):
                    reset = self._strategy.get_window_stats(item, scope, key).reset_time
                    return Refusal(scope, item, max(1, math.ceil(reset - time.time())))
        return None

    def reset(self) -> None:
        """Forget every count."""
        self._storage.reset()
