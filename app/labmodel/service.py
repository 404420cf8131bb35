"""The lab's trained transformer inside the web app: loaded once, and next-token logits cached per prompt.

Moving a sampling slider must not run the model again: the prompt's logits come from a bounded LRU
keyed by (model, prompt), and only the sampling stages re-run on them.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import torch
from starlette.concurrency import run_in_threadpool

from app.lm.checkpoint import LabModel, load_lab_model
from app.lm.generate import next_token_logits, prompt_context

T = TypeVar("T")


@lru_cache(maxsize=4)
def load_model(model_dir: Path) -> LabModel:
    """Load and verify the checkpoint folder once per process (CheckpointError when it does not match)."""
    return load_lab_model(model_dir)


@dataclass(frozen=True)
class PromptLogits:
    """What the model saw for a prompt and its next-token logits."""

    window: tuple[int, ...]  # token ids fed to the model (the start token alone for an empty prompt)
    truncated: int  # prompt tokens dropped from the left to fit the context
    logits: torch.Tensor  # (vocab,) float64
    penalty_context: tuple[int, ...]  # ids the penalties count: the prompt's, never the start token


class LogitsCache:
    """A thread-safe, bounded LRU of PromptLogits keyed by (model path, prompt)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[tuple[str, str], PromptLogits] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> PromptLogits | None:
        """The cached entry, now most recently used, or None."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return entry

    def put(self, key: tuple[str, str], value: PromptLogits) -> None:
        """Store an entry, evicting the least recently used beyond maxsize."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def __contains__(self, key: tuple[str, str]) -> bool:
        """Whether the key is cached (neither a hit nor a miss, and the LRU order is left alone)."""
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        return len(self._items)


def cache_key(lab: LabModel, prompt: str) -> tuple[str, str]:
    """The LogitsCache key of a prompt for this model."""
    return (str(lab.path), prompt)


async def off_loop_unless_cached(lab: LabModel, cache: LogitsCache, prompt: str, work: Callable[[], T]) -> T:
    """`work()` inline when the prompt's logits are cached, else in the thread pool.

    On cached logits a slider move is about a millisecond of sampling: a thread-pool hop would add a
    good share of that again. A forward pass is tens of milliseconds and must not hold the event loop.
    """
    if cache_key(lab, prompt) in cache:
        return work()
    return await run_in_threadpool(work)


def prompt_logits(*, lab: LabModel, cache: LogitsCache, prompt: str) -> PromptLogits:
    """Next-token logits for `prompt`, from the cache when this model has seen it before."""
    key = cache_key(lab, prompt)
    cached = cache.get(key)
    if cached is not None:
        return cached
    context = prompt_context(lab.tokenizer, prompt, lab.config.context_length)
    entry = PromptLogits(
        window=tuple(context.window),
        truncated=context.truncated,
        logits=next_token_logits(lab.model, context.window),
        penalty_context=tuple(context.penalty_ids),
    )
    cache.put(key, entry)
    return entry


def token_label(lab: LabModel, token_id: int) -> str:
    """A token's text for display: its bytes as UTF-8 (replacement for partial characters)."""
    if token_id == lab.tokenizer.bot_id:
        return "<|endoftext|>"
    return lab.tokenizer.token_bytes(token_id).decode("utf-8", errors="replace")
