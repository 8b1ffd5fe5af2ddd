"""Limits per caller: request budgets by kind of call, generations at once, model tokens per day.

The caller is the authenticated principal; with AUTH_MODE=none, where everyone is the same
anonymous principal, it is the client address (a trusted proxy's forwarded one, else the peer).
Counters live behind `LimitStore`, so replicas sharing Redis share the budgets.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import grpc

from deckgen._grpc import wrap_handler
from deckgen.api._errors import status_for
from deckgen.api._peer import Networks, client_address
from deckgen.auth import current_principal
from deckgen.domain import CapacityExceeded, DeckgenError, Usage
from deckgen.providers.limits import LimitStore, LimitStoreUnavailable

__all__ = ["Budget", "CallerLimits", "RateLimitInterceptor"]

_SERVICE = "/deckgen.v1.PresentationService/"
# Cheap reads and downloads have budgets of their own: fetching a deck's files must not use up
# the calls that start (paid) generations, nor the other way round.
_KINDS = {
    "GetPresentation": "reads",
    "GetTemplate": "reads",
    "ListThemes": "reads",
    "DownloadArtifact": "downloads",
}
_DAY = 86_400
_WARN_EVERY = 30.0

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Budget:
    per_minute: int
    burst: int


class CallerLimits:
    def __init__(
        self,
        store: LimitStore,
        budgets: dict[str, Budget],
        *,
        generations: int,
        generation_lease: float,
        tokens_per_day: int,
        trusted: Networks = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._budgets = budgets
        self._generations = generations
        self._lease = generation_lease
        self._tokens_per_day = tokens_per_day
        self._trusted = trusted
        self._clock = clock
        self._warned_at = -_WARN_EVERY

    async def _ask(self, question: Awaitable[T], otherwise: T) -> T:
        # A store outage must not take the service down with it: limits are off until it is back.
        try:
            return await question
        except LimitStoreUnavailable as error:
            now = time.monotonic()
            if now - self._warned_at >= _WARN_EVERY:
                self._warned_at = now
                log.warning("per-caller limits are not enforced: %s", error)
            return otherwise

    def caller(self, context: grpc.aio.ServicerContext) -> str:
        principal = current_principal()
        if principal.method == "none":
            return f"address:{client_address(context, self._trusted)}"
        return principal.id

    async def take(self, kind: str, caller: str) -> None:
        budget = self._budgets.get(kind)
        if budget is None:
            return
        wait = await self._ask(
            self.store.take_token(
                f"rate:{kind}:{caller}", budget.per_minute / 60.0, budget.burst, self._clock()
            ),
            0.0,
        )
        if wait > 0:
            raise CapacityExceeded(
                f"rate limit for {kind} exceeded for this caller; retry in {wait:.1f} s",
                subject=f"rate_limit.{kind}",
                retry_after=wait,
                reason="RATE_LIMITED",
            )

    async def check_tokens(self, caller: str) -> None:
        if not self._tokens_per_day:
            return
        now = self._clock()
        used = await self._ask(self.store.usage(self._tokens_key(caller, now)), 0)
        if used >= self._tokens_per_day:
            raise CapacityExceeded(
                f"this caller used its {self._tokens_per_day} model tokens for today (UTC)",
                subject="model_tokens_per_day",
                retry_after=_DAY - now % _DAY,
                reason="TOKEN_QUOTA_EXHAUSTED",
            )

    async def charge(self, caller: str, usage: Usage) -> None:
        spent = usage.prompt_tokens + usage.completion_tokens
        if self._tokens_per_day and spent > 0:
            key = self._tokens_key(caller, self._clock())
            await self._ask(self.store.add_usage(key, spent, 2 * _DAY), 0)

    @asynccontextmanager
    async def generation(self, caller: str) -> AsyncIterator[None]:
        """Hold one of the caller's generation slots (after checking its token budget)."""
        await self.check_tokens(caller)
        if not self._budgets:  # rate limiting off: only the process-wide generation limit applies
            yield
            return
        lease, now = uuid.uuid4().hex, self._clock()
        key = f"generations:{caller}"
        held = self.store.acquire_slot(key, self._generations, lease, now + self._lease, now)
        if not await self._ask(held, True):
            raise CapacityExceeded(
                f"this caller already runs {self._generations} generations; wait for one to finish",
                subject="concurrent_generations_per_caller",
                retry_after=5.0,
                reason="TOO_MANY_GENERATIONS",
            )
        try:
            yield
        finally:
            await self._ask(self.store.release_slot(key, lease), None)

    @staticmethod
    def _tokens_key(caller: str, now: float) -> str:
        return f"tokens:{caller}:{time.strftime('%Y%m%d', time.gmtime(now))}"


class RateLimitInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """One token from the caller's budget for the kind of call; health and reflection are exempt."""

    def __init__(self, limits: CallerLimits) -> None:
        self._limits = limits

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or not details.method.startswith(_SERVICE):
            return handler
        kind = _KINDS.get(details.method.removeprefix(_SERVICE), "calls")

        @asynccontextmanager
        async def limited(context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
            try:
                await self._limits.take(kind, self._limits.caller(context))
            except DeckgenError as error:
                await context.abort_with_status(status_for(error))
            yield

        return wrap_handler(handler, limited)
