"""The language-model content engine: outlines and slides from any OpenAI-compatible endpoint."""

from deckgen.content.llm._engine import LLMEngine

__all__ = ["LLMEngine"]
