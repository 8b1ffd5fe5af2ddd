"""Redis adapters: the job queue, event log and shared state every replica sees."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from deckgen.config import Settings
from deckgen.pipeline import ContentCache, Coordination
from deckgen.providers.redis._client import Keys, connect, unavailable
from deckgen.providers.redis._events import RedisEventLog
from deckgen.providers.redis._queue import RedisJobQueue
from deckgen.providers.redis._state import (
    RedisCancelSignals,
    RedisContentCache,
    RedisReaders,
    RedisRecords,
)

__all__ = [
    "Keys",
    "RedisCancelSignals",
    "RedisContentCache",
    "RedisEventLog",
    "RedisJobQueue",
    "RedisReaders",
    "RedisRecords",
    "connect",
    "redis_coordination",
]


def redis_coordination(
    settings: Settings,
    closers: list[Callable[[], Awaitable[None]]],
    checks: dict[str, Callable[[], Awaitable[None]]],
) -> tuple[Coordination, ContentCache | None]:
    client = connect(settings.redis_url, settings.redis_password)
    keys = Keys(settings.redis_key_prefix)

    async def ping() -> None:
        with unavailable():
            await client.ping()

    checks["redis"] = ping
    closers.append(client.aclose)
    shared = Coordination(
        queue=RedisJobQueue(
            client,
            keys,
            partitions=settings.queue_partitions,
            capacity=settings.max_queued_generations,
            lease=settings.job_lease,
        ),
        events=RedisEventLog(client, keys, settings.event_retention, settings.timeout),
        records=RedisRecords(client, keys, settings.record_retention),
        readers=RedisReaders(client, keys),
        cancels=RedisCancelSignals(client, keys, settings.record_retention),
    )
    cache = RedisContentCache(client, keys, settings.record_retention) if settings.cache_enabled else None
    return shared, cache
