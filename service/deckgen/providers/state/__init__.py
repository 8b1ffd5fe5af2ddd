"""Shared per-generation state: records, request ids, readers and cancel signals."""

from deckgen.providers.state._base import (
    CancelSignals,
    Readers,
    Records,
    RequestBinding,
    StateUnavailable,
)
from deckgen.providers.state._memory import MemoryCancelSignals, MemoryReaders, MemoryRecords, TTLMap

__all__ = [
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
