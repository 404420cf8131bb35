"""Each live run trains in a process of its own, at a lower CPU priority, forked from a server process that
has already imported torch.

Why a process and not only a thread: a training thread shares the interpreter lock with the threads that
serve pages, and on a small model much of each step is Python holding that lock, so the other widgets
wait for it (measured: the p95 of an attention forward pass went from 20 ms idle to 32 ms beside two
training threads, and to 23 ms beside two training processes). A process also takes its lowered
priority with it, so page requests get the cores first.

The parent sends the job as one standard pickle (tensors copied, never shared with the server's model),
the child sends back ``(phase, event)`` pairs through a pipe, and a stop flag crosses the other way; a
child that does not stop soon after it is asked is killed. Nothing is written to disk. This module
imports the training library only, so the fork server that preloads it stays small.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch

from app.lm.dpo import DpoConfig, PreferencePair, sft_then_dpo
from app.lm.live import ShouldStop
from app.lm.model import GPT
from app.lm.pretrain import PretrainConfig, PretrainData, pretrain
from app.lm.sft import ChatTemplate, InstructionPair, SftConfig, supervised_finetune
from app.lm.tokenizer import LabTokenizer

log = logging.getLogger(__name__)

RUN_NICENESS = 10  # page requests first: the run's process yields the cores to the server
STOP_GRACE_SECONDS = 5.0  # a step is well under a second; a child still running after this is killed
POLL_SECONDS = 0.05

Event = tuple[str, Any]  # (phase, one of app.lm's event dataclasses)


@dataclass(frozen=True)
class ChildFailed:
    """What a child sends when its run raised: the error, for the log."""

    message: str


@dataclass(frozen=True)
class PretrainJob:
    """Pre-train a new tiny model on the prepared corpus."""

    tokenizer: LabTokenizer
    data: PretrainData
    config: PretrainConfig

    def events(self, should_stop: ShouldStop) -> Iterator[Event]:
        """The run's events, each with its phase."""
        for event in pretrain(self.tokenizer, self.data, self.config, should_stop=should_stop):
            yield "pretrain", event


@dataclass(frozen=True)
class SftJob:
    """Fine-tune a copy of the lab model (the pickle is the copy) on the SFT pairs."""

    model: GPT
    tokenizer: LabTokenizer
    pairs: tuple[InstructionPair, ...]
    template: ChatTemplate
    config: SftConfig
    question: str

    def events(self, should_stop: ShouldStop) -> Iterator[Event]:
        """The run's events, each with its phase."""
        for event in supervised_finetune(
            self.model,
            self.tokenizer,
            self.pairs,
            self.config,
            question=self.question,
            template=self.template,
            should_stop=should_stop,
        ):
            yield "sft", event


@dataclass(frozen=True)
class DpoJob:
    """SFT a copy of the lab model, freeze it as the reference, then DPO on the preference pairs."""

    model: GPT
    tokenizer: LabTokenizer
    pairs: tuple[InstructionPair, ...]
    preferences: tuple[PreferencePair, ...]
    template: ChatTemplate
    sft: SftConfig
    dpo: DpoConfig
    question: str

    def events(self, should_stop: ShouldStop) -> Iterator[Event]:
        """The run's events, each with its phase ("sft", then "dpo")."""
        return sft_then_dpo(
            self.model,
            self.tokenizer,
            self.pairs,
            self.preferences,
            self.sft,
            self.dpo,
            question=self.question,
            template=self.template,
            should_stop=should_stop,
        )


ChildJob = PretrainJob | SftJob | DpoJob


_context: multiprocessing.context.BaseContext | None = None


def process_context() -> multiprocessing.context.BaseContext:
    """A fork server that has imported this module (so torch) once; plain spawn where there is none."""
    global _context
    if _context is None:
        try:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
        except ValueError:  # no fork server on this platform
            context = multiprocessing.get_context("spawn")
        _context = context
    return _context


def child_main(payload: bytes, conn, stop) -> None:  # noqa: ANN001 - a Connection and an Event
    """Run one job in this process and send its events to the parent."""
    try:
        os.nice(RUN_NICENESS)
    except OSError:
        pass
    torch.set_num_threads(1)
    try:
        job: ChildJob = pickle.loads(payload)
        for event in job.events(stop.is_set):
            conn.send(event)
    except Exception as exc:  # the parent logs it and tells the learner
        conn.send(ChildFailed(f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def drive(job: ChildJob, on_event: Callable[[Event], None], should_stop: ShouldStop, name: str) -> None:
    """Run ``job`` in a child process, calling ``on_event`` here for each of its events, until it ends.

    ``should_stop`` is checked between events; once it is true the child is asked to stop (and killed
    if it has not within STOP_GRACE_SECONDS). Raises RuntimeError if the child failed.
    """
    context = process_context()
    receiver, sender = context.Pipe(duplex=False)
    stop = context.Event()
    payload = pickle.dumps(job)  # the standard pickle copies every tensor: nothing is shared with the server
    process = context.Process(target=child_main, args=(payload, sender, stop), name=name, daemon=True)
    process.start()
    sender.close()
    asked_at = None
    try:
        while True:
            if asked_at is None and should_stop():
                stop.set()
                asked_at = time.monotonic()
            if asked_at is not None and time.monotonic() - asked_at > STOP_GRACE_SECONDS:
                log.warning("training child %s did not stop in time: killed", process.pid)
                break
            if receiver.poll(POLL_SECONDS):
                try:
                    item = receiver.recv()
                except EOFError:
                    break  # the child has finished and closed its end
                if isinstance(item, ChildFailed):
                    raise RuntimeError(f"training run {name} failed: {item.message}")
                on_event(item)
            elif not process.is_alive() and not receiver.poll():
                break
    finally:
        stop.set()
        process.join(STOP_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
        receiver.close()
