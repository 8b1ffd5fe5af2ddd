"""The Redis connection, key names, and Redis errors as `StateUnavailable`.

Every key of one generation carries the generation's id as a hash tag (`{<id>}`), so that a Redis
Cluster keeps them on one shard and the multi-key scripts below stay legal there.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import redis.asyncio as redis
from redis import exceptions as errors
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from deckgen.domain._codec import to_jsonable
from deckgen.providers.state import StateUnavailable

__all__ = ["Keys", "connect", "dumps", "unavailable"]

_DOWN = (
    errors.ConnectionError,
    errors.TimeoutError,
    errors.BusyLoadingError,
    errors.ReadOnlyError,
    OSError,
)


def connect(url: str, password: str = "", socket_timeout: float = 5.0) -> redis.Redis:
    """A client that fails fast (1 s to connect) so callers get UNAVAILABLE at once.

    One immediate retry: after Redis restarts, every pooled connection is stale and its first
    command fails; the retry reconnects. A Redis that is really down refuses that one too, at once.
    """
    return redis.Redis.from_url(
        url,
        password=password or None,
        decode_responses=True,
        socket_connect_timeout=1.0,
        socket_timeout=socket_timeout,
        retry=Retry(NoBackoff(), 1),
        health_check_interval=10,
    )


@contextlib.contextmanager
def unavailable() -> Iterator[None]:
    """Turn Redis being down (or restarting) into `StateUnavailable`, naming Redis but not its URL."""
    try:
        yield
    except _DOWN as error:
        raise StateUnavailable(
            f"the shared state (Redis) is unavailable ({type(error).__name__}); retry shortly",
            retry_after=1.0,
        ) from None


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), separators=(",", ":"))


class Keys:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def log(self, stream: str) -> str:
        return f"{self.prefix}{{{stream}}}:log"

    def meta(self, stream: str) -> str:
        return f"{self.prefix}{{{stream}}}:meta"

    def record(self, presentation_id: str) -> str:
        return f"{self.prefix}{{{presentation_id}}}:record"

    def readers(self, stream: str) -> str:
        return f"{self.prefix}{{{stream}}}:readers"

    def cancel(self, job_id: str) -> str:
        return f"{self.prefix}{{{job_id}}}:cancel"

    def request(self, request_id: str) -> str:
        return f"{self.prefix}request:{{{request_id}}}"

    def jobs(self, partition: int) -> str:
        return f"{self.prefix}jobs:{{{partition}}}"

    def content(self, key: str) -> str:
        return f"{self.prefix}content:{{{key}}}"

    @property
    def cancels(self) -> str:
        return f"{self.prefix}cancels"
