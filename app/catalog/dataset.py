"""The catalog beside genai-prices, pydantic's maintained price dataset (MIT), read offline from its package.

genai-prices ships its data inside the wheel (genai_prices/data.py). It can also fetch fresh prices from
GitHub, but only through its `UpdatePrices` background task, which the lab never starts: every figure here
comes from the pinned, installed snapshot (tests/catalog/test_dataset.py runs it with the network blocked).

Importing the package's data takes a quarter of a second on 2 cores, so the app reads it in a background
thread at start-up (PriceDatasetLoader) and /healthz does not wait for it.

Prices can depend on the date (a scheduled change) and on the time of day (DeepSeek's off-peak rates), so the
lab reads them at one instant: 12:00 UTC on the day the app started, and says so.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from importlib.metadata import version
from typing import TYPE_CHECKING

from app.catalog.models import CatalogModel, ModelCatalog

if TYPE_CHECKING:  # the package itself is imported in the loading thread, off the start-up path
    from genai_prices import data_snapshot
    from genai_prices import types as gp

PACKAGE = "genai-prices"
# Noon UTC: inside every provider's standard (peak) hours, so a time-of-day discount never applies.
PRICE_TIME = time(12, 0, tzinfo=UTC)


def _usd(value: object) -> Decimal | None:
    """A price key's base US dollars per 1M tokens: a number, or the first tier of a tiered price."""
    from genai_prices import types as gp

    if isinstance(value, gp.TieredPrices):
        return value.base
    return value if isinstance(value, Decimal) else None


@dataclass(frozen=True)
class DatasetEntry:
    """One catalog model's figures in genai-prices: the matched model, its base prices and window."""

    provider_id: str
    provider_name: str
    model_id: str
    model_name: str
    input_usd_per_mtok: Decimal | None
    output_usd_per_mtok: Decimal | None
    cached_input_usd_per_mtok: Decimal | None
    context_window: int | None
    tiered: bool  # a long prompt moves the whole request to a higher price
    conditional: bool  # the price depends on the date or the time of day
    deprecated: bool
    _provider: "gp.Provider"
    _model: "gp.ModelInfo"

    @property
    def output_input_ratio(self) -> float | None:
        """Output price over input price, or None without both."""
        if not self.input_usd_per_mtok or self.output_usd_per_mtok is None:
            return None
        return float(self.output_usd_per_mtok / self.input_usd_per_mtok)


@dataclass(frozen=True)
class DatasetCost:
    """A request priced by genai-prices (tiers, cache reads and the price instant applied by the package)."""

    input_usd: float  # uncached and cached input together, as genai-prices splits input and output
    output_usd: float
    total_usd: float


@dataclass(frozen=True)
class Comparison:
    """One catalog model against the dataset: what differs, with both sources named."""

    model: CatalogModel
    entry: DatasetEntry | None
    missing: str | None  # why there is no entry
    price_differs: bool
    context_differs: bool
    module_price_until: date | None = None  # the dataset lists the module's price, until this date

    @property
    def differs(self) -> bool:
        """True when the price or the window differs between the module and the dataset."""
        return self.price_differs or self.context_differs


@dataclass(frozen=True)
class PriceDataset:
    """genai-prices' figures for every catalog model, read once, at one instant."""

    version: str
    prices_at: datetime
    latest_change: date | None  # the newest dated price change the data records on or before prices_at
    comparisons: tuple[Comparison, ...]

    @property
    def label(self) -> str:
        """'genai-prices 0.2.3'."""
        return f"{PACKAGE} {self.version}"

    @property
    def date_text(self) -> str:
        """When its figures are from, in words."""
        text = f"prices in effect on {self.prices_at:%Y-%m-%d} at 12:00 UTC"
        if self.latest_change is not None:
            text += f"; its newest dated price change is of {self.latest_change:%Y-%m-%d}"
        return text

    def comparison(self, model_id: str) -> Comparison | None:
        """The comparison of one catalog model, or None for an unknown id."""
        return next((c for c in self.comparisons if c.model.id == model_id), None)

    def entry(self, model_id: str) -> DatasetEntry | None:
        """The dataset's figures for one catalog model, or None where it has none."""
        found = self.comparison(model_id)
        return found.entry if found else None

    def cost(self, model_id: str, *, input_tokens: int, cached_input_tokens: int, output_tokens: int):
        """The request's price per genai-prices (DatasetCost), or None where the dataset lacks the model."""
        from genai_prices import Usage

        entry = self.entry(model_id)
        if entry is None:
            return None
        usage = Usage(
            input_tokens=input_tokens, cache_read_tokens=cached_input_tokens, output_tokens=output_tokens
        )
        priced = entry._model.calc_price(usage, entry._provider, genai_request_timestamp=self.prices_at)
        return DatasetCost(
            input_usd=float(priced.input_price),
            output_usd=float(priced.output_price),
            total_usd=float(priced.total_price),
        )


def _entry(snapshot: "data_snapshot.DataSnapshot", model: CatalogModel, at: datetime) -> DatasetEntry | str:
    """The model's entry, or why there is none."""
    from genai_prices import types as gp

    ref = model.genai_prices
    if ref is None:
        return "the catalog names no genai-prices entry for it"
    try:
        provider, info = snapshot.find_provider_model(ref.model, None, ref.provider, None)
    except LookupError:
        return f"{PACKAGE} has no model matching '{ref.model}' from provider '{ref.provider}'"
    prices = info.get_prices(at)
    keys = (prices.__dict__.get(name) for name in ("input_mtok", "output_mtok", "cache_read_mtok"))
    input_usd, output_usd, cached_usd = (_usd(value) for value in keys)
    return DatasetEntry(
        provider_id=provider.id,
        provider_name=provider.name,
        model_id=info.id,
        model_name=info.name or info.id,
        input_usd_per_mtok=input_usd,
        output_usd_per_mtok=output_usd,
        cached_input_usd_per_mtok=cached_usd,
        context_window=info.context_window,
        tiered=any(isinstance(v, gp.TieredPrices) for v in prices.__dict__.values()),
        conditional=isinstance(info.prices, list) and len(info.prices) > 1,
        deprecated=bool(info.deprecated),
        _provider=provider,
        _model=info,
    )


def _compare(model: CatalogModel, found: DatasetEntry | str) -> Comparison:
    if isinstance(found, str):
        return Comparison(model=model, entry=None, missing=found, price_differs=False, context_differs=False)
    module_prices = (model.input_usd_per_mtok, model.output_usd_per_mtok)
    price_differs = module_prices[0] is not None and (
        Decimal(str(module_prices[0])) != found.input_usd_per_mtok
        or Decimal(str(module_prices[1])) != found.output_usd_per_mtok
    )
    context_differs = found.context_window is not None and found.context_window != model.context_tokens
    return Comparison(
        model=model,
        entry=found,
        missing=None,
        price_differs=price_differs,
        context_differs=context_differs,
        module_price_until=_price_until(found._model, module_prices) if price_differs else None,
    )


def _price_until(info: "gp.ModelInfo", prices: tuple[float | None, float | None]) -> date | None:
    """When the dataset's history replaces the module's (input, output) price, if it records that price."""
    from genai_prices import types as gp

    if not isinstance(info.prices, list):
        return None
    wanted = tuple(Decimal(str(p)) for p in prices if p is not None)
    history = info.prices
    for conditional, following in zip(history, history[1:], strict=False):
        own = (
            _usd(conditional.prices.__dict__.get("input_mtok")),
            _usd(conditional.prices.__dict__.get("output_mtok")),
        )
        if own == wanted and isinstance(following.constraint, gp.StartDateConstraint):
            return following.constraint.start_date
    return None


def latest_price_change(providers: Iterable["gp.Provider"], on: date) -> date | None:
    """The newest start date of a dated price in the data that is in effect on `on`."""
    from genai_prices import types as gp

    dates = [
        conditional.constraint.start_date
        for provider in providers
        for model in provider.models
        if isinstance(model.prices, list)
        for conditional in model.prices
        if isinstance(conditional.constraint, gp.StartDateConstraint)
        and conditional.constraint.start_date <= on
    ]
    return max(dates, default=None)


def load_price_dataset(catalog: ModelCatalog, *, on: date) -> PriceDataset:
    """Every catalog model's figures in the installed genai-prices, at 12:00 UTC on `on`; never fetched."""
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    if snapshot.from_auto_update:  # someone started genai_prices.UpdatePrices: the lab reads only the package
        raise RuntimeError(f"{PACKAGE} holds fetched prices; the lab reads only the installed snapshot")
    at = datetime.combine(on, PRICE_TIME)
    return PriceDataset(
        version=version(PACKAGE),
        prices_at=at,
        latest_change=latest_price_change(snapshot.providers, on),
        comparisons=tuple(_compare(model, _entry(snapshot, model, at)) for model in catalog.models),
    )


class PriceDatasetLoader:
    """Reads genai-prices once, in a background thread started with the app; `get()` waits for it."""

    def __init__(self, catalog: ModelCatalog, *, on: date) -> None:
        self._catalog, self._on = catalog, on
        self._done = threading.Event()
        self._dataset: PriceDataset | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="genai-prices", daemon=True)

    def start(self) -> "PriceDatasetLoader":
        """Begin reading in the background; returns self."""
        self._thread.start()
        return self

    def _load(self) -> None:
        try:
            self._dataset = load_price_dataset(self._catalog, on=self._on)
        except BaseException as exc:  # handed to every caller of get(), never lost in the thread
            self._error = exc
        finally:
            self._done.set()

    def get(self) -> PriceDataset:
        """The dataset, once read (blocking until then); the reading's error, if it failed."""
        self._done.wait()
        if self._error is not None:
            raise RuntimeError(f"{PACKAGE} could not be read: {self._error}") from self._error
        assert self._dataset is not None
        return self._dataset
