"""Benchmark the architecture lab: the forward walkthrough and the logit lens for a 64-token prompt.

Measured in this process (the service calls: one forward pass keeping every intermediate, then the
walkthrough's shapes and norms or the lens over every layer) and over keep-alive HTTP to a real uvicorn
process (POST /api/forward and /api/logit-lens). Target: under 50 ms each.
Run alone with `python -m bench bench_architecture`.
"""

import json
import tempfile
from pathlib import Path

from app.architecture.service import lens_view, trace_prompt, walkthrough
from app.config import Settings
from app.labmodel.service import load_model
from bench.bench_widgets import text_of_tokens
from bench.server import Connection, start_server
from bench.stats import report, summary, time_ms

TOKENS = 64
REPEAT = 50


def bench_in_process(prompt: str, results: dict) -> None:
    """The service calls behind both endpoints, without HTTP."""
    lab = load_model(Settings().model_dir)
    assert len(trace_prompt(lab=lab, prompt=prompt).ids) == TOKENS

    def forward() -> None:
        walkthrough(lab=lab, traced=trace_prompt(lab=lab, prompt=prompt))

    def lens() -> None:
        lens_view(lab=lab, traced=trace_prompt(lab=lab, prompt=prompt), top=5)

    results["service_forward"] = time_ms(forward, repeat=REPEAT)
    report(f"architecture: forward walkthrough, service, {TOKENS} tokens", results["service_forward"])
    results["service_lens"] = time_ms(lens, repeat=REPEAT)
    report(f"architecture: logit lens, service, {TOKENS} tokens", results["service_lens"])


def bench_http(url: str, prompt: str, results: dict) -> None:
    """POST /api/forward and /api/logit-lens: round trip and the app's own time (Server-Timing)."""
    client = Connection(url)
    body = json.dumps({"prompt": prompt, "top": 5}).encode()
    json_type = {"Content-Type": "application/json"}
    try:
        for name, path in (("forward", "/api/forward"), ("lens", "/api/logit-lens")):
            status, answer = client.post(path, body, json_type)
            assert status == 200 and len(json.loads(answer)["ids"]) == TOKENS  # once: parsing is client time

            def call(path: str = path) -> None:
                assert client.post(path, body, json_type)[0] == 200

            client.server_ms.clear()
            results[f"http_{name}"] = time_ms(call, repeat=REPEAT)
            results[f"server_{name}"] = summary(client.server_ms[-REPEAT:])
            report(f"architecture: POST {path}, {TOKENS} tokens, round trip", results[f"http_{name}"])
            report(f"architecture: POST {path}, the app's own time", results[f"server_{name}"])
    finally:
        client.close()


def main() -> dict:
    """Print and return every measurement."""
    results: dict = {}
    prompt = text_of_tokens(TOKENS)
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder))
        try:
            bench_http(url, prompt, results)
        finally:
            server.terminate()
            server.wait(timeout=10)
    # Last, and with the server gone: a model in this process would compete for the two cores.
    bench_in_process(prompt, results)
    checks = [
        ("forward walkthrough, 64 tokens (server median)", results["server_forward"]["median_ms"], 50),
        ("logit lens, 64 tokens (server median)", results["server_lens"]["median_ms"], 50),
    ]
    for label, value, target in checks:
        print(f"target: {label} {value:.2f} ms (< {target} ms: {'met' if value < target else 'MISSED'})")
    return results


if __name__ == "__main__":
    main()
