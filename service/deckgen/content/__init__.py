"""Content engines: where outlines and slide text come from."""

from deckgen.content._base import ContentEngine, OutlineResult, OutlineSink, SlideDraft

__all__ = ["ContentEngine", "OutlineResult", "OutlineSink", "SlideDraft"]
