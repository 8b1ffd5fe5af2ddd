"""The embedded content engine: decks from Markdown and plain-text sources, without a model."""

from deckgen.content.embedded._engine import SUPPORTED_MEDIA_TYPES, EmbeddedEngine

__all__ = ["SUPPORTED_MEDIA_TYPES", "EmbeddedEngine"]
