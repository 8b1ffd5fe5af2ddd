"""Observability: traces (OpenTelemetry), metrics (Prometheus) and the RPC interceptor feeding both."""

from deckgen.observability._interceptor import ObservabilityInterceptor
from deckgen.observability._metrics import (
    CACHE,
    GENERATIONS_IN_FLIGHT,
    IMAGES,
    JOB_CLAIMS,
    LLM_TOKENS,
    QUEUE_OLDEST_AGE,
    QUEUE_RUNNING,
    QUEUED,
    REGISTRY,
    RPC_DURATION,
    RPC_ERRORS,
    STORAGE_DURATION,
    STREAMS_OPEN,
    TIME_TO_FIRST_SLIDE,
    serve_metrics,
)
from deckgen.observability._store import InstrumentedStore
from deckgen.observability._tracing import configure_tracing, tracer

__all__ = [
    "CACHE",
    "GENERATIONS_IN_FLIGHT",
    "IMAGES",
    "JOB_CLAIMS",
    "LLM_TOKENS",
    "QUEUED",
    "QUEUE_OLDEST_AGE",
    "QUEUE_RUNNING",
    "REGISTRY",
    "RPC_DURATION",
    "RPC_ERRORS",
    "STORAGE_DURATION",
    "STREAMS_OPEN",
    "TIME_TO_FIRST_SLIDE",
    "InstrumentedStore",
    "ObservabilityInterceptor",
    "configure_tracing",
    "serve_metrics",
    "tracer",
]
