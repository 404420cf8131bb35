"""Run every benchmark module (bench/bench_*.py) and print its medians and p95s."""

import importlib
import pkgutil
import sys
import time

import torch

import bench
from app.config import get_settings


def main() -> None:
    """Import each bench_* module in name order and call its main()."""
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    only = set(sys.argv[1:])
    torch.set_num_threads(get_settings().torch_threads)  # measure with the threads the app serves with
    print(f"torch threads: {torch.get_num_threads()}")
    started = time.perf_counter()
    for name in names:
        if only and name not in only:
            continue
        print(f"\n== {name} ==", flush=True)
        importlib.import_module(f"bench.{name}").main()
    print(f"\nall benchmarks ran in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
