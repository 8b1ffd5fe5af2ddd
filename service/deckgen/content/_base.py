"""The port every content engine implements: plan an outline, then write its slides."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from deckgen.domain import Deck, GenerationSpec, Outline, OutlineItem, Slide, Usage

__all__ = ["ContentEngine", "EngineWarning", "OutlineResult", "OutlineSink", "SlideDraft"]

OutlineSink = Callable[[int, OutlineItem], Awaitable[None]]
"""Called with (index, item) as soon as each outline item is planned."""


@dataclass(frozen=True, slots=True)
class EngineWarning:
    """Something the caller should know that did not stop the generation (sent as a warning event)."""

    code: str
    message: str
    slide_index: int | None = None


@dataclass(frozen=True, slots=True)
class OutlineResult:
    outline: Outline
    usage: Usage = field(default_factory=Usage)
    warnings: tuple[EngineWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class SlideDraft:
    index: int
    """Position in the deck; drafts may arrive in any order."""
    slide: Slide
    usage: Usage = field(default_factory=Usage)
    warnings: tuple[EngineWarning, ...] = ()
    image_prompt: str = ""
    """What a picture for this slide should show; empty when the slide wants none."""


class ContentEngine(Protocol):
    """Turns a request into an outline and slides. Implementations: `embedded` (no model), `llm`."""

    def check(self, spec: GenerationSpec) -> None:
        """Raise `PreconditionFailed` (saying what to configure) when this engine cannot serve `spec`."""
        ...

    async def outline(self, spec: GenerationSpec, emit: OutlineSink) -> OutlineResult:
        """Plan the deck, calling `emit` for each item as it is planned, title and closing slides included."""
        ...

    def slides(self, spec: GenerationSpec, outline: Outline) -> AsyncGenerator[SlideDraft, None]:
        """Write one slide per outline item, yielding each as soon as it is complete."""
        ...

    async def regenerate_slide(
        self, spec: GenerationSpec, deck: Deck, index: int, instruction: str
    ) -> tuple[Slide, Usage]:
        """Write slide `index` of `deck` again, following `instruction`."""
        ...
