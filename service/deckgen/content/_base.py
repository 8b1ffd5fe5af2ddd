"""The port every content engine implements: plan an outline, then write its slides."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Protocol

from deckgen.domain import Deck, GenerationSpec, Outline, OutlineItem, Slide, Usage

__all__ = [
    "ContentEngine",
    "EngineWarning",
    "OutlineResult",
    "OutlineSink",
    "SlideDraft",
    "SlideSink",
    "WriteAhead",
]

OutlineSink = Callable[[int, OutlineItem], Awaitable[None]]
"""Called with (index, item) as soon as each outline item is planned, by an engine whose outline
takes a while (a model writes it); one that has the whole outline at once does not call it."""

SlideSink = Callable[["SlideDraft"], Awaitable[None]]
"""Called with each slide an engine wrote ahead, the moment it is finished."""


@dataclass(frozen=True, slots=True)
class EngineWarning:
    """Something the caller should know that did not stop the generation (sent as a warning event)."""

    code: str
    message: str
    slide_index: int | None = None


class WriteAhead(Protocol):
    """Slides an engine began writing while it was still planning the outline."""

    def cancel(self) -> None:
        """Stop whatever is still being written (the generation ended early)."""
        ...


@dataclass(frozen=True, slots=True)
class OutlineResult:
    outline: Outline
    usage: Usage = field(default_factory=Usage)
    warnings: tuple[EngineWarning, ...] = ()
    ahead: WriteAhead | None = None
    """Hand to `slides`; None when the engine wrote nothing ahead."""


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

    async def outline(
        self, spec: GenerationSpec, emit: OutlineSink, *, emit_slide: SlideSink | None = None
    ) -> OutlineResult:
        """Plan the deck, calling `emit` for each item as it is planned, title and closing slides
        included, when planning takes a while (an outline made at once is announced whole).

        With `emit_slide` the engine may write slides while it plans, handing each finished one to
        `emit_slide` (during planning or after); `slides` with the result's `ahead` then yields only
        the others. The caller calls `slides` or cancels `ahead`.
        """
        ...

    def slides(
        self,
        spec: GenerationSpec,
        outline: Outline,
        ahead: WriteAhead | None = None,
        *,
        skip: AbstractSet[int] = frozenset(),
    ) -> AsyncGenerator[SlideDraft, None]:
        """Write one slide per outline item, yielding each as soon as it is complete.

        Slides written ahead are not yielded: they reach the `emit_slide` given to `outline`. Items
        whose index is in `skip` were written already (by a worker that stopped): they are neither
        written nor yielded again.
        """
        ...

    async def regenerate_slide(
        self, spec: GenerationSpec, deck: Deck, index: int, instruction: str
    ) -> tuple[Slide, Usage]:
        """Write slide `index` of `deck` again, following `instruction`."""
        ...
