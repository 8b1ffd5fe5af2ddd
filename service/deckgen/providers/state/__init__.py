"""Shared per-generation state: records, request ids, readers and cancel signals."""

from deckgen.providers.state._base import (
    READER_LEASE,
    CancelSignals,
    Readers,
    Records,
    RequestBinding,
    StateUnavailable,
)
from deckgen.providers.state._memory import MemoryCancelSignals, MemoryReaders, MemoryRecords, TTLMap

__all__ = [
    "READER_LEASE",
    "CancelSignals",
    "MemoryCancelSignals",
    "MemoryReaders",
    "MemoryRecords",
    "Readers",
    "Records",
    "RequestBinding",
    "StateUnavailable",
    "TTLMap",
]
