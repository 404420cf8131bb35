"""/metrics in Prometheus text format, and /healthz's own database probe."""

import time

from prometheus_client.parser import text_string_to_metric_families

from app.observability.health import DatabaseProbe
from app.observability.metrics import REJECTED


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, keyed by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_is_prometheus_text_and_never_cached(client):
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    assert "# TYPE lab_http_requests_total counter" in response.text
    assert "# TYPE lab_rejected_requests_total counter" in response.text
    assert "set-cookie" not in response.headers  # no learner made for a scraper


def test_requests_are_counted_by_route_template_not_raw_path(client):
    before = scrape(client)
    for slug in ("tokenization", "attention-mechanism"):
        assert client.get(f"/lessons/{slug}").status_code == 200
    client.get("/lessons/no-such-lesson")
    client.get("/no/such/page/at/all")
    after = scrape(client)
    lesson_ok = {"method": "GET", "route": "/lessons/{slug}", "status": "200"}
    assert (
        value(after, "lab_http_requests_total", **lesson_ok)
        - value(before, "lab_http_requests_total", **lesson_ok)
        == 2
    )
    assert value(after, "lab_http_requests_total", method="GET", route="/lessons/{slug}", status="404") >= 1
    assert value(after, "lab_http_requests_total", method="GET", route="unmatched", status="404") >= 1
    assert not any("no-such-lesson" in str(key) or "/no/such" in str(key) for key in after)
    timed = ("lab_http_request_duration_seconds_count", (("method", "GET"), ("route", "/lessons/{slug}")))
    assert after[timed] - before.get(timed, 0) == 3


def test_model_work_queue_and_logits_cache_are_reported(client):
    before = scrape(client)
    for _ in range(3):
        assert client.post("/api/next-token", json={"prompt": "A prompt seen three times"}).status_code == 200
    after = scrape(client)
    work = "lab_model_work_seconds_count"
    assert value(after, work, model="lab") - value(before, work, model="lab") == 3
    assert value(after, "lab_model_queue_wait_seconds_count", model="lab") >= 3
    assert value(after, "lab_logits_cache_misses_total") == 1  # this app's own cache: computed once...
    assert value(after, "lab_logits_cache_hits_total") == 2  # ...then served twice
    assert abs(value(after, "lab_logits_cache_hit_ratio") - 2 / 3) < 1e-9
    assert value(after, "lab_model_in_flight") == 0 and value(after, "lab_model_queue_length") == 0
    slots = client.app.state.settings.model_workers
    assert value(after, "lab_model_slots") == slots and value(after, "lab_model_queue_capacity") == 16


def test_busy_refusals_are_counted(settings):
    from fastapi.testclient import TestClient

    from app.main import create_app

    app = create_app(settings.model_copy(update={"model_workers": 1, "model_queue": 0}))
    before = REJECTED.labels(reason="busy")._value.get()
    with TestClient(app) as client:
        assert app.state.model_gate.try_acquire()
        try:
            assert client.post("/api/attention", json={"text": "hi"}).status_code == 503
        finally:
            app.state.model_gate.release()
        samples = scrape(client)
    assert value(samples, "lab_rejected_requests_total", reason="busy") == before + 1
    assert value(samples, "lab_http_requests_total", method="POST", route="/api/attention", status="503") >= 1


def test_healthz_reports_an_unreachable_database_as_503(client, tmp_path):
    client.app.state.database_probe = DatabaseProbe(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable" and "database error" in response.json()["database"]


def test_health_probes_are_shared_and_reused_briefly(tmp_path):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    probe = DatabaseProbe(f"sqlite:///{tmp_path / 'lab.db'}", fresh_for=60)
    calls = 0
    query = probe._query

    def counted():
        nonlocal calls
        calls += 1
        time.sleep(0.05)
        return query()

    probe._query = counted

    async def many():
        return await asyncio.gather(*(probe.check() for _ in range(20)))

    with ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(asyncio.run, many()).result(timeout=10)
        again = pool.submit(asyncio.run, probe.check()).result(timeout=10)
    probe.close()
    assert all(r.ok for r in results) and again.ok
    assert calls == 1  # twenty checks at once ran one query; the next one reused its answer


def test_a_database_that_hangs_is_reported_within_the_timeout(tmp_path):
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    probe = DatabaseProbe(f"sqlite:///{tmp_path / 'lab.db'}", timeout=0.2)
    hang = threading.Event()
    probe._query = lambda: hang.wait(5)  # a database that does not answer
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as pool:
        health = pool.submit(asyncio.run, probe.check()).result(timeout=10)
    hang.set()
    probe.close()
    assert not health.ok and "did not answer within 0.2 s" in health.detail
    assert time.perf_counter() - started < 1.5


def test_healthz_still_answers_after_the_app_lifespan_ends_and_starts_again(app):
    """A lifespan that shuts down closes the probe's thread; a second start must not make /healthz a 500."""
    from fastapi.testclient import TestClient

    for _ in range(2):
        with TestClient(app) as client:
            assert client.get("/healthz").json() == {"status": "ok"}
