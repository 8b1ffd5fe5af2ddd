"""The port language-model adapters implement: one streamed chat completion at a time."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "ChatEnd",
    "ChatEvent",
    "ChatMessage",
    "ChatModel",
    "ChatRequest",
    "LLMError",
    "ProviderFailed",
    "StreamBroken",
    "TextDelta",
]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    """system, user or assistant."""
    content: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    messages: tuple[ChatMessage, ...]
    purpose: str
    """Which model setting to use: `outline` or `slides` (adapters map it to a model name)."""
    schema: Mapping[str, Any] | None = None
    """A JSON Schema the reply must match; adapters degrade to JSON mode or plain text if unsupported."""
    schema_name: str = "reply"
    max_tokens: int | None = None
    temperature: float | None = None
    avoid: frozenset[str] = frozenset()
    """Providers (by name) whose replies to this task were unusable: a failover asks the others."""
    retry: bool = True
    """False: one try, no backoff; for a caller with another provider to go to."""


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ChatEnd:
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    provider: str
    model: str
    usage_reported: bool = True
    """False when the provider sent no usage and the counts are estimates."""


ChatEvent = TextDelta | ChatEnd


class LLMError(Exception):
    """A chat call that did not produce a complete reply."""


@dataclass
class ProviderFailed(LLMError):
    """Nothing usable came back (after the adapter's own retries); another provider may do better."""

    provider: str
    message: str
    """Our own words (with the HTTP status), never the provider's reply: that may quote the key."""
    status: int | None = None
    retryable: bool = True
    attempts: int = 1
    details: list[str] = field(default_factory=list)
    retry_after: float | None = None
    """When the provider may answer again: its `Retry-After`, or what is left of its circuit's cooldown."""

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}"


@dataclass
class StreamBroken(LLMError):
    """The reply stopped part-way: `partial` is what arrived before it broke."""

    provider: str
    partial: str
    message: str

    def __str__(self) -> str:
        return f"{self.provider}: stream broke after {len(self.partial)} characters: {self.message}"


class ChatModel(Protocol):
    """Streams one chat completion: `TextDelta`s, then exactly one `ChatEnd`.

    Raises `ProviderFailed` when no text arrived, `StreamBroken` when some did.
    """

    name: str

    def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]: ...
