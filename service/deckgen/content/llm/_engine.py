"""The model-backed engine: the outline streamed item by item, then every slide written concurrently.

Each reply is parsed while it streams, so an outline item or a slide is handed on the moment its
JSON closes. Replies that are cut off, malformed or break the slide constraints get one targeted
repair call; if that fails too the deck gets a plain fallback slide and a warning, never an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from collections.abc import Set as AbstractSet
from contextlib import aclosing
from dataclasses import dataclass, replace
from functools import lru_cache

from opentelemetry import trace

from deckgen.content._base import (
    EngineWarning,
    OutlineResult,
    OutlineSink,
    SlideDraft,
    SlideSink,
    WriteAhead,
)
from deckgen.content._language import deck_language
from deckgen.content._phrases import phrases
from deckgen.content.llm._grounding import Chunk, chunk_sources, digest, select
from deckgen.content.llm._jsonstream import CompletedValue, JsonScanner, loads_lenient
from deckgen.content.llm._prompts import (
    OUTLINE_SOURCE_CHARS,
    SLIDE_SOURCE_CHARS,
    outline_request,
    regenerate_request,
    repair_request,
    slide_request,
)
from deckgen.content.llm._schema import parse_outline_item, parse_slide
from deckgen.domain import (
    Bullet,
    Deck,
    FieldViolation,
    GenerationFailed,
    GenerationSpec,
    ImageMode,
    ImageRef,
    InvalidRequest,
    Layout,
    Outline,
    OutlineItem,
    Slide,
    SourceDocument,
    SourceRef,
    Unavailable,
    Usage,
    limits,
)
from deckgen.providers.llm import (
    ChatEnd,
    ChatModel,
    ChatRequest,
    ProviderFailed,
    ReadPace,
    StreamBroken,
    TextDelta,
)

__all__ = ["LLMEngine"]

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("deckgen.content")


@dataclass(frozen=True, slots=True)
class _Reply:
    text: str
    document: str | None
    """The top-level JSON object, when one closed."""
    usage: Usage
    broken: str = ""
    """Why the stream stopped early, if it did."""
    provider: str = ""
    """Which provider wrote it ("" when unknown)."""


@lru_cache(maxsize=8)
def _chunks(sources: tuple[SourceDocument, ...]) -> tuple[Chunk, ...]:
    # outline() and slides() of one request ground in the same chunks; cut them once.
    return tuple(chunk_sources(sources))


def _in_its_language(spec: GenerationSpec) -> GenerationSpec:
    """Left at the default, a deck is written in its sources' language, as the embedded engine
    does: the model is asked for that language and the fixed strings follow it."""
    if spec.language.strip().casefold() not in ("", "en"):
        return spec
    text = "\n".join(chunk.text for chunk in _chunks(spec.sources)[:40]) or spec.topic
    language = deck_language(spec.language, text)
    return spec if language == spec.language else replace(spec, language=language)


def _fallback(item: OutlineItem, index: int) -> Slide:
    """A plain but presentable slide from what the outline already says."""
    bullets = tuple(
        Bullet(point[: limits.MAX_BULLET_CHARS]) for point in item.key_points[: limits.MAX_BULLETS]
    )
    layout = Layout.CLOSING if item.layout is Layout.CLOSING else Layout.BULLETS
    return Slide(layout, item.title[: limits.MAX_TITLE_CHARS] or f"Slide {index + 1}", bullets=bullets)


# When no provider said when to come back.
_DEFAULT_RETRY_AFTER = 5.0


def _unavailable(failure: ProviderFailed) -> Unavailable:
    return Unavailable(
        f"the language model could not be reached ({failure}); try again later",
        retry_after=failure.retry_after or _DEFAULT_RETRY_AFTER,
        reason="LLM_UNAVAILABLE",
    )


def _invalid_output(providers: Sequence[str], problem: str) -> Unavailable:
    return Unavailable(
        f"the language model ({', '.join(providers)}) gave no usable outline, even when asked to "
        f"repair it ({problem}); try again later",
        retry_after=_DEFAULT_RETRY_AFTER,
        reason="MODEL_OUTPUT_INVALID",
    )


_MARKUP = re.compile(r"^\s*#{1,6}\s+|\*\*|__|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
# Tried where a run of backticks starts only (from inside a run it matches as the run's start does),
# and possessive since a backtick given back is never the text a code span holds: a title of nothing
# but backticks was rescanned from each of them.
_CODE_SPAN = re.compile(r"(?<!`)`++([^`]++)`++")


def _plain(text: str) -> str:
    """A title as plain text: models like to write `# Title` or `**Title**`, which a title never shows.

    A code span keeps its text as written (`__init__.py`, `**kwargs`): only its backticks go.
    """
    parts = _CODE_SPAN.split(text)  # prose, code, prose, code, …, prose
    parts[::2] = [_MARKUP.sub("", part) for part in parts[::2]]
    return " ".join("".join(parts).split())


def _same(a: Slide, b: Slide) -> bool:
    """The same slide on its face (notes and sources aside)."""
    return replace(a, notes="", sources=(), image=None) == replace(b, notes="", sources=(), image=None)


def _pin_warning(index: int, item: OutlineItem, slide: Slide, wants_image: bool) -> EngineWarning:
    if item.layout is Layout.IMAGE_TEXT and not wants_image:
        why = "pictures are off for this request (image_mode, or no image model configured)"
    else:
        why = f"the model wrote its content as `{slide.layout.value}` twice, which fits it better"
    return EngineWarning(
        "LAYOUT_NOT_HONOURED",
        f"Slide {index + 1} (“{item.title}”) was pinned to the `{item.layout.value}` layout but is "
        f"`{slide.layout.value}`: {why}.",
        index,
    )


class _Ahead:
    """Slides started while the outline streamed; each hands itself to the sink when finished."""

    def __init__(self, concurrency: int, sink: SlideSink) -> None:
        self.gate = asyncio.Semaphore(concurrency)
        self.sink = sink
        self.tasks: dict[int, asyncio.Task[None]] = {}

    def cancel(self) -> None:
        for task in self.tasks.values():
            task.cancel()


class LLMEngine:
    name = "llm"

    def __init__(
        self,
        model: ChatModel,
        *,
        concurrency: int = 10,
        images_available: bool = False,
        usage_wait: float = 0.2,
        read_hold: float = 0.0,
        outline_hold: float = 0.0,
        whole_replies: bool = False,
    ) -> None:
        self._model = model
        self._concurrency = concurrency
        self._images_available = images_available
        self._usage_wait = usage_wait
        self._read_hold = read_hold
        self._outline_hold = max(outline_hold, read_hold)
        self._whole_replies = whole_replies

    def check(self, spec: GenerationSpec) -> None:
        """A model can serve every request the API accepts."""

    def check_is_quick(self, spec: GenerationSpec) -> bool:
        """`check` reads nothing: run on the loop, not handed to a thread and back."""
        return True

    # -- one call --------------------------------------------------------------------------------

    async def _call(
        self,
        request: ChatRequest,
        on_value: Callable[[CompletedValue], Awaitable[None]] | None = None,
        hold_for: Callable[[], float] | None = None,
    ) -> _Reply:
        """Stream one reply, handing on shallow JSON values as they close; return once the object
        closes. `hold_for`: the hold where the object cannot close yet, asked at every read (by
        default the adapter's `read_hold`)."""
        scanner = JsonScanner(max_depth=2 if on_value is not None else 0)
        end: ChatEnd | None = None
        broken = ""
        provider = ""
        # Reads may wait (the loop wakes on a shared timer, not per token) wherever the reply's JSON
        # shows its next token cannot close the object: inside a string value or a nested value
        # with content. Between the top-level members, and in a value just opened, it may
        # (`"sources": []}`), so those tokens are read as they arrive. A reply wanted only for the
        # object it ends with (no values handed on) may even be read once, when it has ended.
        hold = self._read_hold
        whole = on_value is None and self._whole_replies
        pace = ReadPace(hold, whole=whole) if hold > 0 or whole or hold_for is not None else None
        stream = self._model.stream(replace(request, pace=pace) if pace is not None else request)
        try:
            async with aclosing(stream):
                async for event in stream:
                    if isinstance(event, TextDelta):
                        for value in scanner.feed(event.text):
                            if on_value is not None and value.path:
                                await on_value(value)
                        if scanner.done:
                            if pace is not None:
                                pace.hold = 0.0  # the usage that follows is due at once
                            break
                        if pace is not None:
                            pace.hold = (
                                0.0 if scanner.may_close else hold_for() if hold_for is not None else hold
                            )
                    elif isinstance(event, ChatEnd):
                        end = event
                if scanner.done and end is None:
                    # Usage follows the JSON at once on well-behaved servers; a chatty model that
                    # keeps writing after it must not hold the slide back.
                    try:
                        async with asyncio.timeout(self._usage_wait):
                            async for event in stream:
                                if isinstance(event, ChatEnd):
                                    end = event
                    except TimeoutError:
                        pass
        except StreamBroken as error:
            broken, provider = error.message, error.provider
        text = scanner.text
        if end is not None:
            usage = Usage(end.prompt_tokens, end.completion_tokens)
        else:
            prompt = sum(len(m.content) for m in request.messages) // 4
            usage = Usage(prompt, len(text) // 4)
        document = scanner.document() if scanner.done else None
        return _Reply(text, document, usage, broken, end.provider if end is not None else provider)

    # -- outline ---------------------------------------------------------------------------------

    async def outline(
        self, spec: GenerationSpec, emit: OutlineSink, *, emit_slide: SlideSink | None = None
    ) -> OutlineResult:
        ahead = _Ahead(self._concurrency, emit_slide) if emit_slide is not None else None
        spec = _in_its_language(spec)
        try:
            return await self._outline(spec, emit, ahead)
        except BaseException:
            if ahead is not None:
                ahead.cancel()
            raise

    async def _outline(self, spec: GenerationSpec, emit: OutlineSink, ahead: _Ahead | None) -> OutlineResult:
        chunks = _chunks(spec.sources)
        count = spec.slide_count
        with_title = count is None or count >= 2
        closing = count is None or count >= 3
        wanted = None if count is None else count - 1 if with_title else count
        # Slides written as the plan streams (the caller did not ask to see the outline first): a
        # terse plan, since the model's time on it is the deck's critical path.
        request = outline_request(
            spec, wanted, digest(chunks, OUTLINE_SOURCE_CHARS) if chunks else "", closing, ahead is not None
        )
        offset = 1 if with_title else 0
        state: dict[str, str] = {"title": "", "subtitle": ""}
        named: set[str] = set()
        items: list[OutlineItem] = []
        title_sent = False
        # The closing slide goes last whatever the model planned: held back, sent after the others.
        held: list[OutlineItem] = []
        # The closing item once it is in the deck: nothing the model plans after it is taken.
        placed: list[OutlineItem] = []
        room = None if wanted is None else wanted - (1 if closing else 0)

        def title_item() -> OutlineItem:
            title = state["title"] or spec.topic or (spec.sources[0].name if spec.sources else "Presentation")
            subtitle = state["subtitle"]
            return OutlineItem(title[: limits.MAX_TITLE_CHARS], Layout.TITLE, (subtitle,) if subtitle else ())

        async def send_title() -> None:
            nonlocal title_sent
            title_sent = True
            await emit(0, title_item())
            if ahead is not None:  # the title slide needs no model: it can go out now
                opening = Outline(title_item().title, (title_item(),), state["subtitle"])
                ahead.tasks[0] = asyncio.create_task(self._ahead(ahead, spec, opening, 0, chunks))

        async def place(item: OutlineItem) -> None:
            if with_title and not title_sent:
                await send_title()
            items.append(item)
            index = offset + len(items) - 1
            await emit(index, item)
            if ahead is not None:
                planned = ((title_item(),) if with_title else ()) + tuple(items)
                so_far = Outline(title_item().title, planned, state["subtitle"])
                ahead.tasks[index] = asyncio.create_task(self._ahead(ahead, spec, so_far, index, chunks))

        async def on_value(value: CompletedValue) -> None:
            if value.path not in (("title",), ("subtitle",)) and not (
                len(value.path) == 2 and value.path[0] == "slides"
            ):
                return
            try:
                raw = value.value()
            except ValueError:
                return  # malformed JSON (`{"title": oops}`): not an item; the reply gets repaired
            if value.path in (("title",), ("subtitle",)):
                if title_sent:
                    return  # the cover is out: the deck keeps the title it shows (a repair's too)
                state[str(value.path[0])] = _plain(raw) if isinstance(raw, str) else ""
                named.add(str(value.path[0]))
                # The cover is complete once the plan has named the deck and given its subtitle:
                # its slide goes out then, not with the first item, a third of the plan later.
                if with_title and len(named) == 2 and state["title"]:
                    await send_title()
            else:
                item = parse_outline_item(raw)
                if item is None or placed:
                    return
                item = replace(item, title=_plain(item.title) or item.title)
                planned_title = (
                    isinstance(raw, dict) and str(raw.get("layout", "")).strip().lower() == "title"
                )
                if planned_title and with_title:
                    # The title slide is deckgen's own; a planned one only lends its title.
                    if not title_sent:
                        state["title"] = state["title"] or " ".join(item.title.split())
                    return
                if spec.allowed_layouts and item.layout not in spec.allowed_layouts:
                    item = replace(item, layout=Layout.BULLETS)
                if item.layout is Layout.CLOSING and closing:
                    if held:
                        item = replace(item, layout=Layout.BULLETS)
                    else:
                        held.append(item)
                elif room is None or len(items) < room:
                    await place(item)
                # Once every other slide is planned, the closing one can be written at once.
                if held and room is not None and len(items) >= room:
                    placed.append(held[0])
                    await place(held[0])

        def hold() -> float:
            # Written as it is planned, each item only starts its own slide, which runs alongside
            # the others: between the cover and the last item the plan is read less often. The
            # cover's values and the last item are read as ever: the first slide and the deck's
            # end wait on them.
            last = wanted is not None and len(items) + len(held) >= wanted - 1
            return self._read_hold if (with_title and not title_sent) or last else self._outline_hold

        usage = Usage()
        # Like a slide: a reply with no usable item (prose, broken JSON, a cut stream) gets one
        # repair call; if that fails too, the next provider writes it afresh. Items already sent
        # cannot be taken back, so once one arrived the outline is what it is.
        unusable: list[str] = []  # providers whose outline and repair were both unusable
        problem = ""
        call = request
        while True:
            try:
                reply = await self._call(
                    replace(call, avoid=frozenset(unusable)), on_value, hold if ahead is not None else None
                )
            except ProviderFailed as failure:
                if unusable:
                    raise _invalid_output(unusable, problem) from failure
                raise _unavailable(failure) from failure
            usage = usage + reply.usage
            if items or held:
                break
            problem = (
                f"the reply was cut off ({reply.broken})"
                if reply.broken
                else "the reply had no `slides` list of outline items"
            )
            if call is request:
                log.info("the outline from provider %s needs repair: %s", reply.provider or "?", problem)
                call = repair_request(request, reply.text, [problem])
                continue
            if not reply.provider or reply.provider in unusable:
                # A model that cannot be told to skip a provider: nowhere else to ask.
                raise _invalid_output([*unusable, reply.provider or self._model.name], problem)
            log.warning("provider %s gave no usable outline twice; asking the next one", reply.provider)
            unusable.append(reply.provider)
            call = request
        if closing and not placed and (not spec.allowed_layouts or Layout.CLOSING in spec.allowed_layouts):
            await place(held[0] if held else OutlineItem(phrases(spec.language).takeaways, Layout.CLOSING))
        if with_title and not title_sent:
            title_sent = True
            await emit(0, title_item())
        warnings: list[EngineWarning] = []
        if wanted is not None and len(items) < wanted:
            warnings.append(
                EngineWarning(
                    "OUTLINE_SHORT",
                    f"The model planned {len(items) + offset} slides of the {count} requested.",
                )
            )
        if reply.broken:
            warnings.append(EngineWarning("OUTLINE_CUT_OFF", f"The outline reply broke off: {reply.broken}"))
        all_items = ((title_item(),) if with_title else ()) + tuple(items)
        outline = Outline(
            all_items[0].title if with_title else title_item().title, all_items, state["subtitle"]
        )
        return OutlineResult(outline, usage, tuple(warnings), ahead)

    # -- slides ----------------------------------------------------------------------------------

    def _parse(
        self,
        reply: _Reply,
        refs: dict[str, SourceRef],
        spec: GenerationSpec,
        wants_image: bool,
        title: str = "",
    ) -> tuple[SlideDraft | None, list[str]]:
        """The reply's slide; a title that is `title` (the plan's, plain already) is kept as it is:
        made plain again, a code span's text that looks like markup (`__init__.py`) would lose it."""
        document = reply.document
        if document is None:
            if reply.broken:
                return None, [f"the reply was cut off before the JSON object was complete ({reply.broken})"]
            try:
                data = loads_lenient(reply.text)
            except ValueError:
                return None, ["the reply was not one complete JSON object"]
        else:
            try:
                data = json.loads(document)
            except ValueError as error:
                return None, [f"the reply is not valid JSON: {error}"]
        parsed, problems = parse_slide(data, refs, speaker_notes=spec.speaker_notes, wants_image=wants_image)
        if parsed is None:
            return None, problems
        slide, prompt = parsed.slide, parsed.image_prompt
        if slide.title != title:
            slide = replace(slide, title=_plain(slide.title) or slide.title)
        if slide.layout is Layout.IMAGE_TEXT:
            if wants_image and prompt:
                alt = data.get("image_alt") if isinstance(data, dict) else None
                alt_text = " ".join(str(alt).split())[:300] if alt else prompt[:300]
                slide = replace(slide, image=ImageRef("", alt_text))
            else:
                slide, prompt = replace(slide, layout=Layout.BULLETS), ""
        return SlideDraft(0, slide, image_prompt=prompt), []

    async def _slide(
        self,
        spec: GenerationSpec,
        outline: Outline,
        index: int,
        chunks: Sequence[Chunk],
        outline_complete: bool = True,
        terse: bool = False,
    ) -> SlideDraft:
        item = outline.items[index]
        if item.layout is Layout.TITLE:
            subtitle = outline.subtitle or (item.key_points[0] if item.key_points else "")
            notes = f"Welcome. This talk: {outline.title}." if spec.speaker_notes else ""
            return SlideDraft(index, Slide(Layout.TITLE, item.title, subtitle=subtitle, notes=notes))
        wants_image = spec.image_mode is ImageMode.GENERATED and self._images_available
        query = " ".join((item.title, *item.key_points))
        passages = select(chunks, query, SLIDE_SOURCE_CHARS) if chunks else []
        refs = {chunk.id: chunk.ref for chunk in chunks}
        request = slide_request(spec, outline, index, item, passages, wants_image, outline_complete, terse)
        usage = Usage()
        try:
            reply = await self._call(request)
            usage = usage + reply.usage
            draft, problems = self._parse(reply, refs, spec, wants_image, item.title)
            pinned = spec.outline is not None
            if draft is not None and pinned and draft.slide.layout is not item.layout:
                # An edited outline pins its layouts: ask once more, then keep what came and say why.
                problems = [
                    f"the outline pins this slide's layout to `{item.layout.value}`, and the reply used "
                    f"`{draft.slide.layout.value}`: write the slide with layout `{item.layout.value}`"
                ]
                request = repair_request(request, reply.text, problems)
                reply = await self._call(request)
                usage = usage + reply.usage
                again, _ = self._parse(reply, refs, spec, wants_image, item.title)
                draft = again if again is not None and again.slide.layout is item.layout else draft
                if draft.slide.layout is not item.layout:
                    return replace(
                        draft,
                        index=index,
                        usage=usage,
                        warnings=(_pin_warning(index, item, draft.slide, wants_image),),
                    )
            if draft is not None:
                return replace(draft, index=index, usage=usage)
            log.info("slide %d needs repair: %s", index + 1, "; ".join(problems))
            repaired = await self._call(repair_request(request, reply.text, problems))
            usage = usage + repaired.usage
            draft, second = self._parse(repaired, refs, spec, wants_image, item.title)
            if draft is not None:
                warning = EngineWarning(
                    "SLIDE_REPAIRED",
                    f"Slide {index + 1} was rewritten once because the model's first reply was unusable: "
                    + "; ".join(problems[:3]),
                    index,
                )
                return replace(draft, index=index, usage=usage, warnings=(warning,))
            reason = "; ".join(second[:3])
        except ProviderFailed as failure:
            reason = f"the model could not be reached ({failure.message})"
        warning = EngineWarning(
            "SLIDE_FALLBACK",
            f"Slide {index + 1} shows the outline's key points because the model gave no usable slide: "
            f"{reason}",
            index,
        )
        return SlideDraft(index, _fallback(item, index), usage, (warning,))

    async def _gated(
        self,
        gate: asyncio.Semaphore,
        spec: GenerationSpec,
        outline: Outline,
        index: int,
        chunks: Sequence[Chunk],
        outline_complete: bool = True,
        terse: bool = False,
    ) -> SlideDraft:
        async with gate:
            with _tracer.start_as_current_span("slide", attributes={"deckgen.slide.index": index}) as span:
                draft = await self._slide(spec, outline, index, chunks, outline_complete, terse)
                if draft.warnings:
                    span.set_attribute("deckgen.slide.warnings", [w.code for w in draft.warnings])
                return draft

    async def _ahead(
        self, ahead: _Ahead, spec: GenerationSpec, so_far: Outline, index: int, chunks: Sequence[Chunk]
    ) -> None:
        # Written ahead means planned tersely (see _outline).
        draft = await self._gated(ahead.gate, spec, so_far, index, chunks, outline_complete=False, terse=True)
        await ahead.sink(draft)

    async def slides(
        self,
        spec: GenerationSpec,
        outline: Outline,
        ahead: WriteAhead | None = None,
        *,
        skip: AbstractSet[int] = frozenset(),
    ) -> AsyncGenerator[SlideDraft, None]:
        spec = _in_its_language(spec)
        chunks = _chunks(spec.sources)
        early = ahead if isinstance(ahead, _Ahead) else None
        gate = early.gate if early is not None else asyncio.Semaphore(self._concurrency)
        # Every item the outline planned ahead is already being written and reaches the sink.
        tasks = [
            asyncio.create_task(self._gated(gate, spec, outline, index, chunks, terse=early is not None))
            for index in range(len(outline.items))
            if (early is None or index not in early.tasks) and index not in skip
        ]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
            if early is not None:
                # Failures of slides written ahead surface here, in the generation's own task.
                for written_ahead in list(early.tasks.values()):
                    await written_ahead
        finally:
            # A caller that leaves (or a deadline) must stop every request to the providers now.
            for task in tasks:
                task.cancel()
            if early is not None:
                early.cancel()
                await asyncio.gather(*early.tasks.values(), return_exceptions=True)
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- one slide again ---------------------------------------------------------------------------

    async def regenerate_slide(
        self, spec: GenerationSpec, deck: Deck, index: int, instruction: str
    ) -> tuple[Slide, Usage]:
        if not 0 <= index < len(deck.slides):
            raise InvalidRequest(
                [FieldViolation("slide_index", f"must be between 0 and {len(deck.slides) - 1}, got {index}")]
            )
        written = deck.language if deck.language.strip().casefold() not in ("", "en") else ""
        spec = replace(spec, language=written) if written else _in_its_language(spec)
        chunks = _chunks(spec.sources)
        current = deck.slides[index]
        query = " ".join((current.title, instruction, *(b.text for b in current.bullets)))
        passages = select(chunks, query, SLIDE_SOURCE_CHARS) if chunks else []
        refs = {chunk.id: chunk.ref for chunk in chunks}
        request = regenerate_request(spec, deck, index, instruction, passages)
        try:
            reply = await self._call(request)
            usage = reply.usage
            draft, problems = self._parse(reply, refs, spec, False, current.title)
            if draft is None:
                reply = await self._call(repair_request(request, reply.text, problems))
                usage = usage + reply.usage
                draft, problems = self._parse(reply, refs, spec, False, current.title)
            if draft is not None and _same(draft.slide, current):
                # "More detail" that comes back unchanged is no answer: ask once more, plainly.
                problems = [
                    f"the slide is unchanged; it must follow the instruction “{instruction}” and differ "
                    "from the current slide"
                ]
                reply = await self._call(repair_request(request, reply.text, problems))
                usage = usage + reply.usage
                draft, more = self._parse(reply, refs, spec, False, current.title)
                problems = more or problems
                if draft is not None and _same(draft.slide, current):
                    draft = None
        except ProviderFailed as failure:
            raise _unavailable(failure) from failure
        if draft is None:
            raise GenerationFailed("the model did not write a usable slide: " + "; ".join(problems[:3]))
        slide = draft.slide
        if current.image is not None and slide.layout is current.layout:
            slide = replace(slide, image=current.image)
        return slide, usage
