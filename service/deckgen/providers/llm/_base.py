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
    "ReadPace",
    "StreamBroken",
    "TextDelta",
]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    """system, user or assistant."""
    content: str


class ReadPace:
    """How long the adapter may leave what the reply sends next unread: the caller's hint, per read.

    A model sends each token in a TCP segment of its own, and reading one wakes the event loop: on
    the virtual machines we run on that costs more CPU than everything else the token needs. The
    caller parsing the reply knows when nothing it waits for can complete with the next token (the
    middle of a slide's JSON) and sets `hold`; adapters that can then read at the pace of a shared
    timer, every `hold` seconds, and at once again as soon as the caller sets it back to 0.

    `whole`: the caller needs nothing before the reply ends (it waits for one JSON object that the
    reply's end follows at once). An adapter that can may then leave the whole reply unread until
    the server hangs up after it; where it cannot, `hold` still applies.
    """

    __slots__ = ("hold", "whole")

    def __init__(self, hold: float = 0.0, *, whole: bool = False) -> None:
        self.hold = hold
        self.whole = whole


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
    pace: ReadPace | None = field(default=None, compare=False)
    """Set by the caller as the reply streams: how long the next read may wait (None: never)."""


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
