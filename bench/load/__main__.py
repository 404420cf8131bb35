"""`python -m bench.load` (`make bench-load`): many simulated learners against real servers, bounded.

For each configuration a real server process starts on 127.0.0.1 on a fresh database (the lab as
`python -m app` with WORKERS, PORT, DATABASE_URL and VAR_DIR; a throwaway PostgreSQL cluster for postgres-N;
the bare FastAPI app for the ceiling), settles (MiniLM and the search index load in the background),
takes the learners for the given time (bench/load/run.py, a locust process), and is stopped after its
resident memory is read. Per route: requests, served p50/p95/p99, errors, 503 and 429 refusals, req/s;
per configuration: worker processes found, served req/s, the targets, server RSS. Markdown on stdout.

--steps 20,50,100 runs each configuration at each learner count in turn and reports the sustainable
throughput: the highest step with 0 errors and slider p95 <= 100 ms.
--app-root runs another checkout's lab (an older commit, for a before/after) under the same harness.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from app.config import ROOT
from bench.load.postgres import PostgresUnavailable, cluster
from bench.load.report import overview_table, route_table, summarize, sustainable
from bench.load.routes import HEALTH, LESSON, ROUTES, SLIDER
from bench.server import _free_port, wait_until_healthy, wait_until_ready

CONFIG = re.compile(r"^(sqlite|postgres)-(\d+)$|^bare$")
DEFAULT_CONFIGS = "sqlite-1,sqlite-2,postgres-2,bare"


def process_tree(root: int) -> list[int]:
    """root and every process descended from it (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_mb(pids: list[int]) -> float:
    """Resident memory summed over the processes (VmRSS), in MB."""
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total_kb += int(found.group(1)) if found else 0
    return total_kb / 1024


def worker_count(pids: list[int]) -> int:
    """Serving processes: uvicorn's spawned workers, or the one process when it has none."""
    spawned = 0
    for pid in pids[1:]:
        try:
            spawned += b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
    return spawned or 1


def start(
    config: str, folder: Path, database_url: str | None, app_root: Path
) -> tuple[subprocess.Popen, str]:
    """The configuration's server, in its own process group, once it answers and has settled."""
    port = _free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - the server writes to it until it stops
    if config == "bare":
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.load.bare_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "info",
        ]
        cwd, env = ROOT, dict(os.environ)
    else:
        workers = CONFIG.match(config).group(2)
        command, cwd = [sys.executable, "-m", "app"], app_root
        env = os.environ | {
            "WORKERS": workers,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "VAR_DIR": str(folder),
            "DATABASE_URL": database_url or f"sqlite:///{folder / 'lab.db'}",
            "SECRET_KEY": "bench-load",
            # Every simulated learner comes from 127.0.0.1; in a class each has an address of its own, so
            # the per-address limit is off here and only the per-learner limit applies.
            "RATE_LIMIT_ADDRESS": "",
            # The README's advice for several workers: the cores shared out, so the workers together run
            # no more model work at once than there are cores.
            "MODEL_WORKERS": str(max(1, (os.cpu_count() or 1) // int(workers))),
        }
    server = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(server, url, deadline_s=180)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}; its log: {folder / 'server.log'}") from exc
    if config != "bare":
        for _ in range(4):  # new connections each time, so that with luck every worker has settled
            wait_until_ready(url, "/api/search", {"query": "tokens"}, ready=frozenset({200, 404, 405}))
    return server, url


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (uvicorn stops its workers), SIGKILL if it lingers."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def load(
    url: str, learners: int, seconds: float, *, bare: bool, think: str, folder: Path, every: bool
) -> dict:
    """One locust run in its own process; its samples."""
    out = folder / f"samples-{learners}.json"
    command = [
        sys.executable,
        "-m",
        "bench.load.run",
        url,
        str(learners),
        str(seconds),
        str(out),
        "--think",
        think,
    ]
    command += (["--bare"] if bare else []) + (["--until-every-route"] if every and not bare else [])
    subprocess.run(command, cwd=ROOT, check=True, timeout=seconds + 180)
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    """Run every configuration and print the report; exit status 1 if a configuration could not run."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=100, help="simulated learners (default 100)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run (default 60)")
    parser.add_argument(
        "--configs", default=DEFAULT_CONFIGS, help=f"comma-separated (default {DEFAULT_CONFIGS})"
    )
    parser.add_argument(
        "--steps", help="learner counts to step through, e.g. 20,50,100 (overrides --learners)"
    )
    parser.add_argument("--think", default="0.2,1.0", help="seconds between a learner's actions: MIN,MAX")
    parser.add_argument(
        "--until-every-route",
        action="store_true",
        help="a run goes on (60 s at most) until every route is seen",
    )
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose lab is served")
    parser.add_argument("--json", type=Path, help="also write every statistic to this file")
    args = parser.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    bad = [c for c in configs if not CONFIG.match(c)]
    if bad:
        parser.error(f"unknown configuration {', '.join(bad)}: use sqlite-N, postgres-N or bare")
    steps = [int(s) for s in args.steps.split(",")] if args.steps else [args.learners]

    print(
        f"# Load: {', '.join(map(str, steps))} learners, {args.seconds:g} s each, "
        f"acting every {args.think} s, lab from {args.app_root}",
        flush=True,
    )
    rows, skipped = [], []
    for config in configs:
        with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="lab-load-") as tmp:
            folder = Path(tmp)
            try:
                database_url = None
                if config.startswith("postgres"):
                    database_url = stack.enter_context(cluster(_free_port()))
                started = time.monotonic()
                server, url = start(config, folder, database_url, args.app_root)
                print(f"\n{config}: serving and settled in {time.monotonic() - started:.1f} s", flush=True)
            except (PostgresUnavailable, RuntimeError) as exc:
                print(f"\n## {config}: skipped: {exc}", flush=True)
                skipped.append(config)
                continue
            try:
                for learners in steps:
                    run = load(
                        url,
                        learners,
                        args.seconds,
                        bare=config == "bare",
                        think=args.think,
                        folder=folder,
                        every=args.until_every_route,
                    )
                    pids = process_tree(server.pid)
                    row = {
                        "config": config,
                        "workers": worker_count(pids),
                        "rss_mb": rss_mb(pids),
                        "summary": summarize(run, () if config == "bare" else ROUTES),
                    }
                    rows.append(row)
                    print_config(row)
                    time.sleep(2)  # what is still queued drains before the next step
            finally:
                stop(server)

    print("\n## Overview\n")
    print(overview_table(rows, SLIDER, HEALTH, LESSON))
    print(
        "\nServed = 2xx/3xx; percentiles are of served answers; 503/429 are deliberate refusals, "
        "counted apart from errors; RSS is the server's processes together, after the run."
    )
    if args.steps:
        for config in dict.fromkeys(r["config"] for r in rows):
            if config == "bare":
                continue
            ok = [r for r in rows if r["config"] == config and sustainable(r["summary"], SLIDER)]
            best = max(ok, key=lambda r: r["summary"]["learners"], default=None)
            verdict = "none of the steps"
            if best:
                served = best["summary"]["totals"]["served_per_s"]
                verdict = f"{best['summary']['learners']} learners ({served:.1f} req/s served)"
            print(f"\nSustainable (0 errors, slider p95 <= 100 ms) on {config}: {verdict}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "skipped": skipped}, indent=1))
    return 1 if skipped else 0


def print_config(row: dict) -> None:
    """One configuration's (or step's) table and its targets."""
    s, t = row["summary"], row["summary"]["totals"]
    print(
        f"\n## {row['config']}: {row['workers']} worker process(es), {s['learners']} learners, "
        f"{s['seconds']:.0f} s, server RSS {row['rss_mb']:.0f} MB after the run\n"
    )
    print(route_table(s))
    print(
        f"\n{t['requests']} requests, {t['served']} served ({t['served_per_s']:.1f}/s), "
        f"{t['errors']} errors, {t['refused_503']} refused with 503, {t['refused_429']} with 429"
    )
    for label, names in (
        ("absent (every answer 404)", s["absent"]),
        ("never requested", s["missing"]),
        ("failed inside the simulated learner", s["task_errors"]),
    ):
        if names:
            print(f"{label}: {'; '.join(names)}")
    if s["client_cpu_s"] is not None:  # on a small machine the learners compete with the server for the cores
        print(f"the simulated learners used {s['client_cpu_s']:.1f} s of CPU in {s['seconds']:.0f} s")
    asked = CONFIG.match(row["config"]).group(2)
    if asked and int(asked) != row["workers"]:
        print(f"note: WORKERS={asked} was asked for, {row['workers']} serving process(es) found")
    if row["config"] != "bare":
        slider = s["routes"].get(SLIDER, {}).get("p95_ms")
        health = s["routes"].get(HEALTH, {}).get("p95_ms")
        print(
            f"targets: 0 errors {'met' if t['errors'] == 0 else 'MISSED'}; "
            f"slider p95 <= 100 ms {_verdict(slider, 100)}; /healthz p95 < 50 ms {_verdict(health, 50)}"
        )
    sys.stdout.flush()


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    return f"{'met' if value <= target else 'MISSED'} ({value:.0f} ms)"


if __name__ == "__main__":
    sys.exit(main())
