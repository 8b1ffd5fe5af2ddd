"""One server span and one latency sample per RPC, with the caller's W3C trace context as parent."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.trace import SpanKind, Status, StatusCode

from deckgen._grpc import wrap_handler
from deckgen.observability._metrics import RPC_DURATION, RPC_ERRORS
from deckgen.observability._tracing import record_error

__all__ = ["ObservabilityInterceptor"]

_tracer = trace.get_tracer("deckgen.api")
# Probes would drown real traffic in traces and latency histograms.
_QUIET = ("/grpc.health.v1.", "/grpc.reflection.")


def _code_of(context: grpc.aio.ServicerContext, error: BaseException | None) -> grpc.StatusCode:
    code = context.code() if hasattr(context, "code") else None
    if isinstance(code, grpc.StatusCode):
        return code
    if isinstance(code, int):
        return next((c for c in grpc.StatusCode if c.value[0] == code), grpc.StatusCode.UNKNOWN)
    if error is None:
        return grpc.StatusCode.OK
    # Cancellation (a caller who left, a deadline) is a BaseException, not an Exception.
    return grpc.StatusCode.UNKNOWN if isinstance(error, Exception) else grpc.StatusCode.CANCELLED


class _Call:
    """The span and timer of one call; finished exactly once, however the call ends."""

    def __init__(self, method: str, context: grpc.aio.ServicerContext) -> None:
        self.method = method
        self.context = context
        self.started = time.perf_counter()
        carrier = {
            key: value for key, value in (context.invocation_metadata() or ()) if isinstance(value, str)
        }
        parent = extract(carrier)
        service, _, name = method.lstrip("/").partition("/")
        self.span = _tracer.start_span(
            method.lstrip("/"),
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": name},
        )
        self.token = otel_context.attach(trace.set_span_in_context(self.span, parent))

    def finish(self, error: BaseException | None) -> None:
        code = _code_of(self.context, error)
        self.span.set_attribute("rpc.grpc.status_code", code.value[0])
        if code is not grpc.StatusCode.OK:
            self.span.set_status(Status(StatusCode.ERROR, code.name))
            RPC_ERRORS.labels(self.method, code.name).inc()
        if error is not None and isinstance(error, Exception) and not isinstance(error, grpc.aio.AbortError):
            record_error(self.span, error)
        self.span.end()
        RPC_DURATION.labels(self.method, code.name).observe(time.perf_counter() - self.started)
        # ValueError: detached from another task (a stream closed by grpc); the context is gone anyway.
        with contextlib.suppress(ValueError):
            otel_context.detach(self.token)


class ObservabilityInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method
        if handler is None or method.startswith(_QUIET):
            return handler

        @asynccontextmanager
        async def observed(context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
            call = _Call(method, context)
            error: BaseException | None = None
            try:
                yield
            except BaseException as caught:
                error = caught
                raise
            finally:
                call.finish(error)

        return wrap_handler(handler, observed)
