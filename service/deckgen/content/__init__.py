"""Content engines: where outlines and slide text come from."""

from deckgen.content._base import (
    ContentEngine,
    EngineWarning,
    OutlineResult,
    OutlineSink,
    SlideDraft,
    SlideSink,
    WriteAhead,
)
from deckgen.content._language import deck_language

__all__ = [
    "ContentEngine",
    "EngineWarning",
    "OutlineResult",
    "OutlineSink",
    "SlideDraft",
    "SlideSink",
    "WriteAhead",
    "deck_language",
]
