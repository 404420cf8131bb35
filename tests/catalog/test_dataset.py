"""genai-prices beside the catalog: read from the installed package, network blocked, never updated."""

import socket
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.metadata import version

import genai_prices
import pytest
from fastapi.testclient import TestClient
from genai_prices import data_snapshot, update_prices

from app.catalog.dataset import PRICE_TIME, latest_price_change, load_price_dataset
from app.catalog.models import load_catalog
from app.config import ROOT
from app.main import create_app
from tests.conftest import csrf_token, page

ON = date(2026, 12, 1)


class NetworkBlocked(AssertionError):
    """Something tried to open a network connection."""


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve a name or connect a socket fails the test."""

    def refuse(*args, **kwargs):
        raise NetworkBlocked(f"network use: {args[:2]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def dataset(no_network):
    """The catalog's genai-prices figures at noon UTC on 2026-12-01, read with the network blocked."""
    catalog = load_catalog(ROOT / "content" / "models.yaml", encodings=["cl100k_base", "o200k_base"])
    return load_price_dataset(catalog, on=ON)


def test_the_blocker_really_blocks(no_network):
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))


def test_the_dataset_is_the_installed_package_at_noon_utc(dataset):
    assert dataset.version == version("genai-prices") == "0.2.3"
    assert dataset.label == "genai-prices 0.2.3"
    assert dataset.prices_at == datetime(2026, 12, 1, 12, tzinfo=UTC) == datetime.combine(ON, PRICE_TIME)
    assert dataset.latest_change is not None and dataset.latest_change <= ON
    assert "2026-12-01 at 12:00 UTC" in dataset.date_text


@pytest.mark.parametrize(
    ("model_id", "figures"),
    [
        ("gpt-4o", (Decimal("2.5"), Decimal("10"), Decimal("1.25"), 128_000)),
        ("claude-opus-4", (Decimal("15"), Decimal("75"), Decimal("1.5"), 200_000)),
        ("o3", (Decimal("2"), Decimal("8"), Decimal("0.5"), 200_000)),
        ("deepseek-v3", (Decimal("0.27"), Decimal("1.1"), Decimal("0.07"), 64_000)),  # peak rate at noon UTC
        ("gemini-2-5-pro", (Decimal("1.25"), Decimal("10"), Decimal("0.125"), None)),  # tiered: the base tier
    ],
)
def test_known_figures(dataset, model_id, figures):
    entry = dataset.entry(model_id)
    got = (
        entry.input_usd_per_mtok,
        entry.output_usd_per_mtok,
        entry.cached_input_usd_per_mtok,
        entry.context_window,
    )
    assert got == figures


@pytest.mark.parametrize(
    ("model_id", "price_differs", "context_differs"),
    [
        ("gpt-4o", False, False),
        ("o3", True, False),  # the module's ~$10 / $40 was cut to $2 / $8
        ("deepseek-v3", False, True),  # no module price to compare; 128K against the API's 64,000
        ("qwen-2-5-72b", False, True),
        ("gemini-2-0-flash", False, False),
        ("gemini-2-5-pro", False, False),  # "varies" and no window in the dataset: nothing to compare
    ],
)
def test_differences_are_flagged(dataset, model_id, price_differs, context_differs):
    comparison = dataset.comparison(model_id)
    assert (comparison.price_differs, comparison.context_differs) == (price_differs, context_differs)


def test_the_dataset_dates_the_modules_old_o3_price(dataset):
    assert dataset.comparison("o3").module_price_until == date(2025, 6, 10)


def test_a_model_missing_from_the_dataset_says_so(dataset):
    comparison = dataset.comparison("gemini-2-0-pro")
    assert comparison.entry is None
    assert comparison.missing == "genai-prices has no model matching 'gemini-2.0-pro' from provider 'google'"
    assert dataset.cost("gemini-2-0-pro", input_tokens=1, cached_input_tokens=0, output_tokens=1) is None


@pytest.mark.parametrize(
    ("model_id", "provider", "ref", "tokens"),
    [
        ("gpt-4o", "openai", "gpt-4o", (2_000, 500, 500)),
        ("gemini-2-5-pro", "google", "gemini-2.5-pro", (300_000, 0, 1_000)),  # past the 200K tier
        ("deepseek-v3", "deepseek", "deepseek-chat", (10_000, 4_000, 2_000)),
    ],
)
def test_costs_are_genai_prices_own_arithmetic(dataset, model_id, provider, ref, tokens):
    n_in, cached, n_out = tokens
    ours = dataset.cost(model_id, input_tokens=n_in, cached_input_tokens=cached, output_tokens=n_out)
    usage = genai_prices.Usage(input_tokens=n_in, cache_read_tokens=cached, output_tokens=n_out)
    theirs = genai_prices.calc_price(
        usage, ref, provider_id=provider, genai_request_timestamp=dataset.prices_at
    )
    assert ours.total_usd == float(theirs.total_price)
    assert ours.input_usd + ours.output_usd == pytest.approx(ours.total_usd)


def test_gpt_4o_cache_reads_cost_half(dataset):
    cost = dataset.cost("gpt-4o", input_tokens=1_000_000, cached_input_tokens=1_000_000, output_tokens=0)
    assert cost.total_usd == 1.25


def test_latest_price_change_counts_only_changes_already_in_effect():
    providers = data_snapshot.get_snapshot().providers
    assert latest_price_change(providers, date(2000, 1, 1)) is None
    assert latest_price_change(providers, date(2025, 6, 10)) == date(2025, 6, 10)  # o3's cut


def test_the_auto_updater_is_never_started(no_network, settings):
    app = create_app(settings)
    with TestClient(app) as client:
        for path in ("/playground/costs", "/lessons/model-families", "/api/models"):
            assert client.get(path).status_code == 200
        assert client.post(
            "/api/cost", json={"model": "o3", "input_tokens": 1, "output_tokens": 1}
        ).is_success
    assert update_prices._shared_updater.ref_count == 0 and update_prices._shared_updater.thread is None
    assert data_snapshot.get_snapshot().from_auto_update is False


def test_fetched_prices_are_refused(monkeypatch):
    fetched = data_snapshot.DataSnapshot(providers=[], from_auto_update=True)
    monkeypatch.setattr(data_snapshot, "_custom_snapshot", fetched)
    catalog = load_catalog(ROOT / "content" / "models.yaml", encodings=["cl100k_base", "o200k_base"])
    with pytest.raises(RuntimeError, match="only the installed snapshot"):
        load_price_dataset(catalog, on=ON)


def test_the_widgets_run_with_the_network_blocked(no_network, client):
    """Every catalog page, partial and API call works offline (the test client itself uses no socket)."""
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client, "/playground/costs")}
    data = {"input_text": "Hello, world!", "prices": "genai-prices"}
    partial = page(client.post("/playground/costs", data=data, headers=headers))
    assert partial.select("svg#costs-chart g.bar-row")
    chooser = page(client.get("/playground/costs/chooser?need=simple", headers=headers))
    assert chooser.select("ol.chooser-suggestions > li")


def test_the_loader_reads_in_the_background_and_hands_on_its_error(monkeypatch):
    from app.catalog import dataset as module

    catalog = load_catalog(ROOT / "content" / "models.yaml", encodings=["cl100k_base", "o200k_base"])
    assert module.PriceDatasetLoader(catalog, on=ON).start().get().label == "genai-prices 0.2.3"

    def broken(*args, **kwargs):
        raise ValueError("bad data")

    monkeypatch.setattr(module, "load_price_dataset", broken)
    loader = module.PriceDatasetLoader(catalog, on=ON).start()
    with pytest.raises(RuntimeError, match="genai-prices could not be read: bad data"):
        loader.get()
