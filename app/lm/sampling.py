"""Next-token sampling: the single implementation that every widget and ``generate`` uses.

The order of operations, each stage kept so the sampling lab can show it:

1. penalties: ``logit[t] -= frequency_penalty * count[t] + presence_penalty * (count[t] > 0)``,
   with counts over the prompt plus the tokens generated so far;
2. temperature: ``T == 0`` is greedy (all mass on the arg-max, ties to the lower id); otherwise
   ``softmax(logits / T)``, computed through log-softmax so that T = 1e-6 is still exact;
3. top-k (0 = off): keep the k most probable tokens (ties to the lower id), renormalise;
4. top-p (1 = off): sort by probability (ties to the lower id) and keep the smallest prefix whose
   cumulative probability reaches p (tolerance 1e-9), never fewer than one token;
5. renormalise, then draw with a seeded ``torch.Generator``.

Everything is float64 on the CPU: the module's worked example, top-p 0.80 on
[0.40, 0.25, 0.15, ...], must keep exactly 3 tokens although 0.40 + 0.25 + 0.15 is not exactly
0.80 in floating point. A probability of zero is a logit of -inf, and stays removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch

MAX_TEMPERATURE = 2.0
MAX_ABS_PENALTY = 2.0
# Slack for "cumulative probability reaches p": sums of float64 probabilities are off by ~1e-16.
TOP_P_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SamplingParams:
    """The knobs of the module's "Key Parameters" section."""

    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0

    def validate(self) -> SamplingParams:
        """Raise ValueError naming the first out-of-range parameter; return self when valid."""
        for name in ("temperature", "top_p", "frequency_penalty", "presence_penalty"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")
        if not 0.0 <= self.temperature <= MAX_TEMPERATURE:
            raise ValueError(f"temperature must be between 0 and {MAX_TEMPERATURE}, got {self.temperature}")
        if isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or self.top_k < 0:
            raise ValueError(f"top_k must be a whole number >= 0 (0 = off), got {self.top_k}")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1] (1 = off), got {self.top_p}")
        for name in ("frequency_penalty", "presence_penalty"):
            value = getattr(self, name)
            if not -MAX_ABS_PENALTY <= value <= MAX_ABS_PENALTY:
                raise ValueError(
                    f"{name} must be between {-MAX_ABS_PENALTY} and {MAX_ABS_PENALTY}, got {value}"
                )
        return self


@dataclass(frozen=True)
class SamplingStages:
    """Every intermediate distribution (float64 vectors over the vocabulary) of one draw."""

    logits: torch.Tensor  # as given (log p for a probability vector)
    penalized_logits: torch.Tensor
    original: torch.Tensor  # softmax(logits)
    penalized: torch.Tensor  # softmax(penalized_logits)
    tempered: torch.Tensor
    after_top_k: torch.Tensor  # renormalised
    after_top_p: torch.Tensor  # renormalised: the distribution that is sampled
    kept: list[int]  # surviving token ids, most probable first (ties: lower id first)

    @property
    def final(self) -> torch.Tensor:
        """The distribution actually sampled from (same as ``after_top_p``)."""
        return self.after_top_p


def check_logits(logits: torch.Tensor) -> torch.Tensor:
    """Return ``logits`` as a float64 CPU vector; reject NaN, +inf and all -inf."""
    logits = torch.as_tensor(logits).detach().to("cpu", torch.float64)
    if logits.dim() != 1 or logits.numel() == 0:
        raise ValueError(f"expected a non-empty vector of logits, got shape {tuple(logits.shape)}")
    if torch.isnan(logits).any() or torch.isposinf(logits).any():
        raise ValueError("logits must not contain NaN or +inf")
    if torch.isneginf(logits).all():
        raise ValueError("every token has probability zero")
    return logits


def logits_from_probs(probs: torch.Tensor | Iterable[float]) -> torch.Tensor:
    """Logits for a probability vector: ``log p``, with p = 0 giving -inf.

    Example: ``logits_from_probs([0.5, 0.5, 0.0]) -> [-0.693, -0.693, -inf]``
    """
    p = torch.as_tensor(probs, dtype=torch.float64).detach().cpu()
    if p.dim() != 1 or p.numel() == 0:
        raise ValueError(f"expected a non-empty probability vector, got shape {tuple(p.shape)}")
    if not torch.isfinite(p).all() or (p < 0).any():
        raise ValueError("probabilities must be finite and >= 0")
    if p.sum() <= 0:
        raise ValueError("probabilities must not all be zero")
    return torch.log(p)  # log(0) = -inf: a removed token stays removed


def token_counts(token_ids: Iterable[int], vocab_size: int) -> torch.Tensor:
    """How often each id occurs, as a float64 vector of length ``vocab_size``.

    Example: ``token_counts([2, 0, 2], 4) -> [1., 0., 2., 0.]``
    """
    ids = torch.as_tensor(list(token_ids), dtype=torch.long)
    return torch.bincount(ids, minlength=vocab_size).to(torch.float64)


def apply_penalties(
    logits: torch.Tensor,
    counts: torch.Tensor,
    frequency_penalty: float = 0.0,
    presence_penalty: float = 0.0,
) -> torch.Tensor:
    """``logit - frequency_penalty * count - presence_penalty * (count > 0)``.

    Example: logits [1, 1], counts [3, 0], frequency 0.5, presence 1 -> [1 - 1.5 - 1, 1] = [-1.5, 1]
    """
    counts = counts.to(logits.dtype)
    return logits - frequency_penalty * counts - presence_penalty * (counts > 0).to(logits.dtype)


def greedy(logits: torch.Tensor) -> torch.Tensor:
    """One-hot on the arg-max; a tie goes to the lower id.

    Example: ``greedy([1., 3., 3.]) -> [0., 1., 0.]``
    """
    best = logits.max()
    winner = int(torch.nonzero(logits == best)[0])
    out = torch.zeros_like(logits)
    out[winner] = 1.0
    return out


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Probabilities ``softmax(logits / T)``; ``T == 0`` means greedy.

    Example: ``apply_temperature([0., log 3], 1.0) -> [0.25, 0.75]``
    """
    if temperature == 0:
        return greedy(logits)
    # log-softmax subtracts the max first, so logits / 1e-6 neither overflows nor gives NaN.
    return torch.exp(torch.log_softmax(logits / temperature, dim=-1))


def rank_order(probs: torch.Tensor) -> torch.Tensor:
    """Token ids from most to least probable, equal probabilities in increasing id order.

    Example: ``rank_order([0.2, 0.4, 0.2, 0.2]) -> [1, 0, 2, 3]``
    """
    return torch.argsort(-probs, stable=True)


def _rank_nonzero(probs: torch.Tensor) -> torch.Tensor:
    """``rank_order`` of the tokens with probability > 0 only: the same ids in the same order as the
    front of ``rank_order(probs)``, sorting the few survivors of top-k instead of the whole vocabulary."""
    ids = torch.nonzero(probs > 0).squeeze(1)  # increasing ids, so a stable sort keeps ties by id
    return ids[torch.argsort(-probs[ids], stable=True)]


def _renormalise(probs: torch.Tensor) -> torch.Tensor:
    return probs / probs.sum()


def top_k_filter(probs: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the ``k`` most probable tokens (0 = off) and renormalise.

    Example: ``top_k_filter([0.1, 0.3, 0.3, 0.3], 2) -> [0, 0.5, 0.5, 0]``
    """
    if k <= 0 or k >= probs.numel():
        return _renormalise(probs)
    keep = rank_order(probs)[:k]
    out = torch.zeros_like(probs)
    out[keep] = probs[keep]
    return _renormalise(out)


def top_p_filter(probs: torch.Tensor, p: float) -> torch.Tensor:
    """Keep the smallest most-probable prefix whose mass reaches ``p`` (1 = off); renormalise.

    Example: ``top_p_filter([0.40, 0.25, 0.15, 0.10, 0.05, 0.03, 0.02], 0.80)`` keeps ids 0-2.
    """
    if p >= 1.0:
        return _renormalise(probs)
    order = _rank_nonzero(probs)  # zero-probability tokens add no mass, and keeping them keeps nothing
    cumulative = torch.cumsum(probs[order], dim=0)
    reached = torch.nonzero(cumulative >= p - TOP_P_TOLERANCE)
    n_keep = int(reached[0]) + 1 if reached.numel() else order.numel()
    keep = order[: max(1, n_keep)]
    out = torch.zeros_like(probs)
    out[keep] = probs[keep]
    return _renormalise(out)


def sampling_stages(
    logits: torch.Tensor,
    params: SamplingParams,
    context: Iterable[int] = (),
    *,
    counts: torch.Tensor | None = None,
) -> SamplingStages:
    """Run all five stages on ``logits``; penalties count the ``context`` token ids.

    ``counts`` (a per-id count vector) may replace ``context`` when the caller keeps it updated.
    """
    params.validate()
    logits = check_logits(logits)
    if counts is None:
        counts = token_counts(context, logits.numel())
    penalized_logits = apply_penalties(logits, counts, params.frequency_penalty, params.presence_penalty)
    tempered = apply_temperature(penalized_logits, params.temperature)
    after_top_k = top_k_filter(tempered, params.top_k)
    after_top_p = top_p_filter(after_top_k, params.top_p)
    kept = _rank_nonzero(after_top_p).tolist()
    return SamplingStages(
        logits=logits,
        penalized_logits=penalized_logits,
        original=torch.softmax(logits, dim=-1),
        penalized=torch.softmax(penalized_logits, dim=-1),
        tempered=tempered,
        after_top_k=after_top_k,
        after_top_p=after_top_p,
        kept=kept,
    )


def stages_from_probs(
    probs: torch.Tensor | Iterable[float],
    params: SamplingParams,
    context: Iterable[int] = (),
) -> SamplingStages:
    """``sampling_stages`` for a user-given probability vector (logits = log p)."""
    return sampling_stages(logits_from_probs(probs), params, context)


def sample(probs: torch.Tensor, generator: torch.Generator) -> int:
    """Draw one id: u ~ U[0, 1) from ``generator``, then walk the cumulative probabilities."""
    probs = torch.as_tensor(probs, dtype=torch.float64).cpu()
    cdf = torch.cumsum(probs, dim=0)
    u = torch.rand((), generator=generator, dtype=torch.float64) * cdf[-1]
    # right=True: a zero-probability token has the same cumulative value as the one before it,
    # so no u can land on it.
    token = int(torch.searchsorted(cdf, u, right=True))
    last_possible = int(torch.nonzero(probs > 0)[-1])
    return min(token, last_possible)


def entropy_bits(probs: torch.Tensor | Iterable[float]) -> float:
    """Shannon entropy in bits, ignoring zero-probability tokens.

    Example: ``entropy_bits([0.5, 0.5]) -> 1.0``; ``entropy_bits([1.0, 0.0]) -> 0.0``
    """
    p = torch.as_tensor(probs, dtype=torch.float64)
    p = p[p > 0]
    return float(-(p * torch.log2(p)).sum()) + 0.0  # + 0.0 turns -0.0 into 0.0
