"""Metrics read from one app's state when /metrics is scraped: the model gate and the logits cache.

They live in a registry of the app's own (not the process-wide one) so that each app built in a
process, as the tests build many, reports its own gate and cache.
"""

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from app.capacity.gate import ModelGate
from app.labmodel.service import LogitsCache


class AppStateCollector(Collector):
    """The gate's slots and queue, and the logits cache's hits, misses and size, as they are now."""

    def __init__(self, gate: ModelGate, cache: LogitsCache) -> None:
        self.gate = gate
        self.cache = cache

    def collect(self) -> Iterator[Metric]:
        gate, cache = self.gate, self.cache
        yield GaugeMetricFamily(
            "lab_model_in_flight", "Model requests holding a slot now.", value=gate.in_flight
        )
        yield GaugeMetricFamily(
            "lab_model_queue_length", "Model requests waiting for a slot now.", value=gate.waiting
        )
        yield GaugeMetricFamily(
            "lab_model_slots", "Model requests allowed at once (MODEL_WORKERS).", value=gate.slots
        )
        yield GaugeMetricFamily(
            "lab_model_queue_capacity", "Model requests allowed to wait (MODEL_QUEUE).", value=gate.queue
        )
        yield CounterMetricFamily(
            "lab_logits_cache_hits", "Next-token logits served from the cache.", value=cache.hits
        )
        yield CounterMetricFamily(
            "lab_logits_cache_misses", "Next-token logits the model had to compute.", value=cache.misses
        )
        looked_up = cache.hits + cache.misses
        yield GaugeMetricFamily(
            "lab_logits_cache_hit_ratio",
            "Share of logits look-ups served from the cache since start (0 before any).",
            value=cache.hits / looked_up if looked_up else 0.0,
        )
        yield GaugeMetricFamily("lab_logits_cache_entries", "Prompts cached now.", value=len(cache))


def app_registry(gate: ModelGate, cache: LogitsCache) -> CollectorRegistry:
    """A registry holding only this app's state metrics."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(AppStateCollector(gate, cache))
    return registry
