"""OpenTelemetry tracing, on only when an OTLP endpoint is configured (the standard OTEL_* variables).

Without `OTEL_EXPORTER_OTLP_ENDPOINT` (or its traces-specific variant) no provider is installed:
the API's no-op tracer costs next to nothing and nothing is exported. What is exported goes
through `ScrubbingExporter`: no key-like string leaves in an attribute, an event or a status.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Status

from deckgen.observability._redact import safe_traceback, scrub, summarize, truncate

__all__ = ["ScrubbingExporter", "configure_tracing", "record_error", "tracer"]

log = logging.getLogger(__name__)

_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
# Longest string attribute exported (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT overrides it).
_MAX_ATTRIBUTE_CHARS = 4096


# Marks exception events written by `record_error`; any other (the SDK's `record_exception`, called
# by code that knows no better) is reduced on export to what cannot carry request content.
_SUMMARIZED = "deckgen.exception.summarized"
_EXCEPTION_NAME = re.compile(r"^[A-Za-z_][\w.]*$")
_FRAME = re.compile(r'^  File "[^"\n]+", line \d+, in [\w<>.]+$')


def record_error(span: trace.Span, error: BaseException) -> None:
    """`span.record_exception`, telling the exception by its type and a summary, never its raw text."""
    kind = type(error)
    span.add_event(
        "exception",
        {
            "exception.type": f"{kind.__module__}.{kind.__qualname__}",
            "exception.message": summarize(error),
            "exception.stacktrace": safe_traceback(error),
            _SUMMARIZED: True,
        },
    )


def _reduce_exception(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    reduced = dict(attributes or {})
    if reduced.get(_SUMMARIZED):
        return reduced
    message = str(reduced.get("exception.message", ""))
    if not str(reduced.get("exception.type", "")).startswith("deckgen."):
        reduced["exception.message"] = f"(message withheld, {len(message)} characters)"
    stack = str(reduced.get("exception.stacktrace", ""))
    # Only the frame lines: the exception lines in between quote messages.
    reduced["exception.stacktrace"] = "\n".join(line for line in stack.splitlines() if _FRAME.match(line))
    return reduced


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return truncate(scrub(value), _MAX_ATTRIBUTE_CHARS)
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return tuple(_clean_value(item) for item in value)
    return value


def _clean(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: _clean_value(value) for key, value in (attributes or {}).items()}


def _status_description(description: str) -> str:
    # The SDK's `start_as_current_span` describes an escaping exception as "<Type>: <message>".
    kind, colon, _ = description.partition(": ")
    if colon and _EXCEPTION_NAME.match(kind):
        return kind
    return truncate(scrub(description), 200)


class ScrubbingExporter(SpanExporter):
    """Exports copies of the spans whose strings went through `scrub` (the last line of defence)."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([self._copy(span) for span in spans])

    @staticmethod
    def _copy(span: ReadableSpan) -> ReadableSpan:
        status = span.status
        description = _status_description(status.description) if status.description else None
        return ReadableSpan(
            name=scrub(span.name),
            context=span.context,
            parent=span.parent,
            resource=span.resource,
            attributes=_clean(span.attributes),
            events=[
                Event(
                    e.name,
                    _clean(_reduce_exception(e.attributes) if e.name == "exception" else e.attributes),
                    e.timestamp,
                )
                for e in span.events
            ],
            links=span.links,
            kind=span.kind,
            status=Status(status.status_code, description),
            start_time=span.start_time,
            end_time=span.end_time,
            instrumentation_scope=span.instrumentation_scope,
        )

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def configure_tracing(environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """Install an SDK tracer provider exporting by OTLP/gRPC when an endpoint is configured."""
    env = os.environ if environ is None else environ
    if not any(env.get(name) for name in _ENDPOINT_VARIABLES) or env.get("OTEL_SDK_DISABLED") == "true":
        return None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; the provider reads
    # OTEL_TRACES_SAMPLER(_ARG); the exporter reads the endpoint, headers and TLS settings.
    resource = Resource.create({"service.name": env.get("OTEL_SERVICE_NAME", "deckgen")})
    own_limit = not env.get("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")
    limits = SpanLimits(max_attribute_length=_MAX_ATTRIBUTE_CHARS) if own_limit else None
    provider = TracerProvider(resource=resource, span_limits=limits)
    provider.add_span_processor(BatchSpanProcessor(ScrubbingExporter(OTLPSpanExporter())))
    trace.set_tracer_provider(provider)
    log.info("tracing: exporting spans by OTLP")
    return provider


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)
