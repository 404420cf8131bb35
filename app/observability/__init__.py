"""Observability: Prometheus metrics at /metrics and a health check that never waits behind the work."""
