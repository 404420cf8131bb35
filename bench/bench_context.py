"""Benchmark the context widgets: POST /api/context-budget on the module's example, and the 20-sample widget.

The budget request carries the pre-filled example (about 12,700 tokens of text, counted with o200k_base);
the widget request runs the lab's model 41 times (20 samples, the same 20 seeds at T = 0, one seed rerun)
at its default 6 tokens. Both are timed over keep-alive HTTP against a real uvicorn process, with the app's
own time from Server-Timing. Run alone with `python -m bench bench_context`.
"""

import json
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from app.catalog.models import load_catalog
from app.config import ROOT, Settings
from app.context.example import load_context_example
from app.context.service import context_budget, find_model
from app.lessons.content import load_course
from app.tokenizer.encodings import load_encodings
from bench.server import Connection, start_server
from bench.stats import report, summary, time_ms

BUDGET_REPEAT = 50
SPREAD_REPEAT = 10


def example_parts() -> dict[str, str]:
    """The module's example as the page pre-fills it."""
    example = load_context_example(load_course(ROOT / "content"), ROOT / "content")
    return {"system": example.system, "history": example.history, "documents": example.documents,
            "user": example.user}  # fmt: skip


def bench_http(url: str, results: dict) -> None:
    """The budget API and the 20-sample widget (htmx partial), round trip and the app's own time."""
    client = Connection(url)
    body = json.dumps({"model": "gpt-4o", "parts": example_parts(), "output_reserve": 2000}).encode()
    json_type = {"Content-Type": "application/json"}
    try:
        status, answer = client.post("/api/context-budget", body, json_type)
        assert status == 200, answer
        print(f"context: the example is {json.loads(answer)['total']:,} tokens with the reserve")

        def budget() -> None:
            assert client.post("/api/context-budget", body, json_type)[0] == 200

        client.server_ms.clear()
        results["http_budget"] = time_ms(budget, repeat=BUDGET_REPEAT)
        results["server_budget"] = summary(client.server_ms[-BUDGET_REPEAT:])
        report("context: POST /api/context-budget, round trip", results["http_budget"])
        report("context: POST /api/context-budget, app time (Server-Timing)", results["server_budget"])

        seeds = iter(range(1, 10_000))

        def spread() -> None:
            query = urlencode({"seed": next(seeds)})  # a new set of draws each time: nothing is cached
            assert client.get("/playground/completions?" + query, {"HX-Request": "true"})[0] == 200

        client.server_ms.clear()
        results["http_spread"] = time_ms(spread, repeat=SPREAD_REPEAT, warmup=1)
        results["server_spread"] = summary(client.server_ms[-SPREAD_REPEAT:])
        report("context: 20-sample widget (41 generations of 6 tokens)", results["http_spread"])
        report("context: 20-sample widget, app time (Server-Timing)", results["server_spread"])
    finally:
        client.close()


def bench_in_process(results: dict) -> None:
    """The budget service alone: counting the example's four parts with o200k_base."""
    settings = Settings()
    encodings = load_encodings(settings)
    model = find_model(
        load_catalog(settings.content_dir / "models.yaml", encodings=encodings.names), "gpt-4o"
    )
    parts = example_parts()
    results["service_budget"] = time_ms(
        lambda: context_budget(encodings=encodings, model=model, parts=parts, output_reserve=2000),
        repeat=BUDGET_REPEAT,
    )
    report("context: budget service only (example, o200k_base)", results["service_budget"])


def main() -> dict:
    """Print and return every measurement."""
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder))
        try:
            bench_http(url, results)
        finally:
            server.terminate()
            server.wait(timeout=10)
    bench_in_process(results)  # with the server gone, so the two do not share the cores
    return results


if __name__ == "__main__":
    main()
