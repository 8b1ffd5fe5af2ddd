"""Language models behind one port: any OpenAI-compatible endpoint, with backups tried in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deckgen.providers._lazy import lazy_attributes
from deckgen.providers.llm._base import (
    ChatEnd,
    ChatEvent,
    ChatMessage,
    ChatModel,
    ChatRequest,
    LLMError,
    ProviderFailed,
    ReadPace,
    StreamBroken,
    TextDelta,
)
from deckgen.providers.llm._failover import FailoverChatModel

if TYPE_CHECKING:
    from deckgen.providers.llm._openai import OpenAIChatModel, OpenAIConfig, estimate_tokens

__getattr__ = lazy_attributes(
    __name__, "deckgen.providers.llm._openai", ("OpenAIChatModel", "OpenAIConfig", "estimate_tokens")
)


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
    "ReadPace",
    "StreamBroken",
    "TextDelta",
    "estimate_tokens",
]
