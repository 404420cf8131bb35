"""Prometheus metrics the lab exports at /metrics."""

from prometheus_client import Counter

REJECTED = Counter(
    "lab_rejected_requests_total",
    "Requests refused before any work: busy (503) or rate limited (429).",
    ["reason"],
)

from prometheus_client import Histogram  # noqa: E402 - the shared definition above stays verbatim

# Latency buckets from a cached slider move (a few ms) to a page that waited for a model slot (seconds).
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "lab_http_requests_total",
    "HTTP requests answered, by method, route template (not the raw path) and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "lab_http_request_duration_seconds",
    "Time from request received to response sent, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
MODEL_WORK = Histogram(
    "lab_model_work_seconds",
    "Time a request held a model slot: the model's inference and the response built around it.",
    ["model"],
    buckets=LATENCY_BUCKETS,
)
MODEL_WAIT = Histogram(
    "lab_model_queue_wait_seconds",
    "Time a request waited in the queue for a model slot (0 when one was free).",
    ["model"],
    buckets=(0.0, *LATENCY_BUCKETS),
)
