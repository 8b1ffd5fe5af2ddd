"""Content engines for tests: one slow enough to interrupt, one whose failures quote the documents."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from collections.abc import Set as AbstractSet

from deckgen.content import ContentEngine, OutlineResult, OutlineSink, SlideDraft, SlideSink, WriteAhead
from deckgen.content.embedded import EmbeddedEngine
from deckgen.domain import Deck, GenerationSpec, Outline, Slide, Usage

__all__ = ["FailingEngine", "LeakyEngine", "SlowEngine"]


class SlowEngine:
    """The embedded engine, with a pause before every slide; counts the slides it finished."""

    def __init__(self, slide_delay: float, inner: ContentEngine | None = None) -> None:
        self.slide_delay = slide_delay
        self.inner = inner or EmbeddedEngine()
        self.slides_written = 0
        self.cancelled = asyncio.Event()

    def check(self, spec: GenerationSpec) -> None:
        self.inner.check(spec)

    async def outline(
        self, spec: GenerationSpec, emit: OutlineSink, *, emit_slide: SlideSink | None = None
    ) -> OutlineResult:
        return await self.inner.outline(spec, emit)

    async def slides(
        self,
        spec: GenerationSpec,
        outline: Outline,
        ahead: WriteAhead | None = None,
        *,
        skip: AbstractSet[int] = frozenset(),
    ) -> AsyncGenerator[SlideDraft, None]:
        try:
            async for draft in self.inner.slides(spec, outline, skip=skip):
                await asyncio.sleep(self.slide_delay)
                self.slides_written += 1
                yield draft
        except asyncio.CancelledError:
            self.cancelled.set()
            raise

    async def regenerate_slide(
        self, spec: GenerationSpec, deck: Deck, index: int, instruction: str
    ) -> tuple[Slide, Usage]:
        return await self.inner.regenerate_slide(spec, deck, index, instruction)


class FailingEngine(SlowEngine):
    """The embedded engine that raises `error` after writing `after` slides (mid-stream)."""

    def __init__(self, error: Exception, after: int = 1) -> None:
        super().__init__(0.0)
        self.error = error
        self.after = after

    async def slides(
        self,
        spec: GenerationSpec,
        outline: Outline,
        ahead: WriteAhead | None = None,
        *,
        skip: AbstractSet[int] = frozenset(),
    ) -> AsyncGenerator[SlideDraft, None]:
        async for draft in super().slides(spec, outline, ahead, skip=skip):
            if self.slides_written > self.after:
                raise self.error
            yield draft


class LeakyEngine(SlowEngine):
    """Fails planning the way third-party code does: a JSON error on the document, then an error
    whose message quotes all of it (as pydantic's `input_value=` or an HTTP client's echo would)."""

    def __init__(self) -> None:
        super().__init__(0.0)

    async def outline(
        self, spec: GenerationSpec, emit: OutlineSink, *, emit_slide: SlideSink | None = None
    ) -> OutlineResult:
        text = spec.sources[0].content.decode() if spec.sources else spec.topic
        try:
            json.loads(text)
        except ValueError as error:
            raise ValueError(f"1 validation error for Outline\n  input_value={text!r}") from error
        raise AssertionError("the source was JSON; LeakyEngine needs text that is not")
