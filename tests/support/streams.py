"""Reading server streams that a test has already started with `read()`."""

from __future__ import annotations

from typing import Any

import grpc

__all__ = ["read_rest"]


async def read_rest(call: grpc.aio.UnaryStreamCall[Any, Any]) -> list[Any]:
    """Every remaining message; grpc.aio forbids mixing `read()` and `async for` on one call."""
    rest = []
    while (message := await call.read()) is not grpc.aio.EOF:
        rest.append(message)
    return rest
