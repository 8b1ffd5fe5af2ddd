"""Language models behind one port: any OpenAI-compatible endpoint, with backups tried in order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deckgen.providers.llm._base import (
    ChatEnd,
    ChatEvent,
    ChatMessage,
    ChatModel,
    ChatRequest,
    LLMError,
    ProviderFailed,
    StreamBroken,
    TextDelta,
)
from deckgen.providers.llm._failover import FailoverChatModel

if TYPE_CHECKING:
    from deckgen.providers.llm._openai import OpenAIChatModel, OpenAIConfig, estimate_tokens

_LAZY = frozenset({"OpenAIChatModel", "OpenAIConfig", "estimate_tokens"})


def __getattr__(name: str) -> Any:
    # The OpenAI SDK takes as long to import as the rest of the service: only a server that uses it pays.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module("deckgen.providers.llm._openai"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ChatEnd",
    "ChatEvent",
    "ChatMessage",
    "ChatModel",
    "ChatRequest",
    "FailoverChatModel",
    "LLMError",
    "OpenAIChatModel",
    "OpenAIConfig",
    "ProviderFailed",
    "StreamBroken",
    "TextDelta",
    "estimate_tokens",
]
