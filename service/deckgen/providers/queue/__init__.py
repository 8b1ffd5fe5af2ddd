"""Job queue and event log: the one channel generation work and its events flow through."""

from deckgen.providers.queue._base import (
    Claim,
    EventLog,
    Job,
    JobKind,
    JobQueue,
    Opener,
    QueueStats,
    StreamFenced,
    StreamNotFound,
)
from deckgen.providers.queue._memory import MemoryEventLog, MemoryJobQueue, queue_full

__all__ = [
    "Claim",
    "EventLog",
    "Job",
    "JobKind",
    "JobQueue",
    "MemoryEventLog",
    "MemoryJobQueue",
    "Opener",
    "QueueStats",
    "StreamFenced",
    "StreamNotFound",
    "queue_full",
]
