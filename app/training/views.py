"""What a demo panel shows, built up from a run's events: numbers so far, the charts, samples and answers.

The same view object renders the empty panel on the page (before any run) and every update streamed
while a run trains, so the page and the stream share one partial per demo.
"""

import math
from dataclasses import dataclass, field

from markupsafe import Markup

from app.charts.curves import Guide, Series, line_chart
from app.lm.dpo import DpoStart, DpoStep
from app.lm.live import RunEnd, TrainStep
from app.lm.pretrain import (
    ENGLISH_LIKE_LETTERS,
    ENGLISH_LIKE_MIN_WORDS,
    ENGLISH_LIKE_PAIRS,
    ENGLISH_LIKE_WORDS,
    PretrainStart,
    Sample,
    Validation,
)
from app.lm.sft import Answer, SftStart

ENGLISH_LIKE_RULE = (
    f"of its {ENGLISH_LIKE_MIN_WORDS} or more words, at least {ENGLISH_LIKE_WORDS:.0%} are words of the "
    f"training text and at least {ENGLISH_LIKE_PAIRS:.0%} of its pairs of neighbouring words occur there "
    f"too, and at least {ENGLISH_LIKE_LETTERS:.0%} of its characters are letters"
)

# A chart keeps at most this many points per curve: enough for the eye, small enough to stream.
MAX_POINTS = 300


def thin(points: list[tuple[float, float]], limit: int = MAX_POINTS) -> list[tuple[float, float]]:
    """At most ``limit`` points, evenly spaced, always keeping the last.

    Example: ``thin([(i, i) for i in range(10)], 4)`` keeps x = 0, 3, 6, 9.
    """
    if len(points) <= limit:
        return points
    stride = math.ceil((len(points) - 1) / (limit - 1))
    kept = points[::stride]
    return kept if kept[-1] == points[-1] else [*kept, points[-1]]


def end_text(end: RunEnd | None, started: bool, seconds_cap: float) -> str:
    """One line on how the run stands or why it ended."""
    if end is None:
        return "Training…" if started else "Not started."
    if end.reason == "stopped":
        return f"Cancelled after {end.steps} steps ({end.seconds:.1f} s)."
    if end.reason == "time":
        return f"Stopped at the {seconds_cap:g} s budget after {end.steps} steps."
    return f"Finished: {end.steps} steps in {end.seconds:.1f} s."


def status_text(
    last: TrainStep | None, end: RunEnd | None, started: bool, steps: int, seconds_cap: float
) -> str:
    """A run's status line: its step and time while training, else how it ended (or that it has not begun)."""
    if end is None and last is not None:
        return f"Step {last.step} of {steps} · {last.seconds:.1f} s of {seconds_cap:g} s"
    return end_text(end, started, seconds_cap)


@dataclass
class PretrainView:
    """The live pre-training panel."""

    steps: int
    max_seconds: float
    uniform_loss: float
    unigram_loss: float
    start: PretrainStart | None = None
    losses: list[tuple[float, float]] = field(default_factory=list)
    val_losses: list[tuple[float, float]] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    last: TrainStep | None = None
    end: RunEnd | None = None
    beat_unigram: tuple[int, float] | None = None  # (step, seconds) of the first validation under it
    english_like: tuple[int, float] | None = None  # (step, seconds) of the first English-like sample

    def add(self, event: object) -> bool:
        """Take one event; True when it should be shown at once (anything but a plain step)."""
        seconds = self.last.seconds if self.last else 0.0
        if isinstance(event, PretrainStart):
            self.start = event
            self.val_losses.append((0, event.val_loss))
        elif isinstance(event, TrainStep):
            self.last = event
            self.losses.append((event.step, event.loss))
            return False
        elif isinstance(event, Validation):
            self.val_losses.append((event.step, event.val_loss))
            if self.beat_unigram is None and event.val_loss < self.unigram_loss:
                self.beat_unigram = (event.step, seconds)
        elif isinstance(event, Sample):
            self.samples.append(event)
            if self.english_like is None and event.english_like:
                self.english_like = (event.step, seconds)
        elif isinstance(event, RunEnd):
            self.end = event
        return True

    @property
    def status(self) -> str:
        """The panel's status line."""
        return status_text(self.last, self.end, self.start is not None, self.steps, self.max_seconds)

    def chart(self) -> Markup:
        """Training loss per step and validation loss, against the uniform and unigram baselines."""
        return line_chart(
            "pretrain-loss",
            "Pre-training loss",
            [
                Series("training loss (batch)", thin(self.losses), "curve-train"),
                Series("validation loss", self.val_losses, "curve-val", dots=True),
            ],
            [
                Guide("unigram baseline", self.unigram_loss, "guide-unigram"),
                Guide("uniform guess (ln V)", self.uniform_loss, "guide-uniform"),
            ],
            x_max=self.steps,
            y_label="loss (nats/token)",
        )


@dataclass
class SftView:
    """The live fine-tuning panel: loss on response tokens, and the base and tuned answers."""

    steps: int
    max_seconds: float
    template: str
    question: str
    chart_id: str = "sft-loss"
    start: SftStart | None = None
    losses: list[tuple[float, float]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    last: TrainStep | None = None
    end: RunEnd | None = None

    def add(self, event: object) -> bool:
        """Take one event; True when it should be shown at once."""
        if isinstance(event, SftStart):
            self.start = event
        elif isinstance(event, TrainStep):
            self.last = event
            self.losses.append((event.step, event.loss))
            return False
        elif isinstance(event, Answer):
            self.answers.append(event)
        elif isinstance(event, RunEnd):
            self.end = event
        return True

    @property
    def base_answer(self) -> Answer | None:
        """The answer before any fine-tuning."""
        return next((a for a in self.answers if a.step == 0), None)

    @property
    def tuned_answer(self) -> Answer | None:
        """The latest answer after some fine-tuning."""
        return next((a for a in reversed(self.answers) if a.step > 0), None)

    @property
    def status(self) -> str:
        """The panel's status line."""
        return status_text(self.last, self.end, self.start is not None, self.steps, self.max_seconds)

    def chart(self) -> Markup:
        """The SFT loss (mean cross-entropy over response tokens) per step."""
        return line_chart(
            self.chart_id,
            "Fine-tuning loss on response tokens",
            [Series("loss on response tokens", thin(self.losses), "curve-train", dots=len(self.losses) < 60)],
            x_max=self.steps,
            y_label="loss (nats/token)",
        )


@dataclass
class DpoView:
    """The live preference panel: an SFT phase, then DPO loss, margin and KL to the reference."""

    sft: SftView
    steps: int
    max_seconds: float
    beta: float
    question: str
    start: DpoStart | None = None
    points: list[DpoStep] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    end: RunEnd | None = None

    def add(self, event: object) -> bool:
        """Take one event of the DPO phase; True when it should be shown at once."""
        if isinstance(event, DpoStart):
            self.start = event
        elif isinstance(event, DpoStep):
            self.points.append(event)
            return False
        elif isinstance(event, Answer):
            self.answers.append(event)
        elif isinstance(event, RunEnd):
            self.end = event
        return True

    @property
    def phase(self) -> str:
        """ "waiting", "sft" or "dpo"."""
        if self.start is not None:
            return "dpo"
        return "sft" if self.sft.start is not None else "waiting"

    @property
    def reference_answer(self) -> Answer | None:
        """The SFT model's answer, before DPO."""
        return next((a for a in self.answers if a.step == 0), None)

    @property
    def policy_answer(self) -> Answer | None:
        """The answer after the DPO steps."""
        return next((a for a in reversed(self.answers) if a.step > 0), None)

    @property
    def last(self) -> DpoStep | None:
        """The latest DPO step."""
        return self.points[-1] if self.points else None

    @property
    def status(self) -> str:
        """The panel's status line."""
        if self.phase == "sft" and self.sft.end is None:
            return f"Phase 1, SFT for the reference: {self.sft.status}"
        last = self.last
        if self.end is None and last is not None:
            return f"Phase 2, DPO: step {last.step} of {self.steps} · {last.seconds:.1f} s"
        if self.end is None and self.sft.end is not None and self.sft.end.reason == "stopped":
            return end_text(self.sft.end, True, self.max_seconds)
        return end_text(self.end, self.sft.start is not None, self.max_seconds)

    def loss_chart(self) -> Markup:
        """DPO loss and the KL to the reference, per step, with log 2 (the loss of an unchanged policy)."""
        return line_chart(
            "dpo-loss",
            "DPO loss and KL to the reference",
            [
                Series("DPO loss", [(p.step, p.loss) for p in self.points], "curve-train", dots=True),
                Series(
                    "KL(policy || reference) per token", [(p.step, p.kl) for p in self.points], "curve-kl"
                ),
            ],
            [Guide("log 2: policy = reference", math.log(2), "guide-uniform")],
            x_max=self.steps,
            y_label="nats",
        )

    def margin_chart(self) -> Markup:
        """log p(chosen) - log p(rejected) of the policy per step, against where the reference stands."""
        guides = (
            [Guide("reference (SFT) margin", self.start.reference_margin, "guide-unigram")]
            if self.start
            else []
        )
        return line_chart(
            "dpo-margin",
            "Chosen-minus-rejected log-probability margin",
            [Series("policy margin", [(p.step, p.margin) for p in self.points], "curve-val", dots=True)],
            guides,
            x_max=self.steps,
            y_label="nats (mean over pairs)",
        )
