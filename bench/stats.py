"""Timing helpers shared by the benchmarks."""

import statistics
import time
from collections.abc import Callable


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_ms(fn: Callable[[], object], repeat: int = 50, warmup: int = 3) -> dict[str, float]:
    """Median and p95 wall time of fn() in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples)


def summary(samples_ms: list[float]) -> dict[str, float]:
    """n, median and p95 of samples in milliseconds."""
    return {
        "n": len(samples_ms),
        "median_ms": statistics.median(samples_ms),
        "p95_ms": percentile(samples_ms, 95),
    }


def report(label: str, stats: dict[str, float]) -> None:
    """Print one benchmark line."""
    print(
        f"{label:<58} median {stats['median_ms']:8.3f} ms   p95 {stats['p95_ms']:8.3f} ms   (n={stats['n']})"
    )
