"""Benchmark one worker's resident memory: every model loaded, then after a burst of the common requests.

A real uvicorn process (bench/server.py) is started and left to load MiniLM and the lesson search index;
its VmRSS (/proc/<pid>/status) is read when settled, then after every lesson page, the sampling,
attention, tokenizer, embeddings and costs requests, several times over. Run once with glibc's malloc
defaults and once with the settings `python -m app` applies (app/memory.py), given as environment.
Target: under 700 MB after the burst.
Run alone with `python -m bench bench_memory`.
"""

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from app.config import ROOT
from app.memory import SERVED_MALLOC
from bench.server import Connection, start_server

TARGET_MB = 700
ROUNDS = 5
JSON = {"Content-Type": "application/json"}


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (VmRSS is in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def burst(url: str) -> int:
    """The common requests of a learner, ROUNDS times over; returns how many were answered 200."""
    slugs = sorted(path.stem.split("-", 1)[1] for path in (ROOT / "content" / "lessons").glob("*.md"))
    long_text = "The jury said that the city had no evidence. " * 40
    client = Connection(url)
    answered = 0
    try:
        for round_ in range(ROUNDS):
            gets = [f"/lessons/{slug}" for slug in slugs] + [
                "/",
                "/playground/attention",
                "/playground/tokenizer",
                "/playground/costs",
                "/playground/embeddings",
                "/playground/sampling?"
                + urlencode({"prompt": f"The old man walked {round_}", "temperature": 0.7}),
            ]
            posts = [
                ("/api/attention", {"text": long_text}),
                ("/api/next-token", {"prompt": f"Once upon a time {round_}"}),
                ("/api/tokenize", {"text": long_text * 5, "encoding": "o200k_base"}),
                ("/api/embeddings/similarity", {"texts": ["a cat sat", f"a dog sat {round_}"]}),
                ("/api/search", {"query": f"what is attention {round_}"}),
            ]
            for path in gets:
                answered += client.get(path)[0] == 200
            for path, body in posts:
                answered += client.post(path, json.dumps(body).encode(), JSON)[0] == 200
    finally:
        client.close()
    return answered


def measure(label: str, extra_env: dict[str, str]) -> dict[str, float]:
    """RSS settled and after the burst, for a server started with extra_env added to the environment."""
    saved = {name: os.environ.get(name) for name in extra_env}
    os.environ.update(extra_env)
    try:
        with tempfile.TemporaryDirectory() as folder:
            server, url = start_server(Path(folder))
            try:
                settled = rss_mb(server.pid)
                answered = burst(url)
                after = rss_mb(server.pid)
            finally:
                server.terminate()
                server.wait(timeout=10)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    print(f"{'memory: ' + label + ', settled (all models loaded)':<58} {settled:8.1f} MB")
    print(f"{'memory: ' + label + f', after {answered} requests':<58} {after:8.1f} MB")
    return {"settled_mb": settled, "after_mb": after, "answered": answered}


def main() -> dict:
    """Print and return both measurements and the target check."""
    plain = {name: value for name, value in os.environ.items() if name != "MALLOC_ARENA_MAX"}
    results = {}
    os.environ.pop("MALLOC_ARENA_MAX", None)
    results["default"] = measure("glibc defaults", {})
    results["tuned"] = measure("as `python -m app` tunes malloc", dict(SERVED_MALLOC))
    os.environ.clear()
    os.environ.update(plain)
    value = results["tuned"]["after_mb"]
    met = "met" if value < TARGET_MB else "MISSED"
    print(f"target: one worker's RSS after the burst, as served {value:.0f} MB "
          f"(< {TARGET_MB} MB: {met})")  # fmt: skip
    return results


if __name__ == "__main__":
    main()
