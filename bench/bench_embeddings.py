"""Benchmark embeddings: start-up with MiniLM loading in the background, similarity, search, memory.

Start-up is timed from launching a real uvicorn process: until /healthz answers (target: 3 s on 2 cores,
whatever MiniLM is doing), until all-MiniLM-L6-v2 is ready (the similarity API stops answering 503), and
until the lesson search index is ready; then again on the same var folder, where the index comes from its
disk cache. Targets: 10-text similarity under 150 ms, a search over every lesson paragraph under 50 ms.
Resident memory is read from /proc once everything is loaded and every widget has run.
Run alone with `python -m bench bench_embeddings`.
"""

import json
import tempfile
import time
from pathlib import Path

from bench.server import Connection, start_server, wait_until_ready
from bench.stats import report, summary, time_ms

SIMILARITY_TARGET_MS = 150
SEARCH_TARGET_MS = 50
HEALTHY_TARGET_S = 3.0
REPEAT = 30
JSON = {"Content-Type": "application/json"}
TEXTS = [
    "How do I reset my password?",
    "I forgot my login credentials",
    "Best pizza in New York",
    "Where can I get a good slice in Brooklyn?",
    "Attention lets every token look at the others.",
    "Self-attention mixes information between tokens.",
    "The context window is the model's working memory.",
    "Temperature flattens or sharpens the next-token distribution.",
    "Embeddings map text to vectors that sit close when meanings are close.",
    "RLHF aligns a fine-tuned model with human preferences.",
]
QUESTIONS = [
    "Why does the model miss facts in the middle of a long prompt?",
    "What does top-p sampling keep?",
    "How does BPE split a rare word?",
    "How do I compare two texts?",
    "What happens during pre-training?",
]


def _resident_mib(pid: int) -> float:
    """The process's resident set size (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc")


def bench_start(folder: Path, label: str, results: dict) -> tuple:
    """Launch the lab; time to healthy, to MiniLM ready, to the search index ready. Returns (server, url)."""
    launched = time.perf_counter()
    server, url = start_server(folder, settled=False)
    healthy = time.perf_counter()
    encoder = wait_until_ready(url, "/api/embeddings/similarity", {"texts": ["a", "b"]})
    index = wait_until_ready(url, "/api/search", {"query": "tokens"})
    times = {
        "healthy_s": round(healthy - launched, 2),
        "minilm_ready_s": round(encoder - launched, 2),
        "search_ready_s": round(index - launched, 2),
    }
    results[f"start_{label}"] = times
    verdict = "meets" if times["healthy_s"] <= HEALTHY_TARGET_S else "MISSES"
    print(
        f"embeddings: start ({label}): healthy {times['healthy_s']:.2f} s ({verdict} the "
        f"{HEALTHY_TARGET_S:.0f} s target), MiniLM ready {times['minilm_ready_s']:.2f} s, "
        f"search index ready {times['search_ready_s']:.2f} s"
    )
    return server, url


def bench_requests(url: str, results: dict) -> None:
    """10-text similarity (all new, and one of ten changed), search, and the widgets once each."""
    client = Connection(url)
    counter = iter(range(10**9))
    try:

        def all_new() -> None:
            n = next(counter)
            body = json.dumps({"texts": [f"{text} ({n})" for text in TEXTS]}).encode()
            assert client.post("/api/embeddings/similarity", body, JSON)[0] == 200

        client.server_ms.clear()
        results["similarity_10_new"] = time_ms(all_new, repeat=REPEAT)
        results["similarity_10_new_server"] = summary(client.server_ms[-REPEAT:])
        report("embeddings: similarity of 10 new texts (HTTP)", results["similarity_10_new"])
        report("embeddings: similarity of 10 new texts (app's own time)", results["similarity_10_new_server"])

        def one_changed() -> None:
            body = json.dumps({"texts": [*TEXTS[:9], f"{TEXTS[9]} ({next(counter)})"]}).encode()
            assert client.post("/api/embeddings/similarity", body, JSON)[0] == 200

        results["similarity_1_of_10_changed"] = time_ms(one_changed, repeat=REPEAT)
        report("embeddings: similarity, one of 10 retyped (HTTP)", results["similarity_1_of_10_changed"])

        def search() -> None:
            query = f"{QUESTIONS[next(counter) % len(QUESTIONS)]} {next(counter)}"
            body = json.dumps({"query": query, "k": 5}).encode()
            assert client.post("/api/search", body, JSON)[0] == 200

        client.server_ms.clear()
        results["search"] = time_ms(search, repeat=REPEAT)
        results["search_server"] = summary(client.server_ms[-REPEAT:])
        report("embeddings: search every lesson paragraph, new query (HTTP)", results["search"])
        report("embeddings: search, the app's own time (Server-Timing)", results["search_server"])

        hx = {"HX-Request": "true"}
        for path in (
            "/playground/embeddings/compare?a=cats&b=dogs",
            "/playground/embeddings/attention?text=The+cat+sat+on+the+mat",
            "/playground/embeddings",
            "/lessons/embeddings",
        ):
            assert client.get(path, hx)[0] == 200
    finally:
        client.close()
    for name, target in (("similarity_10_new", SIMILARITY_TARGET_MS), ("search", SEARCH_TARGET_MS)):
        p95 = results[name]["p95_ms"]
        verdict = "meets" if p95 < target else "MISSES"
        print(f"embeddings: {name} p95 {p95:.1f} ms {verdict} the {target} ms target")


def main() -> dict:
    """Print and return start-up times, similarity and search latency, and resident memory."""
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server, _ = bench_start(folder, "cold", results)  # the search index is built and cached
        server.terminate()
        server.wait(timeout=30)
        server, url = bench_start(folder, "index cached", results)
        try:
            bench_requests(url, results)
            results["resident_mib"] = round(_resident_mib(server.pid), 1)
            print(f"embeddings: resident memory with everything loaded: {results['resident_mib']:.0f} MiB")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return results


if __name__ == "__main__":
    main()
