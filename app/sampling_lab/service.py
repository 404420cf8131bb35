"""The sampling lab: the model's next-token distribution before and after every sampling stage.

Every number comes from app.lm.sampling, the one implementation generation uses too; this module
only picks what the page and the API show.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import torch

from app.labmodel.service import LogitsCache, PromptLogits, prompt_logits, token_label
from app.lm.checkpoint import LabModel
from app.lm.sampling import (
    SamplingParams,
    SamplingStages,
    entropy_bits,
    logits_from_probs,
    rank_order,
    sample,
    sampling_stages,
    token_counts,
)

MAX_TOP = 100
MAX_CUSTOM_LENGTH = 50_000
HISTOGRAM_DRAWS = 100
# "Do not sum to 1 within 1e-6" is the rule for user-given probabilities.
PROBS_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class TokenRow:
    """One candidate next token with its probability before and after the sampling stages."""

    id: int
    text: str
    prob_before: float
    prob: float

    @property
    def kept(self) -> bool:
        """False when top-k, top-p or T = 0 removed the token."""
        return self.prob > 0


@dataclass(frozen=True)
class DistributionView:
    """The `top` most probable tokens (by the model's own distribution) and summaries of the rest."""

    rows: list[TokenRow]
    rest_before: float
    rest_after: float
    entropy_before_bits: float
    entropy_bits: float
    nucleus_size: int
    vocab_size: int
    prompt_tokens: int
    truncated: int


def _stages(entry: PromptLogits, params: SamplingParams) -> SamplingStages:
    return sampling_stages(entry.logits, params, entry.penalty_context)


def next_token_view(
    *, lab: LabModel, cache: LogitsCache, prompt: str, params: SamplingParams, top: int = 20
) -> DistributionView:
    """The model's next-token distribution for `prompt`, transformed by `params` (cached logits)."""
    if not 1 <= top <= MAX_TOP:
        raise ValueError(f"top must be between 1 and {MAX_TOP}, got {top}")
    entry = prompt_logits(lab=lab, cache=cache, prompt=prompt)
    stages = _stages(entry, params)
    ids = [int(i) for i in rank_order(stages.original)[:top]]
    rows = [
        TokenRow(
            id=i,
            text=token_label(lab, i),
            prob_before=float(stages.original[i]),
            prob=float(stages.final[i]),
        )
        for i in ids
    ]
    return DistributionView(
        rows=rows,
        rest_before=max(0.0, 1.0 - sum(row.prob_before for row in rows)),
        rest_after=max(0.0, 1.0 - sum(row.prob for row in rows)),
        entropy_before_bits=entropy_bits(stages.original),
        entropy_bits=entropy_bits(stages.final),
        nucleus_size=len(stages.kept),
        vocab_size=int(stages.original.numel()),
        prompt_tokens=len(entry.window),
        truncated=entry.truncated,
    )


@dataclass(frozen=True)
class Histogram:
    """Counts of `draws` samples per token, beside the computed probabilities."""

    draws: int
    seed: int
    counts: dict[int, int]

    def share(self, token_id: int) -> float:
        """The empirical probability of one token."""
        return self.counts.get(token_id, 0) / self.draws

    def other_share(self, shown: list[int]) -> float:
        """The empirical probability of every token not in `shown`."""
        return sum(n for i, n in self.counts.items() if i not in set(shown)) / self.draws


def sample_histogram(
    *,
    lab: LabModel,
    cache: LogitsCache,
    prompt: str,
    params: SamplingParams,
    seed: int,
    draws: int = HISTOGRAM_DRAWS,
) -> Histogram:
    """Draw `draws` next tokens from the final distribution with a seeded generator."""
    stages = _stages(prompt_logits(lab=lab, cache=cache, prompt=prompt), params)
    generator = torch.Generator().manual_seed(seed)
    counts = Counter(sample(stages.final, generator) for _ in range(draws))
    return Histogram(draws=draws, seed=seed, counts=dict(counts))


@dataclass(frozen=True)
class TransformView:
    """A user-given distribution through every stage, in input order."""

    original: list[float]
    penalized: list[float]
    tempered: list[float]
    after_top_k: list[float]
    final: list[float]
    kept: list[int]  # input indices that survive, most probable first
    entropy_bits: float


def transform_distribution(
    values: list[float],
    *,
    kind: Literal["probs", "logits"],
    params: SamplingParams,
    counts: list[int] | None = None,
) -> TransformView:
    """Run the sampling stages on a list of probabilities (summing to 1) or logits."""
    if not 1 <= len(values) <= MAX_CUSTOM_LENGTH:
        raise ValueError(f"give between 1 and {MAX_CUSTOM_LENGTH:,} values, got {len(values):,}")
    if counts is not None and len(counts) != len(values):
        raise ValueError(f"counts has {len(counts)} entries but there are {len(values)} values")
    if counts is not None and any(c < 0 for c in counts):
        raise ValueError("counts must be whole numbers >= 0")
    if kind == "probs":
        if any(v < 0 for v in values):
            raise ValueError("probabilities must be >= 0")
        total = sum(values)
        if abs(total - 1.0) > PROBS_SUM_TOLERANCE:
            raise ValueError(
                f"probabilities must sum to 1 (within {PROBS_SUM_TOLERANCE:g}); these sum to {total:.9g}"
            )
        logits = logits_from_probs(values)
    else:
        logits = torch.tensor(values, dtype=torch.float64)
    count_vector = (
        torch.tensor(counts, dtype=torch.float64) if counts is not None else token_counts([], len(values))
    )
    stages = sampling_stages(logits, params, counts=count_vector)
    return TransformView(
        original=stages.original.tolist(),
        penalized=stages.penalized.tolist(),
        tempered=stages.tempered.tolist(),
        after_top_k=stages.after_top_k.tolist(),
        final=stages.final.tolist(),
        kept=stages.kept,
        entropy_bits=entropy_bits(stages.final),
    )
