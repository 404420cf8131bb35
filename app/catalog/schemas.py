"""The catalog's page forms and JSON API shapes."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.catalog.service import MAX_TOKENS

TokenCount = Annotated[int, Field(ge=0, le=MAX_TOKENS)]
MAX_REQUESTS = 10**12


def _unix_newlines(text: str) -> str:
    """A browser submits a textarea's newlines as CRLF; the learner typed LF, which tokenizes differently."""
    return text.replace("\r\n", "\n")


class CostForm(BaseModel):
    """The cost calculator's inputs; pasted text, where given, replaces that side's token count."""

    model_config = ConfigDict(extra="ignore")

    input_tokens: TokenCount = 2_000
    output_tokens: TokenCount = 500
    cached_input_tokens: TokenCount = 0
    # Capped by settings.max_tokenize_chars (a 413 in the widget), like the tokenizer's text.
    input_text: Annotated[str, AfterValidator(_unix_newlines)] = ""
    output_text: Annotated[str, AfterValidator(_unix_newlines)] = ""
    prices: Literal["module", "genai-prices"] = "module"
    embedded: bool = False  # the copy inside a lesson, whose element ids differ from the page's


class ChooserForm(BaseModel):
    """The chooser's inputs: the task's needs and one request's tokens, and how many requests."""

    model_config = ConfigDict(extra="ignore")

    need: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=20)
    input_tokens: TokenCount = 2_000
    output_tokens: TokenCount = 500
    requests: Annotated[int, Field(ge=1, le=MAX_REQUESTS)] = 100_000
    embedded: bool = False


class CostRequest(BaseModel):
    """One request's token counts on one catalog model. Types are strict: `"input_tokens": "5"` is a 422."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"model": "gpt-4o", "input_tokens": 2000, "output_tokens": 500}]},
    )

    model: str = Field(
        max_length=80, description="A catalog model id from GET /api/models.", examples=["gpt-4o"]
    )
    input_tokens: TokenCount = Field(description="Input tokens, cached ones included (0 to 10^10).")
    output_tokens: TokenCount = Field(description="Output tokens (0 to 10^10).")
    cached_input_tokens: TokenCount = Field(
        default=0,
        description="How many of the input tokens were read from the prompt cache (<= input_tokens).",
    )


class CostParts(BaseModel):
    """A request's cost in US dollars, part by part, and per million such requests."""

    input_usd: float = Field(
        description="Uncached input (with the module's prices) or all input (genai-prices)."
    )
    cached_input_usd: float | None = Field(
        description="Cached input; null where the source folds it into input."
    )
    output_usd: float
    total_usd: float
    per_million_requests_usd: float
    input_usd_per_mtok: float | None = None
    output_usd_per_mtok: float | None = None
    cached_input_usd_per_mtok: float | None = None
    note: str = ""


class CostResponse(BaseModel):
    """The request priced with the module's figures and with genai-prices'; either is null with a reason."""

    model: str
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    module: CostParts | None = Field(description="The module's prices (as of early 2026); null without one.")
    module_note: str = ""
    genai_prices: CostParts | None = Field(
        description="genai-prices' figures; null where it lacks the model."
    )
    genai_prices_note: str = ""


class DatasetFigures(BaseModel):
    """A model's figures in genai-prices and what differs from the module's."""

    provider: str
    model: str
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    cached_input_usd_per_mtok: float | None
    context_window: int | None
    tiered: bool = Field(description="A long prompt moves the whole request to a higher price.")
    deprecated: bool
    price_differs: bool
    context_differs: bool


class ModelOut(BaseModel):
    """One catalog model: the module's cells verbatim, the numbers read from them, genai-prices' figures."""

    id: str = Field(examples=["gpt-4o"])
    name: str
    family: str
    in_families_table: bool
    context: str = Field(description="The module's cell, e.g. '128K'.")
    context_tokens: int
    max_output: str | None
    max_output_tokens: int | None
    strengths: str | None
    weaknesses: str | None
    cost: str | None = Field(description="The module's Cost cell, verbatim.")
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    cached_input_usd_per_mtok: float | None
    notes: str | None
    counted_with: str = Field(description="The encoding its token counts use.")
    exact: bool = Field(description="False where counted_with stands in for an unavailable tokenizer.")
    genai_prices: DatasetFigures | None
    genai_prices_missing: str | None = None


class CatalogOut(BaseModel):
    """The whole catalog, its source and date, and the dataset it is compared with."""

    source: str
    as_of: str = Field(examples=["early 2026"])
    dataset: str = Field(examples=["genai-prices 0.2.3"])
    dataset_date: str
    models: list[ModelOut]
