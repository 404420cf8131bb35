"""`make bench-load`'s harness, briefly: a real server, real locust learners, and bench/load's report."""

import json
import os
import subprocess
import sys
from pathlib import Path

from app.config import ROOT
from bench.load.report import route_stats, summarize, sustainable
from bench.load.routes import ROUTES, SLIDER


def test_a_short_run_covers_every_route_without_errors(tmp_path: Path, tiny_model_dir: Path):
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "bench.load", "--learners", "3", "--seconds", "5", "--think", "0.05,0.2",
               "--configs", "sqlite-1", "--until-every-route", "--json", str(out)]  # fmt: skip
    env = os.environ | {"MODEL_DIR": str(tiny_model_dir)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    [row] = json.loads(out.read_text())["rows"]
    summary = row["summary"]
    assert set(summary["routes"]) == set(ROUTES)
    assert summary["totals"]["errors"] == 0, result.stdout
    assert summary["task_errors"] == [] and summary["absent"] == [] and summary["missing"] == []
    assert all(r["served"] == r["count"] > 0 for r in summary["routes"].values())
    assert row["workers"] == 1 and row["rss_mb"] > 50  # the lab's process was found and measured
    assert "| GET /healthz |" in result.stdout and "## Overview" in result.stdout


def test_refusals_absent_routes_and_errors_are_told_apart():
    samples = [
        ["a", 200, 10.0, False], ["a", 503, 1.0, True], ["a", 429, 1.0, True], ["a", 503, 1.0, False],
        ["a", 404, 2.0, False], ["a", 500, 3.0, False], ["a", 0, 30000.0, False],
        ["gone", 404, 1.0, False], ["gone", 404, 1.0, False],
    ]  # fmt: skip
    stats = route_stats(samples)
    assert (stats["a"].refused_503, stats["a"].refused_429, stats["a"].refused_without_retry_after) == (
        2,
        1,
        1,
    )
    assert stats["a"].error_count == 3  # the 500, the time-out, and a 404 on a route that exists
    assert stats["gone"].absent and stats["gone"].error_count == 0

    summary = summarize(
        {"seconds": 2.0, "learners": 1, "samples": samples}, routes_expected=("a", "gone", "b")
    )
    assert summary["absent"] == ["gone"] and summary["missing"] == ["b"]
    assert summary["totals"] == {"requests": 9, "served": 1, "served_per_s": 0.5, "errors": 3,
                                 "refused_503": 2, "refused_429": 1}  # fmt: skip
    assert summary["routes"]["a"]["p95_ms"] == 10.0  # latency of served answers only


def test_sustainable_needs_no_errors_and_a_fast_slider():
    fast = [[SLIDER, 200, 20.0, False]] * 20
    assert sustainable(summarize({"seconds": 1, "learners": 1, "samples": fast}), SLIDER)
    slow = fast + [[SLIDER, 200, 500.0, False]] * 2
    assert not sustainable(summarize({"seconds": 1, "learners": 1, "samples": slow}), SLIDER)
    failing = fast + [[SLIDER, 500, 5.0, False]]
    assert not sustainable(summarize({"seconds": 1, "learners": 1, "samples": failing}), SLIDER)
    assert not sustainable(summarize({"seconds": 1, "learners": 1, "samples": []}), SLIDER)
