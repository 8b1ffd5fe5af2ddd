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
    """`handler` with `around` wrapped about each call (unary and server-streaming methods)."""
    if handler.request_streaming:
        return handler  # deckgen has no client-streaming methods
    if handler.response_streaming and not inspect.isasyncgenfunction(handler.unary_stream):
        # A streaming handler written as a coroutine that sends with `context.write`.
        inner_writer = handler.unary_stream

        async def writer(request: Any, context: grpc.aio.ServicerContext) -> None:
            async with around(context):
                await inner_writer(request, context)

        return grpc.unary_stream_rpc_method_handler(
            writer,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.response_streaming:
        inner_stream = handler.unary_stream

        async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            async with around(context):
                async for response in inner_stream(request, context):
                    yield response

        return grpc.unary_stream_rpc_method_handler(
            stream,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    inner_unary = handler.unary_unary

    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        async with around(context):
            return await inner_unary(request, context)

    return grpc.unary_unary_rpc_method_handler(
        unary,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
