"""Runs in a child process: events come back in order, a failure is reported, stop is obeyed or enforced."""

import time
from dataclasses import dataclass

import pytest

from app.lm.live import RunEnd, TrainStep
from app.lm.pretrain import PretrainConfig, prepare_data
from app.lm.tokenizer import LabTokenizer
from app.training import worker
from tests.conftest import TINY_CORPUS


@pytest.fixture(scope="module")
def tokenizer() -> LabTokenizer:
    """A small BPE tokenizer."""
    from app.lm.bpe import train_bpe

    return LabTokenizer(train_bpe([TINY_CORPUS], vocab_size=300).ranks(), name="tiny-bpe")


def tiny_job(tokenizer: LabTokenizer, steps: int) -> worker.PretrainJob:
    """Pre-training of a very small model on the tiny corpus."""
    data = prepare_data(tokenizer, [TINY_CORPUS.replace(". ", ".\n\n")])
    config = PretrainConfig(
        steps=steps, max_seconds=60, batch_size=2, context_length=16, n_layer=1, n_head=2, n_embd=16,
        eval_every=1000, sample_every=1000, sample_tokens=4,
    )  # fmt: skip
    return worker.PretrainJob(tokenizer=tokenizer, data=data, config=config)


def test_a_child_runs_the_job_and_sends_every_event_in_order(tokenizer):
    seen = []
    worker.drive(tiny_job(tokenizer, 5), seen.append, lambda: False, "test")
    phases = {phase for phase, _ in seen}
    steps = [event.step for _, event in seen if isinstance(event, TrainStep)]
    assert phases == {"pretrain"} and steps == [1, 2, 3, 4, 5]
    assert isinstance(seen[-1][1], RunEnd) and seen[-1][1].reason == "steps"


def test_a_child_stops_when_asked(tokenizer):
    seen = []
    worker.drive(tiny_job(tokenizer, 100_000), seen.append, lambda: len(seen) > 4, "test")
    end = seen[-1][1]
    assert isinstance(end, RunEnd) and end.reason == "stopped" and end.steps < 100


@dataclass(frozen=True)
class BrokenJob:
    """A job whose run raises."""

    def events(self, should_stop):
        yield "pretrain", "one event"
        raise ValueError("no data")


@dataclass(frozen=True)
class StubbornJob:
    """A job that never looks at its stop flag."""

    def events(self, should_stop):
        yield "pretrain", "started"
        while True:
            time.sleep(0.05)


def test_a_failing_child_is_an_error_in_the_parent():
    seen = []
    with pytest.raises(RuntimeError, match="ValueError: no data"):
        worker.drive(BrokenJob(), seen.append, lambda: False, "test")
    assert seen == [("pretrain", "one event")]


def test_a_child_that_does_not_stop_is_killed(monkeypatch):
    monkeypatch.setattr(worker, "STOP_GRACE_SECONDS", 0.5)
    seen = []
    started = time.monotonic()
    worker.drive(StubbornJob(), seen.append, lambda: bool(seen), "test")
    assert seen == [("pretrain", "started")] and time.monotonic() - started < 10
