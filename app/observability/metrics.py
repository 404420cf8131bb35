"""Prometheus metrics the lab exports at /metrics."""

from prometheus_client import Counter

REJECTED = Counter(
    "lab_rejected_requests_total", "Requests refused before any work: busy (503) or rate limited (429).", ["reason"]
)
