"""The bounded LRU of next-token logits."""

import torch

from app.labmodel.service import LogitsCache, PromptLogits


def _entry(value: float) -> PromptLogits:
    return PromptLogits(window=(1,), truncated=0, logits=torch.tensor([value]), penalty_context=(1,))


def test_evicts_the_least_recently_used():
    cache = LogitsCache(maxsize=2)
    cache.put(("m", "a"), _entry(1))
    cache.put(("m", "b"), _entry(2))
    assert cache.get(("m", "a")) is not None  # a is now the most recent
    cache.put(("m", "c"), _entry(3))
    assert cache.get(("m", "b")) is None
    assert cache.get(("m", "a")) is not None and cache.get(("m", "c")) is not None
    assert len(cache) == 2


def test_keys_include_the_model():
    cache = LogitsCache(maxsize=4)
    cache.put(("model-1", "hi"), _entry(1))
    assert cache.get(("model-2", "hi")) is None
