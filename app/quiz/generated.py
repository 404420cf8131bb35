"""Generated questions: fresh numbers from a seed at every attempt, checked with the lab's own code.

A seed fixes every number, so a reload shows the same question and grading is reproducible. Token counts
come from the lab's encodings (app/tokenizer), prices from the model catalog (app/catalog), nucleus
sizes and temperature softmax from app/lm/sampling.py: the same code the widgets run.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from app.catalog.models import ModelCatalog
from app.lm.sampling import SamplingParams, apply_temperature, stages_from_probs
from app.tokenizer.display import show_whitespace
from app.tokenizer.encodings import EncodingRegistry

SEED_MAX = 2**31 - 1


class Piece(Protocol):
    """A token piece as the tokenizer shows it."""

    shown_with_whitespace: str


class Tokenizer(Protocol):
    """The slice of app.tokenizer's TokenEncoding the generators use."""

    def encode(self, text: str, *, allow_special: bool) -> list[int]: ...

    def pieces(self, ids: list[int]) -> Sequence[Piece]: ...


@dataclass(frozen=True)
class ModelPrice:
    """A model's list price in US dollars per million tokens."""

    name: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float


@dataclass(frozen=True)
class GeneratorTools:
    """What the generators compute with: cl100k_base and the catalog's priced models."""

    tokenizer: Tokenizer
    prices: tuple[ModelPrice, ...]


@dataclass(frozen=True)
class GeneratedInstance:
    """One drawn question: what to show, the right number, and how it is worked out."""

    body_md: str
    answer: float
    tolerance: float
    unit: str | None
    working_md: str
    given: dict[str, Any]  # the drawn numbers, by name


def generator_tools(encodings: EncodingRegistry, catalog: ModelCatalog) -> GeneratorTools:
    """The tools from the app's encodings registry and model catalog: cl100k_base and every priced model."""
    tokenizer = encodings.get("cl100k_base")
    if tokenizer is None:
        raise LookupError("the encodings registry has no cl100k_base")
    prices = tuple(
        ModelPrice(model.name, model.input_usd_per_mtok, model.output_usd_per_mtok)
        for model in catalog.models
        if model.input_usd_per_mtok is not None and model.output_usd_per_mtok is not None
    )
    return GeneratorTools(tokenizer=tokenizer, prices=prices)


def new_seed() -> int:
    """A fresh seed for a new attempt."""
    return random.SystemRandom().randint(0, SEED_MAX)


# Short texts in the spirit of the lesson's "Token Examples": words, code, numbers, other scripts.
TOKEN_TEXTS = (
    "Hello, world!",
    "implementation details",
    "XMLHttpRequest.open()",
    "The cat sat on the mat.",
    "Tokenization is not free.",
    "price: $1,234.56",
    "def add(a, b): return a + b",
    "こんにちは世界",
    "2026-11-28T19:00:00Z",
    "unbelievably",
    "GPT-4o costs less than o1.",
    "    indented line",
    "<|endoftext|>Next document",
    "naïve café résumé",
    "for i in range(10):",
    "123456789",
)


def token_count(rng: random.Random, tools: GeneratorTools) -> GeneratedInstance:
    """How many cl100k_base tokens the shown tokenization of a short text has."""
    text = rng.choice(TOKEN_TEXTS)
    ids = tools.tokenizer.encode(text, allow_special=True)
    pieces = [piece.shown_with_whitespace for piece in tools.tokenizer.pieces(ids)]
    shown = " | ".join(f"`{piece}`" for piece in pieces)
    body = f"Text: `{text}`\n\ncl100k_base splits it into (· is a space): {shown}"
    return GeneratedInstance(
        body_md=body,
        answer=len(ids),
        tolerance=0,
        unit="tokens",
        working_md=f"cl100k_base gives {len(ids)} token ids for this text: one per piece shown.",
        given={"text": text},
    )


NEXT_TOKENS = (" the", " a", " cat", " dog", " model", " token", " blue", " sky", " runs", " and", " of", ".")


TOP_P_VALUES = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def _distribution(rng: random.Random, size: int) -> list[int]:
    """`size` distinct whole percentages that add up to 100."""
    while True:
        cuts = sorted(rng.sample(range(1, 100), size - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        if len(set(parts)) == size:
            return parts


def nucleus_size(rng: random.Random, tools: GeneratorTools) -> GeneratedInstance:
    """How many tokens top-p keeps from a small next-token distribution."""
    size = rng.randint(5, 7)
    percents = _distribution(rng, size)
    tokens = rng.sample(NEXT_TOKENS, size)
    top_p = rng.choice(TOP_P_VALUES)
    stages = stages_from_probs([p / 100 for p in percents], SamplingParams(top_p=top_p))
    rows = "\n".join(
        f"| `{show_whitespace(token)}` | {percent}% |"
        for token, percent in zip(tokens, percents, strict=True)
    )
    table = f"| Token | Probability |\n|---|---|\n{rows}"
    body = f"top-p = {top_p:g}. The next-token distribution (· is a space):\n\n{table}"
    kept = [f"{percents[i]}%" for i in stages.kept]
    return GeneratedInstance(
        body_md=body,
        answer=len(stages.kept),
        tolerance=0,
        unit="tokens",
        working_md=(
            f"Sorted by probability, the running total first reaches {top_p:g} after "
            f"{' + '.join(kept)}: {len(stages.kept)} token{'s' if len(stages.kept) > 1 else ''} kept."
        ),
        given={"percents": percents, "top_p": top_p},
    )


CONTEXT_LENGTHS = (1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)


def _k(n: int) -> str:
    return f"{n // 1024}K"


def attention_cost_ratio(rng: random.Random, tools: GeneratorTools) -> GeneratedInstance:
    """How many times more attention work a longer context costs: (n2 / n1)²."""
    n1, n2 = sorted(rng.sample(CONTEXT_LENGTHS, 2))
    ratio = (n2 / n1) ** 2
    body = f"Short context: {_k(n1)} tokens. Long context: {_k(n2)} tokens."
    return GeneratedInstance(
        body_md=body,
        answer=ratio,
        tolerance=0,
        unit="×",
        working_md=f"({_k(n2)} / {_k(n1)})² = {n2 // n1}² = {ratio:g}×.",
        given={"short": n1, "long": n2},
    )


INPUT_TOKENS = (800, 1_500, 2_000, 4_000, 12_000, 25_000, 50_000, 120_000)
OUTPUT_TOKENS = (150, 300, 500, 1_000, 2_000, 4_000)


def request_cost(rng: random.Random, tools: GeneratorTools) -> GeneratedInstance:
    """A request's cost in US dollars from its token counts and the model's catalog prices."""
    if not tools.prices:
        raise LookupError("the model catalog has no priced model")
    model = rng.choice(tools.prices)
    n_in, n_out = rng.choice(INPUT_TOKENS), rng.choice(OUTPUT_TOKENS)
    cost_in = n_in * model.input_usd_per_mtok / 1_000_000
    cost_out = n_out * model.output_usd_per_mtok / 1_000_000
    cost = cost_in + cost_out
    body = (
        f"Model: **{model.name}** at ${model.input_usd_per_mtok:g} per 1M input tokens and "
        f"${model.output_usd_per_mtok:g} per 1M output tokens. The request sends {n_in:,} input tokens "
        f"and gets {n_out:,} output tokens back. What does it cost, in US dollars?"
    )
    return GeneratedInstance(
        body_md=body,
        answer=cost,
        tolerance=max(0.0001, cost * 0.005),
        unit="$",
        working_md=(
            f"{n_in:,} × ${model.input_usd_per_mtok:g} / 1M + "
            f"{n_out:,} × ${model.output_usd_per_mtok:g} / 1M "
            f"= ${cost_in:.6g} + ${cost_out:.6g} = ${cost:.6g}."
        ),
        given={"model": model.name, "input_tokens": n_in, "output_tokens": n_out},
    )


LOGIT_SETS = ((2.0, 1.0, 0.0), (3.0, 1.0, 0.5), (1.0, 0.5, 0.0), (4.0, 2.0, 1.0), (2.5, 2.0, 0.5))
TEMPERATURES = (0.5, 0.7, 1.0, 1.5, 2.0)


def softmax_temperature(rng: random.Random, tools: GeneratorTools) -> GeneratedInstance:
    """The top token's probability, in percent, after softmax with a temperature."""
    logits = rng.choice(LOGIT_SETS)
    tokens = rng.sample(NEXT_TOKENS, len(logits))
    temperature = rng.choice(TEMPERATURES)
    probs = apply_temperature(torch.tensor(logits, dtype=torch.float64), temperature)
    top = float(probs[0]) * 100
    shown = show_whitespace(tokens[0])
    rows = "\n".join(
        f"| `{show_whitespace(token)}` | {logit:g} |" for token, logit in zip(tokens, logits, strict=True)
    )
    body = (
        f"Temperature T = {temperature:g}. The logits (· is a space):\n\n"
        f"| Token | Logit |\n|---|---|\n{rows}\n\n"
        f"What probability does `{shown}` get, in percent?"
    )
    scaled = ", ".join(f"{logit / temperature:.3g}" for logit in logits)
    return GeneratedInstance(
        body_md=body,
        answer=top,
        tolerance=1.0,
        unit="%",
        working_md=f"Divide by T: [{scaled}]; softmax gives `{shown}` {top:.1f}% (±1 counts).",
        given={"logits": list(logits), "temperature": temperature},
    )


GENERATORS: dict[str, Callable[[random.Random, GeneratorTools], GeneratedInstance]] = {
    "token_count": token_count,
    "nucleus_size": nucleus_size,
    "attention_cost_ratio": attention_cost_ratio,
    "request_cost": request_cost,
    "softmax_temperature": softmax_temperature,
}


def generate(generator: str, seed: int, tools: GeneratorTools) -> GeneratedInstance:
    """The instance of `generator` that `seed` fixes; the same seed always gives the same numbers."""
    return GENERATORS[generator](random.Random(seed), tools)
