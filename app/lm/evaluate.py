"""Held-out evaluation: mean negative log-likelihood, perplexity and the unigram baseline.

Perplexity is ``exp(mean NLL)`` in nats per token. The baseline is an add-one smoothed unigram
model (token frequencies of the training split, no context at all): a model that beats it has
learned something from context.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from .model import GPT
from .tokenizer import LabTokenizer


def eval_windows(data: torch.Tensor, context: int) -> list[int]:
    """Start offsets of non-overlapping windows covering ``data`` (every token but the first).

    Example: ``eval_windows(torch.arange(10), 4) -> [0, 4, 8]``
    """
    return list(range(0, len(data) - 1, context))


@torch.no_grad()
def mean_nll(
    model: GPT,
    data: torch.Tensor,
    starts: list[int],
    context: int,
    device: torch.device | str = "cpu",
    batch_size: int = 32,
) -> tuple[float, int]:
    """Mean NLL (nats/token) over the windows at ``starts``, in fp32, and the tokens scored."""
    was_training = model.training
    model.eval()
    # Full-length windows go in batches; a shorter last window goes alone.
    full = [s for s in starts if s + context <= len(data) - 1]
    short = [s for s in starts if s + context > len(data) - 1]
    groups = [full[i : i + batch_size] for i in range(0, len(full), batch_size)]
    groups += [[s] for s in short]
    total, count = 0.0, 0
    for group in groups:
        length = min(context, len(data) - 1 - group[0])
        x = torch.stack([data[s : s + length] for s in group]).to(device)  # (B, T)
        y = torch.stack([data[s + 1 : s + 1 + length] for s in group]).to(device)  # (B, T)
        logits, _ = model(x)
        nll = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum")
        total += float(nll)
        count += y.numel()
    model.train(was_training)
    return total / count, count


def eval_targets(data: torch.Tensor, starts: list[int], context: int) -> torch.Tensor:
    """The target tokens that ``mean_nll`` scores for these windows, in order."""
    return torch.cat([data[s + 1 : min(s + 1 + context, len(data))] for s in starts])


def unigram_log_probs(counts: torch.Tensor) -> torch.Tensor:
    """Add-one smoothed unigram log-probabilities from per-id counts.

    Example: counts [1, 0] -> log([2/3, 1/3])
    """
    smoothed = counts.to(torch.float64) + 1.0
    return torch.log(smoothed / smoothed.sum())


def unigram_nll(train: torch.Tensor, targets: torch.Tensor, vocab_size: int) -> float:
    """Mean NLL of the add-one smoothed unigram model fitted on the training tokens."""
    counts = torch.bincount(train, minlength=vocab_size)
    return float(-unigram_log_probs(counts)[targets].mean())


def text_nll(model: GPT, tokenizer: LabTokenizer, text: str) -> tuple[float, torch.Tensor]:
    """Mean NLL of ``text`` as a document (after ``<|endoftext|>``) and the scored target ids."""
    data = torch.tensor(tokenizer.encode(text, bos=True), dtype=torch.long)
    ctx = model.config.context_length
    starts = eval_windows(data, ctx)
    device = next(model.parameters()).device
    nll, _ = mean_nll(model, data, starts, ctx, device)
    return nll, eval_targets(data, starts, ctx)


def perplexity(mean_nll_nats: float) -> float:
    """``exp(mean NLL)``.

    Example: ``perplexity(math.log(50)) -> 50.0``
    """
    return math.exp(mean_nll_nats)
