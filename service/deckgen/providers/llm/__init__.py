"""Language models behind one port: any OpenAI-compatible endpoint, with backups tried in order."""

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
from deckgen.providers.llm._openai import OpenAIChatModel, OpenAIConfig, estimate_tokens

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
