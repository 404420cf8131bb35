"""GET /healthz (is the lab able to serve?) and GET /metrics (Prometheus text format)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 {"status": "ok"} when the database answers; 503 saying why when it does not.

    Async and free of the request's session: it never waits for a worker thread, a pooled database
    connection or a model slot (app/observability/health.py).
    """
    health = await request.app.state.database_probe.check()
    if health.ok:
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable", "database": health.detail}, status_code=503)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Every metric of this process (requests, latency, model work, refusals) and of this app's state.

    Per process: with several workers, each scrape reads the worker that answered it.
    """
    body = generate_latest(REGISTRY) + generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
