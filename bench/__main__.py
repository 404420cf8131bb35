"""Run every benchmark module (bench/bench_*.py) and print its medians and p95s.

Each module runs in a fresh interpreter: one that has already loaded the embedding model or the
transformer carries a heap whose garbage collections land inside the next module's timings.
"""

import pkgutil
import subprocess
import sys
import time

import bench

RUN_ONE = (
    "import sys, torch; from app.config import get_settings; "
    "torch.set_num_threads(get_settings().torch_threads); "  # the threads the app serves with
    "import importlib; importlib.import_module('bench.' + sys.argv[1]).main()"
)


def main() -> None:
    """Run each bench_* module's main() in name order, or only the modules named on the command line."""
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    only = set(sys.argv[1:])
    started = time.perf_counter()
    failed = []
    for name in names:
        if only and name not in only:
            continue
        print(f"\n== {name} ==", flush=True)
        if subprocess.run([sys.executable, "-c", RUN_ONE, name]).returncode != 0:
            failed.append(name)
    print(f"\nall benchmarks ran in {time.perf_counter() - started:.1f} s")
    if failed:
        sys.exit(f"benchmarks that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
