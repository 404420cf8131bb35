"""Per-route statistics of one load run, and the Markdown tables printed for the README.

An answer is *served* (2xx/3xx), a *refusal* (503 or 429: the lab deliberately turning work away, counted
apart), *absent* (every answer of that route was 404: an older lab without the route) or an *error*
(anything else: other 4xx and 5xx, time-outs and dropped connections, status 0). Latency percentiles are
over the served answers, as the targets are stated.
"""

from dataclasses import dataclass, field

from bench.stats import percentile

SLIDER_TARGET_MS = 100
HEALTH_TARGET_MS = 50


@dataclass
class RouteStats:
    """One route's answers in one run."""

    route: str
    served_ms: list[float] = field(default_factory=list)
    refused_503: int = 0
    refused_429: int = 0
    refused_without_retry_after: int = 0
    not_found: int = 0
    errors: dict[int, int] = field(default_factory=dict)  # status (0: no answer) -> count

    @property
    def count(self) -> int:
        refused = self.refused_503 + self.refused_429
        return len(self.served_ms) + refused + self.not_found + sum(self.errors.values())

    @property
    def absent(self) -> bool:
        """Every answer was 404: the route does not exist in the lab under test."""
        return self.not_found > 0 and self.not_found == self.count

    @property
    def error_count(self) -> int:
        """Errors, with the 404s of a route that exists (some answers were not 404) among them."""
        return sum(self.errors.values()) + (0 if self.absent else self.not_found)

    def p(self, q: float) -> float | None:
        return percentile(self.served_ms, q) if self.served_ms else None

    def as_dict(self, seconds: float) -> dict:
        """Everything a caller may check, in plain values."""
        return {
            "count": self.count,
            "served": len(self.served_ms),
            "p50_ms": self.p(50),
            "p95_ms": self.p(95),
            "p99_ms": self.p(99),
            "errors": self.error_count,
            "error_statuses": {str(k): v for k, v in sorted(self.errors.items())},
            "not_found": self.not_found,
            "absent": self.absent,
            "refused_503": self.refused_503,
            "refused_429": self.refused_429,
            "refused_without_retry_after": self.refused_without_retry_after,
            "per_s": self.count / seconds if seconds else 0.0,
        }


def route_stats(samples: list[list]) -> dict[str, RouteStats]:
    """Group (route, status, ms, has Retry-After) samples by route."""
    routes: dict[str, RouteStats] = {}
    for route, status, ms, retry_after in samples:
        stats = routes.setdefault(route, RouteStats(route))
        if 200 <= status < 400:
            stats.served_ms.append(ms)
        elif status in (503, 429):
            if status == 503:
                stats.refused_503 += 1
            else:
                stats.refused_429 += 1
            if not retry_after:
                stats.refused_without_retry_after += 1
        elif status == 404:
            stats.not_found += 1
        else:
            stats.errors[status] = stats.errors.get(status, 0) + 1
    return routes


def summarize(run: dict, routes_expected: tuple[str, ...] = ()) -> dict:
    """A run's per-route statistics and totals; a route expected but never requested is listed as missing."""
    seconds = run["seconds"]
    routes = route_stats(run["samples"])
    per_route = {name: routes[name].as_dict(seconds) for name in sorted(routes)}
    served = sum(r["served"] for r in per_route.values())
    totals = {
        "requests": sum(r["count"] for r in per_route.values()),
        "served": served,
        "served_per_s": served / seconds if seconds else 0.0,
        "errors": sum(r["errors"] for r in per_route.values()) + len(run.get("task_errors", [])),
        "refused_503": sum(r["refused_503"] for r in per_route.values()),
        "refused_429": sum(r["refused_429"] for r in per_route.values()),
    }
    return {
        "learners": run["learners"],
        "seconds": seconds,
        "routes": per_route,
        "totals": totals,
        "absent": sorted(name for name, r in per_route.items() if r["absent"]),
        "missing": sorted(set(routes_expected) - set(per_route)),
        "task_errors": sorted(set(run.get("task_errors", []))),
        "client_cpu_s": run.get("client_cpu_s"),
    }


def sustainable(summary: dict, slider_route: str) -> bool:
    """0 errors and the slider's p95 (served answers) within target."""
    slider = summary["routes"].get(slider_route, {}).get("p95_ms")
    return summary["totals"]["errors"] == 0 and slider is not None and slider <= SLIDER_TARGET_MS


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def route_table(summary: dict) -> str:
    """Markdown: one row per route."""
    lines = [
        "| route | requests | served p50 ms | p95 ms | p99 ms | errors | 503 | 429 | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in summary["routes"].items():
        if r["absent"]:
            lines.append(f"| {name} | {r['count']} | absent (404) | | | | | | |")
            continue
        statuses = r["error_statuses"] | ({"404": r["not_found"]} if r["not_found"] else {})
        errors = str(r["errors"])
        if statuses:
            named = (f"{'no answer' if k == '0' else k}: {v}" for k, v in statuses.items())
            errors += " (" + ", ".join(named) + ")"
        lines.append(
            f"| {name} | {r['count']} | {_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | {_ms(r['p99_ms'])} | "
            f"{errors} | {r['refused_503']} | {r['refused_429']} | {r['per_s']:.1f} |"
        )
    return "\n".join(lines)


def overview_table(rows: list[dict], slider_route: str, health_route: str, page_route: str) -> str:
    """Markdown: one row per configuration (or per step of learners)."""
    lines = [
        "| configuration | workers | learners | served req/s | errors | 503 | 429 | slider p95 ms | "
        "/healthz p95 ms | lesson page p95 ms | server RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        s, t = row["summary"], row["summary"]["totals"]
        p95 = {name: _ms(r["p95_ms"]) for name, r in s["routes"].items()}
        slider, health, page = (p95.get(name, "–") for name in (slider_route, health_route, page_route))
        lines.append(
            f"| {row['config']} | {row['workers']} | {s['learners']} | {t['served_per_s']:.1f} | "
            f"{t['errors']} | {t['refused_503']} | {t['refused_429']} | {slider} | {health} | {page} | "
            f"{row['rss_mb']:.0f} |"
        )
    return "\n".join(lines)
