"""Health that tells the truth: readiness follows the dependencies, checked in the background.

Probes read a cached status and never trigger a check themselves. A check that fails makes its
dependency down at once; a check that only runs late (a busy machine) does so after
`_SLOW_CHECKS_TO_FAIL` late checks in a row, so a traffic peak does not take every replica out of
the load balancer at once. Services reported:
- "liveness": SERVING while the process runs (Kubernetes restarts the pod only when this fails);
- "readiness", "" and deckgen.v1.PresentationService: SERVING only while every required
  dependency (the artifact store, at least one language-model provider when one is configured)
  answers, so traffic moves elsewhere during an outage and comes back without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from grpc_health.v1 import health, health_pb2

__all__ = ["LIVENESS", "READINESS", "HealthMonitor"]

log = logging.getLogger(__name__)

LIVENESS = "liveness"
READINESS = "readiness"
_SERVING = health_pb2.HealthCheckResponse.SERVING
_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
_CHECK_TIMEOUT = 5.0
_SLOW_CHECKS_TO_FAIL = 3


class HealthMonitor:
    def __init__(
        self,
        servicer: health.aio.HealthServicer,
        checks: Mapping[str, Callable[[], Awaitable[None]]],
        ready_services: tuple[str, ...],
        interval: float,
    ) -> None:
        self._servicer = servicer
        self._checks = dict(checks)
        self._services = (READINESS, *ready_services)
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self.ready: bool | None = None
        self.failures: dict[str, str] = {}
        self._late: dict[str, int] = {}

    async def _check(self, name: str, check: Callable[[], Awaitable[None]]) -> str | None:
        try:
            async with asyncio.timeout(_CHECK_TIMEOUT):
                await check()
        except TimeoutError:
            late = self._late[name] = self._late.get(name, 0) + 1
            if late < _SLOW_CHECKS_TO_FAIL and self.ready is not None:
                # Busy is not down: keep what the last finished check said (never at start).
                return self.failures.get(name)
            return f"no answer within {_CHECK_TIMEOUT:.0f} s, {late} times in a row"
        except Exception as error:  # any failure makes the dependency unavailable
            self._late[name] = 0
            return f"{type(error).__name__}: {error}"[:200]
        self._late[name] = 0
        return None

    async def check_now(self) -> bool:
        results = await asyncio.gather(*(self._check(name, check) for name, check in self._checks.items()))
        failures = {name: problem for name, problem in zip(self._checks, results, strict=True) if problem}
        ready = not failures
        if ready != self.ready or failures.keys() != self.failures.keys():
            if ready:
                log.info("health: every dependency answers; serving")
            else:
                log.warning("health: not ready: %s", "; ".join(f"{n}: {p}" for n, p in failures.items()))
        self.failures = failures
        if ready != self.ready:
            self.ready = ready
            for service in self._services:
                await self._servicer.set(service, _SERVING if ready else _NOT_SERVING)
        return ready

    async def start(self) -> None:
        """Report liveness, check once so readiness is known at once, then keep checking."""
        await self._servicer.set(LIVENESS, _SERVING)
        await self.check_now()
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.check_now()
            except Exception:
                log.exception("health check failed unexpectedly")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
