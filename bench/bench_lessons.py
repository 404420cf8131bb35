"""Benchmark the lesson pages as a returning learner sees them: every lesson, over keep-alive HTTP.

The app runs in a real uvicorn process (bench/server.py) with MiniLM and the search index loaded; one
learner (its cookie kept) opens each of the nine lessons ROUNDS times. Reported: round trip and the app's
own time (Server-Timing), median and p95, for all lessons together and for the heaviest one.
Target: a lesson page p95 under 50 ms of app time.
Run alone with `python -m bench bench_lessons`.
"""

import tempfile
from pathlib import Path

from app.config import ROOT
from bench.server import Connection, start_server
from bench.stats import report, summary, time_ms

ROUNDS = 20
TARGET_P95_MS = 50


def lesson_slugs() -> list[str]:
    """The nine lessons' slugs, in course order (file names are NN-slug.md)."""
    return [path.stem.split("-", 1)[1] for path in sorted((ROOT / "content" / "lessons").glob("*.md"))]


def bench_pages(url: str, results: dict) -> None:
    """Each lesson ROUNDS times for one learner; the first visit (which fills the caches) is not timed."""
    client = Connection(url)
    try:
        status, _ = client.get("/")
        assert status == 200
        cookie = client.last_cookie
        headers = {"Cookie": cookie} if cookie else {}
        per_lesson = {}
        all_app_ms: list[float] = []
        all_trip: list[float] = []
        for slug in lesson_slugs():
            assert client.get(f"/lessons/{slug}", headers)[0] == 200  # first visit: records it, fills caches
            client.server_ms.clear()
            stats = time_ms(lambda s=slug: client.get(f"/lessons/{s}", headers), repeat=ROUNDS, warmup=0)
            app_stats = summary(client.server_ms[-ROUNDS:])
            per_lesson[slug] = app_stats
            all_app_ms += client.server_ms[-ROUNDS:]
            all_trip.append(stats["median_ms"])
        results["app_all"] = summary(all_app_ms)
        heaviest = max(per_lesson, key=lambda slug: per_lesson[slug]["p95_ms"])
        results["heaviest"] = (heaviest, per_lesson[heaviest])
        for slug, stats in per_lesson.items():
            report(f"lessons: GET /lessons/{slug}, app time", stats)
        report("lessons: every lesson page, app time (Server-Timing)", results["app_all"])
    finally:
        client.close()


def main() -> dict:
    """Print and return the measurements and the target check."""
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder))
        try:
            bench_pages(url, results)
        finally:
            server.terminate()
            server.wait(timeout=10)
    p95 = results["app_all"]["p95_ms"]
    median = results["app_all"]["median_ms"]
    met = "met" if p95 < TARGET_P95_MS else "MISSED"
    print(
        f"target: lesson page app time median {median:.1f} ms, p95 {p95:.1f} ms (< {TARGET_P95_MS} ms: {met})"
    )
    return results


if __name__ == "__main__":
    main()
