"""Redis adapters: the job queue, event log and shared state every replica sees."""

from deckgen.providers.redis._client import Keys, connect, unavailable
from deckgen.providers.redis._events import RedisEventLog
from deckgen.providers.redis._open import RedisOpener
from deckgen.providers.redis._queue import RedisJobQueue
from deckgen.providers.redis._state import RedisCancelSignals, RedisJsonCache, RedisReaders, RedisRecords

__all__ = [
    "Keys",
    "RedisCancelSignals",
    "RedisEventLog",
    "RedisJobQueue",
    "RedisJsonCache",
    "RedisOpener",
    "RedisReaders",
    "RedisRecords",
    "connect",
    "unavailable",
]
