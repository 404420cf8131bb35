"""Costs from the catalog: one request on one model, every model side by side, and output/input price ratios.

The module's formula (Mental Models, 6): cost = input_tokens * input_price + output_tokens * output_price,
prices per 1M tokens. Cached input tokens are part of the input: genai-prices bills them at its cache-read
price; the module gives no cached price, so with the module's prices they cost the input price, and the
page says so.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from app.catalog.dataset import Comparison, DatasetCost, PriceDataset
from app.catalog.models import CatalogModel, ModelCatalog
from app.lessons.content import ContentError, Lesson
from app.tokenizer.encodings import EncodingRegistry
from app.tokenizer.service import replace_lone_surrogates

PriceSource = Literal["module", "genai-prices"]
MAX_TOKENS = 10**10  # more than any window: a per-request count past it is a mistake, not a workload
PER_MILLION = 1_000_000
RATIO_CLAIM = re.compile(
    r"Output tokens are typically (?P<low>\d+)-(?P<high>\d+)x more expensive than input tokens"
)


class UnknownModelError(LookupError):
    """No catalog model has that id."""

    def __init__(self, model_id: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown model '{model_id[:80]}'; choose one of: {', '.join(known)}")


class TokenCountError(ValueError):
    """Token counts that cannot describe a request."""


@dataclass(frozen=True)
class Workload:
    """One request's tokens: input (cached ones included) and output."""

    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0

    def __post_init__(self) -> None:
        for name in ("input_tokens", "output_tokens", "cached_input_tokens"):
            value = getattr(self, name)
            if not 0 <= value <= MAX_TOKENS:
                raise TokenCountError(f"{name} must be between 0 and {MAX_TOKENS:,}; got {value:,}")
        if self.cached_input_tokens > self.input_tokens:
            raise TokenCountError(
                f"cached_input_tokens ({self.cached_input_tokens:,}) are part of the input, "
                f"so they cannot exceed input_tokens ({self.input_tokens:,})"
            )

    @property
    def uncached_input_tokens(self) -> int:
        """Input tokens billed at the full input price."""
        return self.input_tokens - self.cached_input_tokens


@dataclass(frozen=True)
class ModuleCost:
    """A request priced with the module's figures, part by part, in US dollars."""

    input_usd: float  # the uncached input
    cached_input_usd: float
    output_usd: float
    cached_price: float  # per 1M tokens: the module's cached price, or its input price where it gives none
    cached_at_input_price: bool

    @property
    def total_usd(self) -> float:
        """The whole request."""
        return self.input_usd + self.cached_input_usd + self.output_usd


@dataclass(frozen=True)
class ModelCost:
    """One model's cost for a workload, from both sources, with the token counts it was priced on."""

    model: CatalogModel
    workload: Workload
    counted_from_text: bool
    module: ModuleCost | None
    dataset: DatasetCost | None
    comparison: Comparison | None

    def total(self, source: PriceSource) -> float | None:
        """The request's total from one source, or None where that source has no price."""
        cost = self.module if source == "module" else self.dataset
        return cost.total_usd if cost is not None else None


@dataclass(frozen=True)
class PriceRatio:
    """Output price over input price for one model, from each source, against the module's claimed range."""

    model: CatalogModel
    module: float | None
    dataset: float | None
    dataset_source: str | None  # e.g. "Groq", for a model priced by a host
    low: int
    high: int

    def outside(self, value: float | None) -> bool:
        """True when a ratio falls outside the module's range."""
        return value is not None and not self.low <= value <= self.high


def get_model(catalog: ModelCatalog, model_id: str) -> CatalogModel:
    """The catalog model with this id, or UnknownModelError listing the ids."""
    model = catalog.get(model_id)
    if model is None:
        raise UnknownModelError(model_id, (m.id for m in catalog.models))
    return model


def module_cost(model: CatalogModel, workload: Workload) -> ModuleCost | None:
    """The request priced with the module's figures, or None where the module gives no per-token price."""
    price_in, price_out = model.input_usd_per_mtok, model.output_usd_per_mtok
    if price_in is None or price_out is None:
        return None
    cached = model.cached_input_usd_per_mtok
    cached_price = price_in if cached is None else cached
    return ModuleCost(
        input_usd=workload.uncached_input_tokens * price_in / PER_MILLION,
        cached_input_usd=workload.cached_input_tokens * cached_price / PER_MILLION,
        output_usd=workload.output_tokens * price_out / PER_MILLION,
        cached_price=cached_price,
        cached_at_input_price=cached is None,
    )


def request_cost(
    *,
    catalog: ModelCatalog,
    dataset: PriceDataset,
    model_id: str,
    workload: Workload,
    from_text: bool = False,
) -> ModelCost:
    """One model's cost for a workload, with the module's prices and with genai-prices'."""
    model = get_model(catalog, model_id)
    return ModelCost(
        model=model,
        workload=workload,
        counted_from_text=from_text,
        module=module_cost(model, workload),
        dataset=dataset.cost(
            model.id,
            input_tokens=workload.input_tokens,
            cached_input_tokens=workload.cached_input_tokens,
            output_tokens=workload.output_tokens,
        ),
        comparison=dataset.comparison(model.id),
    )


def count_tokens(registry: EncodingRegistry, catalog: ModelCatalog, text: str) -> dict[str, int]:
    """The text's token count in each encoding the catalog counts with (special-token text is plain text)."""
    clean, _ = replace_lone_surrogates(text)
    names = dict.fromkeys(model.counted_with for model in catalog.models)
    return {name: len(registry.get(name).encode(clean, allow_special=False)) for name in names}


def every_model_cost(
    *,
    catalog: ModelCatalog,
    dataset: PriceDataset,
    workload: Workload,
    source: PriceSource,
    input_counts: dict[str, int] | None = None,
    output_counts: dict[str, int] | None = None,
) -> list[ModelCost]:
    """Every catalog model's cost, cheapest first by `source`; models without a price there come last.

    Counts per encoding (from pasted text) replace the workload's input or output tokens model by model.
    """
    costs = []
    for model in catalog.models:
        tokens = workload
        if input_counts is not None or output_counts is not None:
            n_in = input_counts[model.counted_with] if input_counts is not None else workload.input_tokens
            n_out = output_counts[model.counted_with] if output_counts is not None else workload.output_tokens
            tokens = Workload(n_in, n_out, min(workload.cached_input_tokens, n_in))
        costs.append(
            request_cost(
                catalog=catalog,
                dataset=dataset,
                model_id=model.id,
                workload=tokens,
                from_text=tokens is not workload,
            )
        )
    return sorted(costs, key=lambda c: (c.total(source) is None, c.total(source) or 0.0))


def ratio_claim(lesson: Lesson) -> tuple[int, int, str]:
    """The module's "Output tokens are typically 2-6x more expensive" range and sentence, from the lesson."""
    match = RATIO_CLAIM.search(lesson.source_path.read_text(encoding="utf-8"))
    if match is None:
        raise ContentError(f"{lesson.source_path}: no sentence '{RATIO_CLAIM.pattern}'")
    return int(match["low"]), int(match["high"]), match[0] + "."


def price_ratios(catalog: ModelCatalog, dataset: PriceDataset, *, low: int, high: int) -> list[PriceRatio]:
    """Each model's output/input price ratio from the module's prices and from genai-prices'."""
    ratios = []
    for model in catalog.models:
        entry = dataset.entry(model.id)
        price_in, price_out = model.input_usd_per_mtok, model.output_usd_per_mtok
        ratios.append(
            PriceRatio(
                model=model,
                module=price_out / price_in if price_in and price_out is not None else None,
                dataset=entry.output_input_ratio if entry else None,
                dataset_source=entry.provider_name if entry else None,
                low=low,
                high=high,
            )
        )
    return ratios
