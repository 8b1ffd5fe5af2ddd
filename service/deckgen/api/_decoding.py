"""Requests whose bytes are not the method's message: INVALID_ARGUMENT, and one log line a minute.

grpc.aio deserialises before the handler runs; a `DecodeError` there reaches the caller as UNKNOWN
and leaves an ERROR traceback in the log for every such request (an easy way to flood the logs).
The guard decodes leniently, and the handler it wraps answers the undecodable request itself.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from deckgen.api._errors import status_for
from deckgen.domain import FieldViolation, InvalidRequest

__all__ = ["DecodeGuardInterceptor"]

log = logging.getLogger(__name__)

_LOG_INTERVAL = 60.0


class _Undecodable:
    """Stands for a request message that could not be decoded."""


_UNDECODABLE = _Undecodable()


class _RateLimitedLog:
    """One WARNING per interval, counting the undecodable requests it did not report."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._next = 0.0
        self._suppressed = 0

    def __call__(self, method: str, error: DecodeError) -> None:
        now = self._clock()
        if now < self._next:
            self._suppressed += 1
            return
        log.warning(
            "undecodable request to %s refused (%s); %d more since the last report",
            method,
            str(error)[:200],
            self._suppressed,
        )
        self._next, self._suppressed = now + self._interval, 0


async def _refuse(context: grpc.aio.ServicerContext) -> None:
    error = InvalidRequest(
        [FieldViolation("", "the request bytes are not a valid message of this method's request type")]
    )
    await context.abort_with_status(status_for(error))


class DecodeGuardInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, interval: float = _LOG_INTERVAL) -> None:
        self._report = _RateLimitedLog(interval)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or handler.request_streaming or handler.request_deserializer is None:
            return handler
        decode = handler.request_deserializer
        method = details.method

        def lenient(data: bytes) -> Any:
            try:
                return decode(data)
            except DecodeError as error:
                self._report(method, error)
                return _UNDECODABLE

        if handler.response_streaming and inspect.isasyncgenfunction(handler.unary_stream):
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                if request is _UNDECODABLE:
                    await _refuse(context)
                async for response in inner_stream(request, context):
                    yield response

            return grpc.unary_stream_rpc_method_handler(
                stream, request_deserializer=lenient, response_serializer=handler.response_serializer
            )
        if handler.response_streaming:
            # A streaming handler written as a coroutine sends with `context.write` (health's Watch).
            inner_writer = handler.unary_stream

            async def writer(request: Any, context: grpc.aio.ServicerContext) -> None:
                if request is _UNDECODABLE:
                    await _refuse(context)
                await inner_writer(request, context)

            return grpc.unary_stream_rpc_method_handler(
                writer, request_deserializer=lenient, response_serializer=handler.response_serializer
            )
        inner_unary = handler.unary_unary

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            if request is _UNDECODABLE:
                await _refuse(context)
            return await inner_unary(request, context)

        return grpc.unary_unary_rpc_method_handler(
            unary, request_deserializer=lenient, response_serializer=handler.response_serializer
        )
