"""Job queue and event log: the one channel generation work and its events flow through."""

from deckgen.providers.queue._base import EventLog, Job, JobKind, JobQueue, JobRunner, StreamNotFound
from deckgen.providers.queue._memory import InProcessJobQueue, MemoryEventLog

__all__ = [
    "EventLog",
    "InProcessJobQueue",
    "Job",
    "JobKind",
    "JobQueue",
    "JobRunner",
    "MemoryEventLog",
    "StreamNotFound",
]
