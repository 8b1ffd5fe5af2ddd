"""Prometheus metrics: what an operator alerts on. Labels never carry user content or secrets."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

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
    "serve_metrics",
]

REGISTRY = CollectorRegistry()

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120)

RPC_DURATION = Histogram(
    "deckgen_rpc_duration_seconds",
    "gRPC calls by method and status code.",
    ("method", "code"),
    buckets=_LATENCY,
    registry=REGISTRY,
)
RPC_ERRORS = Counter(
    "deckgen_rpc_errors_total",
    "gRPC calls that ended with a status other than OK.",
    ("method", "code"),
    registry=REGISTRY,
)
TIME_TO_FIRST_SLIDE = Histogram(
    "deckgen_time_to_first_slide_seconds",
    "From the start of a GeneratePresentation call to its first slide event handed to grpc to send.",
    buckets=_LATENCY,
    registry=REGISTRY,
)
GENERATIONS_IN_FLIGHT = Gauge(
    "deckgen_generations_in_flight", "Generations running in this process.", registry=REGISTRY
)
QUEUED = Gauge(
    "deckgen_generations_queued",
    "Generations accepted but not yet claimed by a worker (the whole queue, shared or not).",
    registry=REGISTRY,
)
QUEUE_RUNNING = Gauge(
    "deckgen_queue_running_jobs", "Jobs claimed by a worker and not yet finished.", registry=REGISTRY
)
QUEUE_OLDEST_AGE = Gauge(
    "deckgen_queue_oldest_job_age_seconds",
    "Age of the oldest unfinished job in the queue (0 when it is empty).",
    registry=REGISTRY,
)
JOB_CLAIMS = Counter(
    "deckgen_job_claims_total",
    "Jobs claimed by this process's worker: `new`, or `takeover` of one another worker left.",
    ("kind",),
    registry=REGISTRY,
)
STREAMS_OPEN = Gauge(
    "deckgen_streams_open", "Generation streams this process is serving to callers.", registry=REGISTRY
)
LLM_TOKENS = Counter(
    "deckgen_llm_tokens_total",
    "Language-model tokens by provider, model and kind (prompt/completion).",
    ("provider", "model", "kind"),
    registry=REGISTRY,
)
IMAGES = Counter(
    "deckgen_images_total",
    "Pictures requested from the images API, by outcome.",
    ("outcome",),
    registry=REGISTRY,
)
STORAGE_DURATION = Histogram(
    "deckgen_storage_operation_seconds",
    "Artifact store operations by operation and outcome.",
    ("operation", "outcome"),
    buckets=_LATENCY,
    registry=REGISTRY,
)
CACHE = Counter(
    "deckgen_cache_requests_total",
    "Content cache lookups by result (hit/miss).",
    ("result",),
    registry=REGISTRY,
)


def serve_metrics(host: str, port: int) -> int:
    """Serve /metrics in a background thread; return the port (useful when `port` is 0)."""
    server, _ = start_http_server(port, addr=host, registry=REGISTRY)
    return int(server.server_port)
