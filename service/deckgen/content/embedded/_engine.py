"""The embedded engine: decks from the caller's documents without a language model."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache

from deckgen.content._base import EngineWarning, OutlineResult, OutlineSink, SlideDraft, SlideSink, WriteAhead
from deckgen.content._language import deck_language
from deckgen.content._phrases import phrases
from deckgen.content.embedded._markdown import Document, Heading, Paragraph, is_markdown, parse
from deckgen.content.embedded._match import pin, slides_for_outline
from deckgen.content.embedded._planner import Plan, plan_deck
from deckgen.content.embedded._regenerate import Direction, direction, longer, shorter
from deckgen.content.embedded._sections import sectionize
from deckgen.domain import (
    Deck,
    FieldViolation,
    GenerationSpec,
    InvalidRequest,
    Outline,
    PreconditionFailed,
    Slide,
    TextMode,
    Usage,
)

__all__ = ["SUPPORTED_MEDIA_TYPES", "EmbeddedEngine"]

SUPPORTED_MEDIA_TYPES = ("text/markdown", "text/plain")
_ALSO_ACCEPTED = frozenset({"text/x-markdown", ""})
_CONFIGURE = (
    "Set OPENAI_API_KEY (and OPENAI_BASE_URL for a self-hosted OpenAI-compatible server such as vLLM "
    "or Ollama)"
)
_NO_MODEL = "LLM_NOT_CONFIGURED"
_PLANS_KEPT = 8


@lru_cache(maxsize=_PLANS_KEPT)
def _parsed(name: str, media_type: str, content: bytes) -> Document:
    # A request is checked when it arrives, when its generation starts, and by outline() and
    # slides(): each would parse its documents again; a Document is immutable, so they share one.
    return parse(name, media_type, content)


def _no_model(message: str) -> PreconditionFailed:
    return PreconditionFailed(message, reason=_NO_MODEL, subject="OPENAI_API_KEY")


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _sample(documents: list[Document]) -> str:
    """Enough of the documents' running text to tell their language."""
    return " ".join(b.text for d in documents for b in d.blocks if isinstance(b, Paragraph | Heading))[
        :20_000
    ]


def _plan_key(spec: GenerationSpec) -> tuple[object, ...]:
    # Everything a plan depends on, the documents' bytes included: distinct documents never share one.
    return (spec.sources, spec.topic, spec.slide_count, spec.text_mode, spec.speaker_notes, spec.language)


class _Planned:
    """A plan, the outline it gives, and its slides for that outline (matched on first use): what
    every request for the same documents and options shares."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.outline = Outline(title=plan.title, items=plan.items, subtitle=plan.subtitle)
        self._matched: dict[bool, tuple[Slide, ...]] = {}

    def matched(self, outline: Outline, speaker_notes: bool) -> tuple[Slide, ...] | None:
        """The slides for `outline` when it is this plan's own and they were matched before."""
        if outline is self.outline or outline == self.outline:
            return self._matched.get(speaker_notes)
        return None

    def match(self, outline: Outline, speaker_notes: bool) -> tuple[Slide, ...]:
        slides = tuple(slides_for_outline(outline, self.plan, speaker_notes=speaker_notes))
        if outline is self.outline or outline == self.outline:
            self._matched[speaker_notes] = slides  # every request of the same plan gets these
        return slides


class EmbeddedEngine:
    """Builds outlines and slides from Markdown and plain-text sources by extractive summarising.

    Deterministic (the same request gives the same deck) and free: usage is always zero. Requests it
    cannot serve without writing new text fail with `PreconditionFailed(reason="LLM_NOT_CONFIGURED")`.
    """

    name = "embedded"

    def __init__(self) -> None:
        # outline() and slides() of one request plan the same deck; planning once halves the work.
        self._plans: OrderedDict[tuple[object, ...], _Planned] = OrderedDict()
        self._plans_lock = threading.Lock()  # plans are made in threads, off the event loop
        self._planning: dict[tuple[object, ...], asyncio.Future[_Planned]] = {}
        """Plans being made, by key: a call that wants one of them waits for it."""

    def check(self, spec: GenerationSpec) -> None:
        if spec.text_mode == TextMode.GENERATE:
            raise _no_model(
                "Text mode GENERATE writes new text, which needs a language model, and none is configured. "
                f"{_CONFIGURE}, or use text mode CONDENSE or PRESERVE to build the deck from the source "
                "documents without a model."
            )
        if not spec.sources and spec.outline is None:
            raise _no_model(
                "Topic-only requests need a language model, and none is configured. "
                f"{_CONFIGURE}, or send source documents (Markdown or plain text) to build the deck from "
                "them without a model."
            )
        if not self.check_is_quick(spec):
            self._documents(spec)

    def check_is_quick(self, spec: GenerationSpec) -> bool:
        """Whether `check(spec)` reads no document: the same request was planned, so its documents
        were read and found good (the front side then checks it without a thread hop)."""
        key = _plan_key(spec)
        with self._plans_lock:
            return key in self._plans

    def _documents(self, spec: GenerationSpec) -> list[Document]:
        violations: list[FieldViolation] = []
        documents: list[Document] = []
        for i, source in enumerate(spec.sources):
            kind = _media_type(source.media_type)
            known = kind in SUPPORTED_MEDIA_TYPES or kind in _ALSO_ACCEPTED
            if not known or (kind == "" and not source.name.lower().endswith((".md", ".markdown", ".txt"))):
                violations.append(
                    FieldViolation(
                        f"sources[{i}].media_type",
                        f"{source.media_type or 'no media type'!s} is not supported without a language "
                        f"model; supported: {', '.join(SUPPORTED_MEDIA_TYPES)}",
                    )
                )
                continue
            media_type = "text/markdown" if is_markdown(kind, source.name) else "text/plain"
            document = _parsed(source.name, media_type, source.content)
            if all(isinstance(block, Heading) for block in document.blocks):
                violations.append(
                    FieldViolation(
                        f"sources[{i}].content", "has no usable text (only whitespace or headings)"
                    )
                )
                continue
            documents.append(document)
        if violations:
            raise InvalidRequest(violations)
        return documents

    def _known(self, key: tuple[object, ...]) -> _Planned | None:
        """The plan made already for `key`, kept the longest from now on."""
        with self._plans_lock:
            planned = self._plans.get(key)
            if planned is not None:
                self._plans.move_to_end(key)
            return planned

    def _plan(self, spec: GenerationSpec) -> _Planned:
        key = _plan_key(spec)
        planned = self._known(key)
        if planned is not None:
            return planned
        documents = self._documents(spec)
        planned = _Planned(
            plan_deck(
                documents,
                topic=spec.topic,
                slide_count=spec.slide_count,
                condense=spec.text_mode != TextMode.PRESERVE,
                speaker_notes=spec.speaker_notes,
                language=deck_language(spec.language, _sample(documents)),
            )
        )
        with self._plans_lock:
            self._plans[key] = planned
            if len(self._plans) > _PLANS_KEPT:
                self._plans.popitem(last=False)
        return planned

    async def _planned(self, spec: GenerationSpec) -> _Planned:
        """The plan of `spec`: at once when it was made already; else made in a thread (tens to
        hundreds of milliseconds of CPU for a long document, during which the event loop still
        gets its turns to send other streams' events), once for all the calls that want it
        meanwhile (a burst of identical requests plans their deck once, not once per thread)."""
        key = _plan_key(spec)
        planned = self._known(key)
        if planned is not None:
            return planned
        loop = asyncio.get_running_loop()
        planning = self._planning.get(key)
        if planning is None or planning.get_loop() is not loop:
            planning = asyncio.ensure_future(asyncio.to_thread(self._plan, spec))
            self._planning[key] = planning
            planning.add_done_callback(lambda done: self._planned_by(key, done))
        # One caller going away does not stop the plan the others wait for.
        return await asyncio.shield(planning)

    def _planned_by(self, key: tuple[object, ...], done: asyncio.Future[_Planned]) -> None:
        if self._planning.get(key) is done:
            del self._planning[key]
        if not done.cancelled():
            done.exception()  # retrieved here: a plan nobody waits for any more may have failed

    async def outline(
        self, spec: GenerationSpec, emit: OutlineSink, *, emit_slide: SlideSink | None = None
    ) -> OutlineResult:
        self.check(spec)
        warnings: tuple[EngineWarning, ...] = ()
        if spec.outline is not None:
            outline = spec.outline
        else:
            plan = await self._planned(spec)
            outline = plan.outline
            warnings = plan.plan.warnings
        # Not item by item: the whole outline is here at once, and its `outline` event says it all.
        # Ten events saying it first would cost every caller ten writes before its first slide,
        # one loop turn each (the largest part of a burst's time to first slide).
        return OutlineResult(outline, warnings=warnings)

    async def slides(
        self,
        spec: GenerationSpec,
        outline: Outline,
        ahead: WriteAhead | None = None,
        *,
        skip: AbstractSet[int] = frozenset(),
    ) -> AsyncGenerator[SlideDraft, None]:
        self.check(spec)
        # Every item is matched before the first slide goes out, so a request that needs a model
        # fails before any slide is streamed. Matched in a thread when the plan is not made yet,
        # as in outline().
        notes = spec.speaker_notes
        slides: Sequence[Slide] | None = None
        if spec.sources:
            planned = await self._planned(spec)
            slides = planned.matched(outline, notes)
            if slides is None:
                slides = await asyncio.to_thread(planned.match, outline, notes)
        else:
            slides = await asyncio.to_thread(slides_for_outline, outline, None, speaker_notes=notes)
        for index, (slide, item) in enumerate(zip(slides or (), outline.items, strict=True)):
            if index in skip:
                continue
            # An outline the caller edited pins its layouts; the engine's own plan already agrees.
            slide, warning = pin(slide, item, index) if spec.outline is not None else (slide, None)
            yield SlideDraft(index=index, slide=slide, warnings=(warning,) if warning else ())

    async def regenerate_slide(
        self, spec: GenerationSpec, deck: Deck, index: int, instruction: str
    ) -> tuple[Slide, Usage]:
        if not 0 <= index < len(deck.slides):
            raise InvalidRequest(
                [FieldViolation("slide_index", f"must be between 0 and {len(deck.slides) - 1}, got {index}")]
            )
        wanted = direction(instruction)
        if wanted is None:
            raise _no_model(
                f"Following the instruction {instruction!r} needs a language model, and none is configured. "
                "Without one, these instructions work: “shorter” (also shorten, fewer, concise, simplify) "
                f"and “longer” (also more detail, expand, elaborate). {_CONFIGURE} to use free-form "
                "instructions."
            )
        slide = deck.slides[index]
        if wanted == Direction.SHORTER:
            short = shorter(slide, deck)
            if short == slide:
                raise PreconditionFailed(
                    f"“{slide.title}” is already as short as it can be made without a language model.",
                    reason="SLIDE_MINIMAL",
                    subject="instruction",
                )
            return short, Usage()
        if not spec.sources:
            raise _no_model(
                "Adding detail to a slide without source documents needs a language model, and none is "
                f"configured. {_CONFIGURE}, or send the source documents with the request."
            )
        sections = sectionize(self._documents(spec), phrases(deck.language).overview)
        return longer(slide, sections, deck), Usage()
