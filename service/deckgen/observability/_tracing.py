"""OpenTelemetry tracing, on only when an OTLP endpoint is configured (the standard OTEL_* variables).

Without `OTEL_EXPORTER_OTLP_ENDPOINT` (or its traces-specific variant) no provider is installed:
the API's no-op tracer costs next to nothing and nothing is exported.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

__all__ = ["configure_tracing", "tracer"]

log = logging.getLogger(__name__)

_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def configure_tracing(environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """Install an SDK tracer provider exporting by OTLP/gRPC when an endpoint is configured."""
    env = os.environ if environ is None else environ
    if not any(env.get(name) for name in _ENDPOINT_VARIABLES) or env.get("OTEL_SDK_DISABLED") == "true":
        return None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; the provider reads
    # OTEL_TRACES_SAMPLER(_ARG); the exporter reads the endpoint, headers and TLS settings.
    resource = Resource.create({"service.name": env.get("OTEL_SERVICE_NAME", "deckgen")})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    log.info("tracing: exporting spans by OTLP")
    return provider


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)
