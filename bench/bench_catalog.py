"""Benchmark the model catalog: POST /api/cost, the calculator and chooser partials, reading genai-prices.

Run alone with `python -m bench bench_catalog`.
"""

import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from app.catalog.dataset import load_price_dataset
from app.config import Settings
from app.main import create_app
from bench.stats import report, summary, time_ms

PASTED = "Summarise the attached support ticket in two sentences and classify its urgency. " * 40


def main() -> dict:
    """Print and return the cost API, calculator, chooser and dataset-load timings."""
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", var_dir=Path(tmp), secret_key="bench"
        )
        app = create_app(settings)
        with TestClient(app) as client:
            body = {
                "model": "gpt-4o",
                "input_tokens": 2_000,
                "output_tokens": 500,
                "cached_input_tokens": 1_000,
            }

            def cost() -> None:
                assert client.post("/api/cost", json=body).status_code == 200

            results["api_cost"] = time_ms(cost, repeat=200, warmup=10)
            report("catalog: POST /api/cost (both sources)", results["api_cost"])
            results["api_models"] = time_ms(lambda: client.get("/api/models"), repeat=50, warmup=3)
            report("catalog: GET /api/models", results["api_models"])

            page = client.get("/playground/costs").text
            token = page.split('"X-CSRF-Token": "', 1)[1].split('"', 1)[0]
            headers = {"HX-Request": "true", "X-CSRF-Token": token}
            numbers = {"input_tokens": "2000", "output_tokens": "500", "prices": "module"}

            def calculator(data: dict) -> None:
                assert client.post("/playground/costs", data=data, headers=headers).status_code == 200

            results["calculator"] = time_ms(lambda: calculator(numbers), repeat=50, warmup=3)
            report("catalog: calculator partial, every model (htmx)", results["calculator"])
            text = numbers | {"input_text": PASTED}
            results["calculator_text"] = time_ms(lambda: calculator(text), repeat=30, warmup=3)
            report(
                f"catalog: calculator partial, {len(PASTED):,} pasted characters counted",
                results["calculator_text"],
            )
            query = "/playground/costs/chooser?need=reasoning&need=low-cost&input_tokens=2000"
            results["chooser"] = time_ms(lambda: client.get(query, headers=headers), repeat=50, warmup=3)
            report("catalog: chooser partial (htmx)", results["chooser"])

    catalog = app.state.model_catalog
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        load_price_dataset(catalog, on=date.today())
        samples.append((time.perf_counter() - start) * 1000)
    results["load_dataset"] = summary(samples)
    report("catalog: genai-prices for every catalog model (data already imported)", results["load_dataset"])
    return results
