"""Wrapping a grpc.aio method handler with something that runs around every call."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import grpc

__all__ = ["Around", "wrap_handler"]

Around = Callable[[grpc.aio.ServicerContext], AbstractAsyncContextManager[None]]
"""Entered before a call's handler runs and exited when the call ends, however it ends."""


def wrap_handler(handler: grpc.RpcMethodHandler, around: Around) -> grpc.RpcMethodHandler:
    """`handler` with `around` wrapped about each call, whichever side streams (reflection's
    bidirectional stream included: nothing may slip past authentication by being a stream)."""
    codecs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    streams_in = handler.request_streaming
    if handler.response_streaming:
        inner_stream = handler.stream_stream if streams_in else handler.unary_stream
        make = grpc.stream_stream_rpc_method_handler if streams_in else grpc.unary_stream_rpc_method_handler
        if not inspect.isasyncgenfunction(inner_stream):
            # A streaming handler written as a coroutine that sends with `context.write`.
            async def writer(request: Any, context: grpc.aio.ServicerContext) -> None:
                async with around(context):
                    await inner_stream(request, context)

            return make(writer, **codecs)

        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            async with around(context):
                async for response in inner_stream(request, context):
                    yield response

        return make(stream, **codecs)
    inner_unary = handler.stream_unary if streams_in else handler.unary_unary

    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        async with around(context):
            return await inner_unary(request, context)

    if streams_in:
        return grpc.stream_unary_rpc_method_handler(unary, **codecs)
    return grpc.unary_unary_rpc_method_handler(unary, **codecs)
