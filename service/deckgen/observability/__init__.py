"""Observability: traces (OpenTelemetry) and metrics (Prometheus).

Free of gRPC, so every layer may record metrics; the RPC interceptor that feeds both per call is
part of the API layer (`deckgen.api.ObservabilityInterceptor`).
"""

from deckgen.observability._metrics import (
    CACHE,
    GENERATIONS_IN_FLIGHT,
    IMAGES,
    LLM_TOKENS,
    QUEUED,
    REGISTRY,
    RPC_DURATION,
    RPC_ERRORS,
    STORAGE_DURATION,
    TIME_TO_FIRST_SLIDE,
    serve_metrics,
)
from deckgen.observability._store import InstrumentedStore
from deckgen.observability._tracing import configure_tracing, tracer

__all__ = [
    "CACHE",
    "GENERATIONS_IN_FLIGHT",
    "IMAGES",
    "LLM_TOKENS",
    "QUEUED",
    "REGISTRY",
    "RPC_DURATION",
    "RPC_ERRORS",
    "STORAGE_DURATION",
    "TIME_TO_FIRST_SLIDE",
    "InstrumentedStore",
    "configure_tracing",
    "serve_metrics",
    "tracer",
]
