"""Per-client rate limiting as a server interceptor (token bucket per peer address)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc

from deckgen._grpc import wrap_handler
from deckgen.api._errors import status_for
from deckgen.domain import CapacityExceeded

__all__ = ["RateLimitInterceptor", "TokenBuckets"]

# Probes and discovery must never be throttled, or Kubernetes would restart a busy pod.
_EXEMPT_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")


class TokenBuckets:
    """`rate` tokens per second up to `burst`, per key; least recently used keys are forgotten."""

    def __init__(
        self, per_minute: int, burst: int, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._max_keys = max_keys
        self._clock = clock

    def take(self, key: str) -> float:
        """Take a token; return 0 on success, else the seconds until one is available."""
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self._rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return wait


def _peer_host(peer: str) -> str:
    # "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "unix:/path" → the address without the port
    kind, _, rest = peer.partition(":")
    if kind == "ipv6" and rest.startswith("["):
        return rest[1 : rest.find("]")]
    if kind == "ipv4":
        return rest.rpartition(":")[0]
    return peer


class RateLimitInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, buckets: TokenBuckets) -> None:
        self._buckets = buckets

    async def _check(self, context: grpc.aio.ServicerContext) -> None:
        wait = self._buckets.take(_peer_host(context.peer()))
        if wait > 0:
            error = CapacityExceeded(
                f"rate limit exceeded for this client; retry in {wait:.1f} s",
                subject="rate_limit",
                retry_after=wait,
                reason="RATE_LIMITED",
            )
            await context.abort_with_status(status_for(error))

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or details.method.startswith(_EXEMPT_PREFIXES):
            return handler
        return wrap_handler(handler, self._limited)

    @asynccontextmanager
    async def _limited(self, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        await self._check(context)
        yield
