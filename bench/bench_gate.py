"""Benchmark what the model gate and the metrics middleware add to a request.

Three measurements, in this process: taking and giving back a free slot (no waiting); the same trivial
route with and without the gate's dependency, through FastAPI over ASGI; and a trivial app with and
without the metrics middleware. The "with" and "without" requests alternate so that noise hits both
alike; the difference of the medians is the overhead. Run alone with `python -m bench bench_gate`.
"""

import asyncio
import time

import httpx
from fastapi import FastAPI

from app.capacity.deps import LabModelSlot
from app.capacity.gate import ModelGate
from app.observability.middleware import MetricsMiddleware
from app.ratelimit.limiter import RateLimiter
from app.security.cookies import LearnerCookie
from bench.stats import report, summary

ROUNDS = 2000


UNREACHED = "1000000/second;100000000/minute"


async def _slot_round_trips(gate: ModelGate, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await gate.acquire()
        gate.release(0.0)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _tiny_app(*, gated: bool, metrics: bool) -> FastAPI:
    app = FastAPI()
    app.state.model_gate = ModelGate(2, 16)
    # The slot counts the request against the rate limits first: the lab's limiter, with limits so high
    # that every request passes (the cost of counting is what is timed).
    app.state.rate_limiter = RateLimiter(per_learner=UNREACHED, per_address=UNREACHED)
    app.state.cookies = LearnerCookie("bench-secret", secure=False)

    @app.get("/work", dependencies=[LabModelSlot] if gated else [])
    def work() -> dict[str, int]:
        return {"ok": 1}

    if metrics:
        app.add_middleware(MetricsMiddleware)
    return app


async def _paired(with_app: FastAPI, without_app: FastAPI, n: int) -> tuple[list[float], list[float]]:
    transport_with = httpx.ASGITransport(app=with_app)
    transport_without = httpx.ASGITransport(app=without_app)
    async with (
        httpx.AsyncClient(transport=transport_with, base_url="http://bench") as a,
        httpx.AsyncClient(transport=transport_without, base_url="http://bench") as b,
    ):
        for _ in range(50):  # warm-up
            await a.get("/work")
            await b.get("/work")
        with_ms, without_ms = [], []
        for _ in range(n):
            for client, samples in ((a, with_ms), (b, without_ms)):
                started = time.perf_counter()
                response = await client.get("/work")
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    return with_ms, without_ms


def main() -> dict:
    """Print and return every measurement."""
    results: dict = {}
    results["slot"] = summary(asyncio.run(_slot_round_trips(ModelGate(2, 16), ROUNDS * 5)))
    report("gate: take and give back a free slot", results["slot"])

    gated, plain = asyncio.run(
        _paired(_tiny_app(gated=True, metrics=False), _tiny_app(gated=False, metrics=False), ROUNDS)
    )
    results["gated"], results["ungated"] = summary(gated), summary(plain)
    report("trivial route over ASGI, with the gate", results["gated"])
    report("trivial route over ASGI, without it", results["ungated"])

    measured, bare = asyncio.run(
        _paired(_tiny_app(gated=False, metrics=True), _tiny_app(gated=False, metrics=False), ROUNDS)
    )
    results["metrics"], results["bare"] = summary(measured), summary(bare)
    report("trivial route over ASGI, with the metrics middleware", results["metrics"])
    report("trivial route over ASGI, without it", results["bare"])

    for label, a, b in (("gate", "gated", "ungated"), ("metrics middleware", "metrics", "bare")):
        median = results[a]["median_ms"] - results[b]["median_ms"]
        p95 = results[a]["p95_ms"] - results[b]["p95_ms"]
        us = f"median {median * 1000:+.0f} µs, p95 {p95 * 1000:+.0f} µs"
        print(f"overhead of the {label} per request: {us}")
    return results


if __name__ == "__main__":
    main()
