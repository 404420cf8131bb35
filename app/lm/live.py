"""What the live training runs (pre-training, SFT, DPO) have in common: their budget and shared events.

Each run is a generator of events, one or more per optimisation step. Between steps it asks a
``should_stop`` callable, so a caller on another thread can cancel it; it also stops by itself
after its step count or its wall-clock budget, whichever comes first, and says which in ``RunEnd``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch

StopReason = Literal["steps", "time", "stopped"]
ShouldStop = Callable[[], bool]


def never() -> bool:
    """The default ``should_stop``: run to the end of the budget."""
    return False


@dataclass(frozen=True)
class TrainStep:
    """One optimisation step done."""

    step: int  # 1-based
    loss: float
    learning_rate: float
    seconds: float  # wall-clock since the run started
    tokens_per_second: float  # tokens fed forward and back per wall-clock second, so far


@dataclass(frozen=True)
class RunEnd:
    """Last event of every run."""

    steps: int
    seconds: float
    tokens_per_second: float
    reason: StopReason


class Budget:
    """A run's step and time limits and its stop flag, checked between steps."""

    def __init__(self, steps: int, max_seconds: float, should_stop: ShouldStop = never) -> None:
        if steps < 1:
            raise ValueError(f"steps must be at least 1, got {steps}")
        if not max_seconds > 0:
            raise ValueError(f"max_seconds must be positive, got {max_seconds}")
        self.steps = steps
        self.max_seconds = max_seconds
        self.should_stop = should_stop
        self.started = time.perf_counter()
        self.done = 0
        self.tokens = 0

    @property
    def seconds(self) -> float:
        """Wall-clock seconds since the run started."""
        return time.perf_counter() - self.started

    def stop_reason(self) -> StopReason | None:
        """Why the run must stop before its next step, or None to go on."""
        if self.should_stop():
            return "stopped"
        if self.done >= self.steps:
            return "steps"
        if self.seconds >= self.max_seconds:
            return "time"
        return None

    def exhausted(self) -> bool:
        """True when the step count or the time budget is used up (the stop flag aside)."""
        return self.done >= self.steps or self.seconds >= self.max_seconds

    def progress(self) -> float:
        """How much of the budget is used, 0..1: the larger of the step share and the time share."""
        return min(1.0, max(self.done / self.steps, self.seconds / self.max_seconds))

    def step_done(self, loss: float, learning_rate: float, tokens: int) -> TrainStep:
        """Count one step of ``tokens`` tokens and describe it."""
        self.done += 1
        self.tokens += tokens
        seconds = self.seconds
        return TrainStep(
            step=self.done,
            loss=loss,
            learning_rate=learning_rate,
            seconds=seconds,
            tokens_per_second=self.tokens / max(seconds, 1e-9),
        )

    def end(self, reason: StopReason) -> RunEnd:
        """The closing event."""
        seconds = self.seconds
        return RunEnd(
            steps=self.done,
            seconds=seconds,
            tokens_per_second=self.tokens / max(seconds, 1e-9),
            reason=reason,
        )


def set_learning_rate(optimizer: torch.optim.Optimizer, learning_rate: float) -> None:
    """Give every parameter group the same learning rate."""
    for group in optimizer.param_groups:
        group["lr"] = learning_rate
