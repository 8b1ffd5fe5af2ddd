"""Observability: traces (OpenTelemetry), metrics (Prometheus), JSON logs, and what keeps secrets and
request content out of all three.

Free of gRPC, so every layer may record metrics; the RPC interceptor that feeds both per call is
part of the API layer (`deckgen.api.ObservabilityInterceptor`).
"""

from deckgen.observability._logging import DEFAULT_MAX_RECORD_BYTES, JsonFormatter, configure_logging
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
from deckgen.observability._redact import REDACTED, safe_traceback, scrub, summarize
from deckgen.observability._store import InstrumentedStore
from deckgen.observability._tracing import ScrubbingExporter, configure_tracing, record_error, tracer

__all__ = [
    "CACHE",
    "DEFAULT_MAX_RECORD_BYTES",
    "GENERATIONS_IN_FLIGHT",
    "IMAGES",
    "JOB_CLAIMS",
    "LLM_TOKENS",
    "QUEUED",
    "QUEUE_OLDEST_AGE",
    "QUEUE_RUNNING",
    "REDACTED",
    "REGISTRY",
    "RPC_DURATION",
    "RPC_ERRORS",
    "STORAGE_DURATION",
    "STREAMS_OPEN",
    "TIME_TO_FIRST_SLIDE",
    "InstrumentedStore",
    "JsonFormatter",
    "ScrubbingExporter",
    "configure_logging",
    "configure_tracing",
    "record_error",
    "safe_traceback",
    "scrub",
    "serve_metrics",
    "summarize",
    "tracer",
]
