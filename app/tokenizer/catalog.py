"""The model catalog (content/models.yaml): the module's models and prices, validated at start-up."""

import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from app.lessons.content import ContentError

# The module writes prices as "~$2.50 / $10": input, then output, US dollars per 1M tokens.
PRICE = re.compile(r"~\$(?P<input>\d+(?:\.\d+)?) / \$(?P<output>\d+(?:\.\d+)?)")
# The module writes windows as "128K" or "1M" tokens; vendors mean decimal thousands and millions here.
CONTEXT = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>[KM])")


class CatalogModel(BaseModel):
    """One model row of the module's tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    family: str = Field(min_length=1)
    context: str = Field(min_length=1)
    cost: str = Field(min_length=1, description="The module's Cost cell, verbatim.")
    encoding: str | None = Field(default=None, description="The model's own tokenizer.")
    estimate_encoding: str | None = Field(default=None, description="Stands in for an unavailable tokenizer.")

    # (input, output) US dollars per 1M tokens, parsed from `cost` once, at validation; None without a price.
    _prices: tuple[float, float] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_encoding_and_a_readable_price(self) -> "CatalogModel":
        if (self.encoding is None) == (self.estimate_encoding is None):
            raise ValueError("give exactly one of 'encoding' and 'estimate_encoding'")
        match = PRICE.fullmatch(self.cost)
        if self.cost.startswith("~$") and match is None:
            raise ValueError(f"cost {self.cost!r} looks like a price but is not '~$input / $output'")
        if match is not None:
            self._prices = (float(match["input"]), float(match["output"]))
        if CONTEXT.fullmatch(self.context) is None:
            raise ValueError(f"context {self.context!r} is not a number of K or M tokens, like '128K'")
        return self

    @property
    def counted_with(self) -> str:
        """The encoding whose count this model's cost uses."""
        return self.encoding or self.estimate_encoding or ""

    @property
    def exact(self) -> bool:
        """True when the count is the model's own tokenizer's, not an estimate."""
        return self.encoding is not None

    @property
    def context_tokens(self) -> int:
        """The context window in tokens, read from the module's cell: "128K" -> 128_000, "2M" -> 2_000_000."""
        match = CONTEXT.fullmatch(self.context)
        if match is None:
            raise ValueError(f"context {self.context!r} is not a number of K or M tokens")
        return round(float(match["number"]) * {"K": 1_000, "M": 1_000_000}[match["unit"]])

    @property
    def input_usd_per_mtok(self) -> float | None:
        """The input price per 1M tokens, or None where the module gives no number."""
        return self._prices[0] if self._prices else None

    @property
    def output_usd_per_mtok(self) -> float | None:
        """The output price per 1M tokens, or None where the module gives no number."""
        return self._prices[1] if self._prices else None


class ModelCatalog(BaseModel):
    """The whole catalog and the module section it cites."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    models: tuple[CatalogModel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "ModelCatalog":
        ids = [model.id for model in self.models]
        if len(ids) != len(set(ids)):
            raise ValueError("model ids must be unique")
        return self


def load_catalog(path: Path, *, encodings: Iterable[str]) -> ModelCatalog:
    """Read and validate the catalog; every encoding it names must be one the lab has loaded."""
    try:
        catalog = ModelCatalog.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: missing (the model catalog with the module's prices)") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ContentError(f"{path}: {fields}") from exc
    known = set(encodings)
    for model in catalog.models:
        if model.counted_with not in known:
            raise ContentError(
                f"{path}: model '{model.id}' names encoding '{model.counted_with}', not loaded"
            )
    return catalog
