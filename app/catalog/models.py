"""The model catalog (content/models.yaml): the module's model tables as data, validated at start-up.

Every figure in it is the module's, verbatim ("~$2.50 / $10", "128K"); a cell the module leaves out is None.
The numbers the lab computes with (prices per 1M tokens, windows in tokens) are parsed from those cells.
"""

import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from app.lessons.content import ContentError
from app.yamlfile import load_yaml

# The module writes prices as "~$2.50 / $10": input, then output, US dollars per 1M tokens.
PRICE = re.compile(r"~\$(?P<input>\d+(?:\.\d+)?) / \$(?P<output>\d+(?:\.\d+)?)")
# The module writes windows as "128K" or "1M" tokens; vendors mean decimal thousands and millions here.
CONTEXT = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<unit>[KM])")
UNITS = {"K": 1_000, "M": 1_000_000}


def tokens_from_cell(cell: str | None) -> int | None:
    """A module cell in tokens: "128K" -> 128_000, "2M" -> 2_000_000; None for "varies" or a range."""
    match = CONTEXT.fullmatch(cell or "")
    return round(float(match["number"]) * UNITS[match["unit"]]) if match else None


class DatasetRef(BaseModel):
    """Where to look the model up in genai-prices: its provider id and a model reference it matches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str = Field(min_length=1, max_length=40)
    model: str = Field(min_length=1, max_length=120)


class CatalogModel(BaseModel):
    """One model of the module's tables: its cells, verbatim, and the numbers read from them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    family: str = Field(min_length=1)
    in_families_table: bool = Field(
        default=True, description="False for a model only the Context Windows table lists."
    )
    context: str = Field(min_length=1, description="The module's context cell, e.g. '128K'.")
    max_output: str | None = Field(default=None, description="The Context Windows table's Max Output cell.")
    strengths: str | None = None
    weaknesses: str | None = None
    cost: str | None = Field(default=None, description="The module's Cost cell, verbatim.")
    cached_input_usd_per_mtok: float | None = Field(
        default=None, ge=0, description="The module's cached-input price per 1M tokens (it gives none)."
    )
    notes: str | None = Field(default=None, description="The Context Windows table's Notes cell.")
    encoding: str | None = Field(default=None, description="The model's own tokenizer.")
    estimate_encoding: str | None = Field(default=None, description="Stands in for an unavailable tokenizer.")
    genai_prices: DatasetRef | None = Field(default=None, description="Its entry in genai-prices, if any.")

    # (input, output) US dollars per 1M tokens, parsed from `cost` once, at validation; None without a price.
    _prices: tuple[float, float] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_encoding_and_readable_cells(self) -> "CatalogModel":
        if (self.encoding is None) == (self.estimate_encoding is None):
            raise ValueError("give exactly one of 'encoding' and 'estimate_encoding'")
        if self.in_families_table and None in (self.cost, self.strengths, self.weaknesses):
            raise ValueError("a model of the Model Families table needs 'cost', 'strengths' and 'weaknesses'")
        cost = self.cost or ""
        match = PRICE.fullmatch(cost)
        if cost.startswith("~$") and match is None:
            raise ValueError(f"cost {cost!r} looks like a price but is not '~$input / $output'")
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
        tokens = tokens_from_cell(self.context)
        if tokens is None:
            raise ValueError(f"context {self.context!r} is not a number of K or M tokens")
        return tokens

    @property
    def max_output_tokens(self) -> int | None:
        """The Max Output cell in tokens, or None where the module gives a range, "varies" or nothing."""
        return tokens_from_cell(self.max_output)

    @property
    def input_usd_per_mtok(self) -> float | None:
        """The input price per 1M tokens, or None where the module gives no number."""
        return self._prices[0] if self._prices else None

    @property
    def output_usd_per_mtok(self) -> float | None:
        """The output price per 1M tokens, or None where the module gives no number."""
        return self._prices[1] if self._prices else None


class Family(BaseModel):
    """One family table of "Major Model Families": its name (the bold line above it) and its cost column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    cost_column: str = Field(min_length=1, description="That table's Cost header, verbatim.")


class ContextRow(BaseModel):
    """One row of "Current Context Windows": the models it covers, and cells where they differ from theirs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    models: tuple[str, ...] = Field(min_length=1)
    label: str | None = Field(default=None, description="The Model cell, where it is not the model's name.")
    context: str | None = None
    max_output: str | None = None
    notes: str | None = None


class ModelCatalog(BaseModel):
    """The whole catalog: its source, the date its figures are "as of", the families, models and rows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    as_of: str = Field(min_length=1, description="The module's date for these figures, e.g. 'early 2026'.")
    families: tuple[Family, ...] = Field(min_length=1)
    models: tuple[CatalogModel, ...] = Field(min_length=1)
    context_windows: tuple[ContextRow, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "ModelCatalog":
        ids = [model.id for model in self.models]
        if len(ids) != len(set(ids)):
            raise ValueError("model ids must be unique")
        families = {family.name for family in self.families}
        for model in self.models:
            if model.family not in families:
                raise ValueError(f"model '{model.id}' names family '{model.family}', not in 'families'")
        for row in self.context_windows:
            for model_id in row.models:
                if model_id not in ids:
                    raise ValueError(f"context_windows names model '{model_id}', not in 'models'")
            if len(row.models) > 1 and None in (row.label, row.context, row.max_output, row.notes):
                raise ValueError(
                    f"the row for {', '.join(row.models)} covers several models: give every cell"
                )
            single = self.get(row.models[0])
            if (
                len(row.models) == 1
                and single is not None
                and None
                in (
                    row.max_output or single.max_output,
                    row.notes or single.notes,
                )
            ):
                raise ValueError(f"model '{single.id}' is in context_windows but has no max_output or notes")
        return self

    def get(self, model_id: str) -> CatalogModel | None:
        """The model with this id, or None."""
        return next((model for model in self.models if model.id == model_id), None)

    def family_models(self, family: str) -> list[CatalogModel]:
        """The rows of one family's table, in the module's order."""
        return [model for model in self.models if model.family == family and model.in_families_table]


def load_catalog(path: Path, *, encodings: Iterable[str]) -> ModelCatalog:
    """Read and validate the catalog; every encoding it names must be one the lab has loaded."""
    try:
        catalog = ModelCatalog.model_validate(load_yaml(path.read_text(encoding="utf-8")))
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
