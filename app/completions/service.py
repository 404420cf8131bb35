"""The same prompt sampled many times by the lab's model: the spread of continuations, T = 0, and seeds.

Every continuation comes from app.lm.generate.generate, the one generation path of the lab, with the
sample's own seed; nothing here samples by other means.
"""

from collections import Counter
from dataclasses import dataclass

from app.labmodel.service import token_label
from app.lm.checkpoint import LabModel
from app.lm.generate import generate
from app.lm.sampling import SamplingParams

SAMPLES = 20
# Short continuations keep 20 + 20 + 1 generations fast and still show the spread.
MAX_TOKENS_LIMIT = 12
GREEDY = SamplingParams(temperature=0.0)


@dataclass(frozen=True)
class Group:
    """Samples that continued the prompt with the same text."""

    text: str
    count: int
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class Spread:
    """`SAMPLES` continuations at the chosen settings, the same seeds at T = 0, and a seed rerun."""

    prompt: str
    params: SamplingParams
    max_tokens: int
    seeds: tuple[int, ...]
    texts: tuple[str, ...]  # one per seed, in seed order
    groups: tuple[Group, ...]  # most frequent first
    first_tokens: tuple[tuple[str, int], ...]  # the first sampled token of each sample, counted
    divergence: tuple[int, ...]  # distinct continuations after 1, 2, ... tokens
    greedy_groups: tuple[Group, ...]  # the same seeds at T = 0
    rerun_text: str  # the first seed again
    truncated: int  # prompt tokens cut from the left to fit the model's context

    @property
    def same_seed_same_text(self) -> bool:
        """True when the first seed, run again, gave the same text."""
        return self.rerun_text == self.texts[0]

    @property
    def other_seed_differs(self) -> bool:
        """True when the second seed's text differs from the first's."""
        return self.texts[1] != self.texts[0]


def group_texts(seeds: tuple[int, ...], texts: tuple[str, ...]) -> tuple[Group, ...]:
    """Identical continuations together, most frequent first (ties: the one sampled first).

    Example: seeds (1, 2, 3), texts ("a", "b", "a") -> Group("a", 2, (1, 3)), Group("b", 1, (2,))
    """
    by_text: dict[str, list[int]] = {}
    for seed, text in zip(seeds, texts, strict=True):
        by_text.setdefault(text, []).append(seed)
    ordered = sorted(by_text.items(), key=lambda item: -len(item[1]))  # stable: first-seen order on ties
    return tuple(Group(text=text, count=len(s), seeds=tuple(s)) for text, s in ordered)


def distinct_prefixes(token_ids: list[list[int]], max_tokens: int) -> tuple[int, ...]:
    """How many different continuations there are after the first k tokens, for k = 1..max_tokens.

    Example: ``distinct_prefixes([[1, 2], [1, 3], [1, 2]], 2) -> (1, 2)``
    """
    return tuple(len({tuple(ids[:k]) for ids in token_ids}) for k in range(1, max_tokens + 1))


def sample_spread(
    *, lab: LabModel, prompt: str, params: SamplingParams, max_tokens: int, seed: int, samples: int = SAMPLES
) -> Spread:
    """Continue `prompt` once per seed (seed, seed + 1, ...), again at T = 0, and rerun the first seed."""
    if not 2 <= samples <= 100:
        raise ValueError(f"samples must be between 2 and 100, got {samples}")
    seeds = tuple((seed + i) % 2**63 for i in range(samples))

    def run(p: SamplingParams, s: int):
        return generate(lab.model, lab.tokenizer, prompt, max_tokens=max_tokens, params=p, seed=s)

    results = [run(params, s) for s in seeds]
    texts = tuple(r.text for r in results)
    first = Counter(token_label(lab, r.token_ids[0]) for r in results if r.token_ids)
    # At T = 0 the seed cannot matter; running every seed anyway is the evidence, not an assumption.
    greedy_texts = texts if params.temperature == 0 else tuple(run(GREEDY, s).text for s in seeds)
    return Spread(
        prompt=prompt,
        params=params,
        max_tokens=max_tokens,
        seeds=seeds,
        texts=texts,
        groups=group_texts(seeds, texts),
        first_tokens=tuple(first.most_common()),
        divergence=distinct_prefixes([r.token_ids for r in results], max_tokens),
        greedy_groups=group_texts(seeds, greedy_texts),
        rerun_text=run(params, seeds[0]).text,
        truncated=results[0].truncated,
    )
