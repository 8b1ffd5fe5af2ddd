"""A circuit breaker per provider, shared by every call of every generation in the process.

closed ──(threshold consecutive failures)──▶ open ──(cooldown)──▶ half-open ──(probe ok)──▶ closed
                                               ▲                        │
                                               └────(probe failed)──────┘

While open, calls fail at once (a backup takes over without waiting for three dead tries each);
after the cooldown exactly one call probes the provider and decides. The cooldown is at least
what the provider itself asked for in `Retry-After`.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Attempt", "BreakerState", "CircuitBreaker"]

log = logging.getLogger(__name__)


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class Attempt:
    """One admitted call; hand it back to exactly one of `succeeded`, `failed` or `release`."""

    probe: bool
    settled: bool = False


class CircuitBreaker:
    """Not thread-safe: used from one event loop, where nothing runs between its checks and updates."""

    def __init__(
        self,
        name: str,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self.name = name
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._open = False
        self._failures = 0
        self._open_until = 0.0
        self._probing = False
        self.in_flight = 0
        """Attempts admitted and not yet settled."""

    @property
    def state(self) -> BreakerState:
        if not self._open:
            return BreakerState.CLOSED
        return BreakerState.HALF_OPEN if self._clock() >= self._open_until else BreakerState.OPEN

    @property
    def failing(self) -> bool:
        """The last attempt failed (or the breaker is open): the provider is not known to be well."""
        return self._failures > 0 or self._open

    def retry_after(self) -> float:
        """Seconds until this provider may be tried again (0 when it may be tried now)."""
        return max(0.0, self._open_until - self._clock()) if self._open else 0.0

    def admit(self) -> Attempt | None:
        """An attempt that may go out now, or None while the circuit is open (or a probe is out)."""
        state = self.state
        if state is BreakerState.OPEN or (state is BreakerState.HALF_OPEN and self._probing):
            return None
        probe = state is BreakerState.HALF_OPEN
        if probe:
            self._probing = True
            log.info("provider %s: cooldown over, probing it with one call", self.name)
        self.in_flight += 1
        return Attempt(probe)

    def succeeded(self, attempt: Attempt) -> None:
        if not self._settle(attempt):
            return
        if self._open:
            log.warning("provider %s answers again; circuit closed", self.name)
        self._open = False
        self._failures = 0

    def failed(self, attempt: Attempt, retry_after: float | None = None) -> None:
        """Count a failure; `retry_after` is what the provider asked for, if anything."""
        if not self._settle(attempt):
            return
        self._failures += 1
        if attempt.probe or self._failures >= self.threshold:
            wait = max(self.cooldown, retry_after or 0.0)
            self._open_until = max(self._open_until, self._clock() + wait)
            if not self._open or attempt.probe:
                log.warning(
                    "provider %s failed %d time(s) in a row; circuit open for %.1f s",
                    self.name,
                    self._failures,
                    wait,
                )
            self._open = True

    def release(self, attempt: Attempt) -> None:
        """The attempt ended without telling whether the provider is well (e.g. it was cancelled)."""
        self._settle(attempt)

    def _settle(self, attempt: Attempt) -> bool:
        if attempt.settled:
            return False
        attempt.settled = True
        self.in_flight -= 1
        if attempt.probe:
            self._probing = False
        return True
