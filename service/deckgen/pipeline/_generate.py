"""The generation use case: outline → slides → files, each step announced as it completes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import replace

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from deckgen.content import EngineWarning, OutlineResult, SlideDraft, SlideSink, deck_language
from deckgen.domain import (
    Artifact,
    ArtifactFormat,
    Deck,
    DeckgenError,
    GenerationSpec,
    ImageMode,
    ImageRef,
    Layout,
    OutlineItem,
    PreconditionFailed,
    Presentation,
    PresentationState,
    Slide,
    Theme,
    Usage,
    clean_deck,
    presentation_name,
    restrict_layout,
)
from deckgen.domain import _events as ev
from deckgen.domain._events import (
    ArtifactReady,
    Event,
    ImageReady,
    OutlineItemReady,
    OutlineReady,
    Progress,
    SlideReady,
    Stage,
)
from deckgen.observability import CACHE, IMAGES
from deckgen.pipeline._cache import CachedContent, content_key
from deckgen.pipeline._ports import PipelineDeps, Publish, RenderAssets
from deckgen.pipeline._resume import Progressed
from deckgen.providers.export import ExportFailed
from deckgen.providers.images import ImageFailed
from deckgen.providers.storage import InvalidKey, ObjectNotFound, StorageError

__all__ = [
    "EXPORTED_FORMATS",
    "RenderFailed",
    "artifact_key",
    "export_unavailable",
    "artifact_name",
    "generate_outline",
    "generate_presentation",
    "load_assets",
    "render_deck",
    "store_key",
    "store_logo",
]

_tracer = trace.get_tracer("deckgen.pipeline")
log = logging.getLogger("deckgen.pipeline")

# Rough weights of each stage in the progress fraction; content dominates with a model.
_OUTLINE_DONE = 0.15
_SLIDES_DONE = 0.80


def _slides_fraction(done: int, total: int) -> float:
    """Overall completion with `done` of `total` slides written; 0 while the total is unknown."""
    if not total:
        return 0.0
    return round(min(_OUTLINE_DONE + (_SLIDES_DONE - _OUTLINE_DONE) * done / total, _SLIDES_DONE), 3)


def store_key(presentation_id: str, filename: str) -> str:
    return f"presentations/{presentation_id}/{filename}"


def artifact_name(presentation_id: str, filename: str) -> str:
    return f"presentations/{presentation_id}/artifacts/{filename}"


async def _plan(
    spec: GenerationSpec,
    deps: PipelineDeps,
    publish: Publish,
    emit_slide: SlideSink | None = None,
    done: Progressed | None = None,
    after: list[Event] | None = None,
) -> OutlineResult:
    """Plan the outline and announce it; with `after`, what would follow the outline (its warnings)
    is put there for the caller to publish later instead."""
    if done is not None and done.outline is not None:
        # Taken over after the outline was announced: readers have it, so it is the outline.
        return OutlineResult(done.outline)
    # Only when the caller waits for a plan: an outline at hand (the caller's own, or one an
    # in-process engine plans without a model) is announced at once, by the `outline` event alone.
    if spec.outline is None and deps.first_slides is None:
        await publish(Progress(Stage.OUTLINE, 0.01, "planning the outline"))
    if spec.outline is not None:
        result = OutlineResult(spec.outline)
    else:

        async def emit(index: int, item: OutlineItem) -> None:
            await publish(OutlineItemReady(index, item))

        with _tracer.start_as_current_span("outline"):
            result = await deps.engine.outline(spec, emit, emit_slide=emit_slide)
        result = _keep_items_seen(result, done)
    await publish(OutlineReady(result.outline))  # says the outline is ready: no progress event does
    tail: list[Event] = [ev.Warning(w.code, w.message, w.slide_index) for w in result.warnings]
    if after is not None:
        after.extend(tail)
    else:
        for event in tail:
            await publish(event)
    return result


def _keep_items_seen(result: OutlineResult, done: Progressed | None) -> OutlineResult:
    """A plan made again after a takeover mid-planning, with the items readers already have in
    place of the new plan's (a model seldom plans the same twice): the outline announced at the end
    is the one whose items they were shown, and the slides already written still match it."""
    if done is None or not done.outline_items:
        return result
    items = list(result.outline.items)
    for index, item in done.outline_items.items():
        if index < len(items):
            items[index] = item
    return replace(result, outline=replace(result.outline, items=tuple(items)))


def _written(title: str, slides: Sequence[Slide]) -> str:
    """The running text a deck shows, to tell which language it is in."""
    texts = [title]
    for slide in slides:
        texts += [slide.title, slide.subtitle, slide.body, *(bullet.text for bullet in slide.bullets)]
    return "\n".join(text for text in texts if text)


async def generate_outline(
    presentation: Presentation,
    spec: GenerationSpec,
    deps: PipelineDeps,
    publish: Publish,
    done: Progressed | None = None,
) -> Presentation:
    """Plan the outline; with `done`, keep what an earlier worker announced of it."""
    deps.engine.check(spec)
    result = await _plan(spec, deps, publish, done=done)
    return _finish(presentation, outline=result.outline, usage=result.usage)


def _finish(presentation: Presentation, **changes: object) -> Presentation:
    return replace(presentation, state=PresentationState.SUCCEEDED, update_time=time.time(), **changes)  # type: ignore[arg-type]


async def _publish_warnings(publish: Publish, warnings: Iterable[EngineWarning]) -> None:
    for warning in warnings:
        await publish(ev.Warning(warning.code, warning.message, warning.slide_index))


class _Pictures:
    """Generates, stores and announces the pictures slides ask for, while other slides are written."""

    def __init__(self, presentation_id: str, deps: PipelineDeps, publish: Publish) -> None:
        self._id = presentation_id
        self._deps = deps
        self._publish = publish
        self._gate = asyncio.Semaphore(deps.image_concurrency)
        self._tasks: list[asyncio.Task[None]] = []
        self.stored: dict[int, tuple[Artifact, bytes]] = {}
        self.count = 0

    def request(self, index: int, prompt: str, alt_text: str) -> None:
        self._tasks.append(asyncio.create_task(self._one(index, prompt, alt_text)))

    async def _one(self, index: int, prompt: str, alt_text: str) -> None:
        assert self._deps.images is not None
        async with self._gate:
            span = _tracer.start_span("image", attributes={"deckgen.slide.index": index})
            try:
                image = await self._deps.images.generate(prompt, size=self._deps.image_size)
                extension = image.media_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
                filename = f"images/slide-{index + 1:02d}.{extension}"
                key = store_key(self._id, filename)
                stored = await self._deps.store.put(key, image.data, image.media_type)
            except Exception as error:  # any failure: the slide stays good-looking without a picture
                IMAGES.labels("failed").inc()
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                span.end()
                message = str(error) if isinstance(error, ImageFailed) else type(error).__name__
                await self._publish(
                    ev.Warning(
                        "IMAGE_FAILED",
                        f"No picture for slide {index + 1} ({message}); the slide is laid out without one.",
                        index,
                    )
                )
                return
        IMAGES.labels("generated").inc()
        span.end()
        artifact = Artifact(
            name=artifact_name(self._id, filename),
            format=ArtifactFormat.IMAGE,
            media_type=stored.media_type,
            size_bytes=stored.size,
            sha256=stored.sha256,
            key=key,
            uri=await self._deps.store.url(key),
            slide_index=index,
        )
        self.stored[index] = (artifact, image.data)
        self.count += 1
        await self._publish(ImageReady(index, artifact, alt_text))

    async def wait(self) -> None:
        await asyncio.gather(*self._tasks)

    async def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def place(self, slides: Sequence[Slide]) -> tuple[tuple[Slide, ...], dict[str, bytes]]:
        """Slides with their pictures; a slide whose picture never came is laid out as text."""
        placed: list[Slide] = []
        images: dict[str, bytes] = {}
        for index, slide in enumerate(slides):
            wanted = slide.image
            if wanted is not None and not wanted.uri:
                got = self.stored.get(index)
                if got is None:
                    slide = replace(slide, image=None, layout=Layout.BULLETS)
                else:
                    artifact, data = got
                    slide = replace(slide, image=ImageRef(artifact.name, wanted.alt_text))
                    images[artifact.name] = data
            placed.append(slide)
        return tuple(placed), images


class _Slides:
    """Announces each finished slide, whichever way it arrived, and keeps the deck's slides in order."""

    def __init__(
        self,
        spec: GenerationSpec,
        theme: Theme,
        deps: PipelineDeps,
        publish: Publish,
        pictures: _Pictures | None,
    ) -> None:
        self._theme = theme
        self._deps = deps
        self._publish = publish
        self._pictures = pictures
        self.by_index: dict[int, Slide] = {}
        self.usage = Usage()
        self.total = spec.slide_count or 0
        self._allowed = spec.allowed_layouts if spec.outline is None else ()
        """Unknown (0) until the outline is planned, unless the caller asked for a count."""
        self._after_first: list[Event] = []
        self._announced = False

    async def after_first(self, events: list[Event]) -> None:
        """Publish `events` right after the next slide, or now if one was announced already."""
        if self._announced:
            for event in events:
                await self._publish(event)
        else:
            self._after_first.extend(events)

    async def flush(self) -> None:
        """What was kept for after the first slide, when no slide came."""
        events, self._after_first = self._after_first, []
        for event in events:
            await self._publish(event)

    async def accept(self, draft: SlideDraft) -> None:
        if draft.index in self.by_index:
            return  # announced by a worker that stopped before this one took over
        # Layouts the caller ruled out are re-cast; an outline the caller edited pins its own.
        if self._allowed and draft.slide.layout not in self._allowed:
            draft = replace(draft, slide=restrict_layout(draft.slide, self._allowed), image_prompt="")
        self.by_index[draft.index] = draft.slide
        self.usage = self.usage + draft.usage
        wants_picture = (
            self._pictures is not None and bool(draft.image_prompt) and draft.slide.image is not None
        )
        prompt = draft.image_prompt if wants_picture else ""
        # The slide carries the progress: a progress event after it would say nothing new, and each
        # event costs the loop a write to every reader (most of a deck's events were these).
        fraction = _slides_fraction(len(self.by_index), self.total)
        await self._publish(SlideReady(draft.index, draft.slide, self.total, draft.usage, prompt, fraction))
        self._announced = True
        await self.flush()
        await _publish_warnings(self._publish, draft.warnings)
        # The slide's readers were woken by its append: they write it before this task measures
        # its text (a slide of new text takes 0.5-3 ms to fit, and the write would wait for it).
        await asyncio.sleep(0)
        _, warnings = self._deps.fit(draft.slide, self._theme)
        for message in warnings:
            await self._publish(ev.Warning("SLIDE_SPLIT_TO_FIT", message, draft.index))
        if self._pictures is not None and wants_picture and draft.slide.image is not None:
            self._pictures.request(draft.index, draft.image_prompt, draft.slide.image.alt_text)


async def _replay(cached: CachedContent, publish: Publish, theme: Theme, deps: PipelineDeps) -> None:
    await publish(OutlineReady(cached.outline))
    total = len(cached.slides)
    for index, slide in enumerate(cached.slides):
        _, warnings = deps.fit(slide, theme)
        await publish(SlideReady(index, slide, total, fraction=_slides_fraction(index + 1, total)))
        for message in warnings:
            await publish(ev.Warning("SLIDE_SPLIT_TO_FIT", message, index))


async def store_logo(presentation_id: str, data: bytes, deps: PipelineDeps) -> Artifact:
    """Keep a caller's logo with the presentation, so that re-rendering the deck finds it again."""
    media_type, extension = ("image/png", "png") if data.startswith(b"\x89PNG") else ("image/jpeg", "jpg")
    filename = f"brand/logo.{extension}"
    key = store_key(presentation_id, filename)
    stored = await deps.store.put(key, data, media_type)
    return Artifact(
        name=artifact_name(presentation_id, filename),
        format=ArtifactFormat.IMAGE,
        media_type=stored.media_type,
        size_bytes=stored.size,
        sha256=stored.sha256,
        key=key,
        uri=await deps.store.url(key),
    )


def artifact_key(name: str) -> str | None:
    """The storage key of one of our artifact names (presentations/{p}/artifacts/{file}), else None."""
    parts = name.split("/", 3)
    if len(parts) == 4 and parts[0] == "presentations" and parts[2] == "artifacts" and parts[1] and parts[3]:
        return store_key(parts[1], parts[3])
    return None


async def load_assets(deck: Deck, deps: PipelineDeps) -> dict[str, bytes]:
    """Bytes of the pictures and logo a deck refers to by artifact name, for re-rendering it."""
    names = [slide.image.uri for slide in deck.slides if slide.image is not None and slide.image.uri]
    if deck.brand is not None and deck.brand.logo_uri:
        names.append(deck.brand.logo_uri)
    assets: dict[str, bytes] = {}
    for name in dict.fromkeys(names):
        key = artifact_key(name)
        if key is None:
            continue  # an outside URI: drawn without the picture rather than fetched
        try:
            assets[name] = await deps.store.get(key)
        except (ObjectNotFound, InvalidKey):
            continue
    return assets


EXPORTED_FORMATS = frozenset({ArtifactFormat.PDF, ArtifactFormat.PNG})


def export_unavailable() -> PreconditionFailed:
    return PreconditionFailed(
        "PDF and PNG previews need LibreOffice and poppler on the server "
        "(apt-get install libreoffice-impress poppler-utils, or `make system-deps`)",
        reason="EXPORT_UNAVAILABLE",
        subject="output_formats",
    )


async def render_deck(
    presentation_id: str,
    deck: Deck,
    theme: Theme,
    formats: tuple[ArtifactFormat, ...],
    deps: PipelineDeps,
    publish: Publish,
    images: Mapping[str, bytes] | None = None,
    template: bytes | None = None,
    stored: list[Artifact] | None = None,
) -> tuple[Deck, list[Artifact]]:
    """Fit the deck's slides to their boxes, write every requested format and store each file.

    Each stored file is appended to `stored` (when given) as soon as it is kept, so that a caller
    still knows what was stored when a later format fails.
    """
    # A model or a document may have written characters no Office file can hold: drop them here,
    # not in the middle of writing the file.
    deck = clean_deck(deck)
    # Fitted with the brand's fonts and sizes, exactly as the writer will draw them.
    theme, adjustments = deps.brand(theme, deck.brand)
    for message in adjustments:
        await publish(ev.Warning("BRAND_ADJUSTED", message))
    fitted: list[Slide] = []
    for slide in deck.slides:
        parts, _ = deps.fit(slide, theme)
        fitted.extend(parts)
    laid_out = Deck(
        title=deck.title,
        subtitle=deck.subtitle,
        language=deck.language,
        theme=theme.id,
        slides=tuple(fitted),
        author=deck.author,
        tags=deck.tags,
        brand=deck.brand,
        template=deck.template,
        slide_numbers=deck.slide_numbers,
        footer=deck.footer,
    )
    assets = RenderAssets(images or {}, template)
    exports = [fmt for fmt in formats if fmt in EXPORTED_FORMATS]
    # PDF and previews are drawn from the very PPTX the caller downloads, so it is always written.
    files = [fmt for fmt in formats if fmt not in EXPORTED_FORMATS]
    if exports and ArtifactFormat.PPTX not in files:
        files.insert(0, ArtifactFormat.PPTX)
    steps = len(files) + len(exports)
    artifacts: list[Artifact] = stored if stored is not None else []
    pptx = b""

    async def keep(
        filename: str, fmt: ArtifactFormat, data: bytes, media_type: str, slide: int | None = None
    ) -> None:
        key = store_key(presentation_id, filename)
        stored = await deps.store.put(key, data, media_type)
        artifact = Artifact(
            name=artifact_name(presentation_id, filename),
            format=fmt,
            media_type=stored.media_type,
            size_bytes=stored.size,
            sha256=stored.sha256,
            key=key,
            uri=await deps.store.url(key),
            slide_index=slide,
        )
        artifacts.append(artifact)
        await publish(ArtifactReady(artifact))

    def progress(done: float) -> float:
        return round(_SLIDES_DONE + 0.19 * done / steps, 3)

    for position, fmt in enumerate(files):
        writer = deps.writers[fmt]
        await publish(Progress(Stage.RENDER, progress(position), f"rendering {writer.filename}"))
        with _tracer.start_as_current_span("render", attributes={"deckgen.format": fmt.value}):
            data = await writer.write(laid_out, theme, assets)
        if fmt is ArtifactFormat.PPTX:
            pptx = data
        await publish(Progress(Stage.STORE, progress(position + 0.5), f"storing {writer.filename}"))
        await keep(writer.filename, writer.format, data, writer.media_type)
    if exports:
        exporter = deps.exporter
        if exporter is None:
            raise export_unavailable()
        await publish(Progress(Stage.RENDER, progress(len(files)), "exporting PDF"))
        with _tracer.start_as_current_span("export.pdf"):
            pdf = await exporter.pdf(pptx)
        if ArtifactFormat.PDF in exports:
            await keep("deck.pdf", ArtifactFormat.PDF, pdf, "application/pdf")
        if ArtifactFormat.PNG in exports:
            await publish(Progress(Stage.RENDER, progress(steps - 1), "drawing previews"))
            async for page, png in exporter.previews(pdf):
                await keep(f"previews/slide-{page + 1:02d}.png", ArtifactFormat.PNG, png, "image/png", page)
    return laid_out, artifacts


async def _taken_over(pictures: _Pictures | None, done: Progressed, deps: PipelineDeps) -> None:
    """Pictures an earlier worker stored are placed, not drawn again; those it asked for and never
    announced (drawing when it stopped) are asked for again."""
    if pictures is None:
        return
    for index, artifact in done.images.items():
        try:
            pictures.stored[index] = (artifact, await deps.store.get(artifact.key))
        except (ObjectNotFound, InvalidKey):
            continue
        pictures.count += 1
    for index, prompt in done.pictures_asked.items():
        slide = done.slides.get(index)
        if index not in pictures.stored and slide is not None and slide.image is not None:
            pictures.request(index, prompt, slide.image.alt_text)


async def generate_presentation(
    presentation: Presentation,
    spec: GenerationSpec,
    deps: PipelineDeps,
    publish: Publish,
    done: Progressed | None = None,
) -> Presentation:
    """Generate a deck; with `done`, continue what an earlier worker published instead of starting over."""
    theme = deps.theme(spec.theme)
    # Hashing the request (documents included) only when there is a cache to ask.
    key = content_key(spec, deps.engine_name) if deps.cache is not None else ""
    resuming = done is not None and done.started
    # A cached deck may not be the one readers already saw part of: a continuation writes its own.
    cached = await deps.cache.get(key) if deps.cache is not None and not resuming else None
    if deps.cache is not None and not resuming:
        CACHE.labels("hit" if cached is not None else "miss").inc()
    wants_pictures = spec.image_mode is ImageMode.GENERATED
    pictures = _Pictures(presentation.id, deps, publish) if wants_pictures and deps.images else None
    planned: OutlineResult | None = None
    try:
        if cached is not None:
            await _replay(cached, publish, theme, deps)
            outline, slides, usage = cached.outline, cached.slides, Usage()
        else:
            deps.engine.check(spec)
            # Slides may be written while the outline is still being planned: the first slide can
            # reach the caller seconds earlier than if every slide waited for the whole outline.
            written = _Slides(spec, theme, deps, publish, pictures)
            if done is not None:
                written.by_index.update(done.slides)
                written.usage = done.usage
                await _taken_over(pictures, done, deps)
            # Planning again after a takeover: no slide is written before the plan is final, as the
            # items readers already have replace some of the new plan's.
            again = done is not None and bool(done.outline_items) and done.outline is None
            # Without a model the first slide is at hand once the outline is: the outline's
            # warnings follow it rather than hold it up (see FirstSlides).
            after: list[Event] | None = [] if deps.first_slides is not None else None
            planned = await _plan(
                spec, deps, publish, emit_slide=None if again else written.accept, done=done, after=after
            )
            outline = planned.outline
            written.total = len(outline.items)
            if after is not None:
                await written.after_first(after)
            elif not written.by_index:
                # Until the first slide, which tells it better (slides written while the outline was
                # planned did already).
                await publish(Progress(Stage.SLIDES, _OUTLINE_DONE, "writing slides"))
            ready = frozenset(written.by_index)
            async with aclosing(deps.engine.slides(spec, outline, planned.ahead, skip=ready)) as drafts:
                async for draft in drafts:
                    await written.accept(draft)
            await written.flush()
            missing = [i for i in range(len(outline.items)) if i not in written.by_index]
            if missing:
                raise RuntimeError(f"content engine wrote no slide for outline items {missing}")
            slides = tuple(written.by_index[i] for i in range(len(outline.items)))
            usage = planned.usage + written.usage
            if deps.cache is not None:
                # Pictures are not cached: a cached deck is replayed as text and pictures come anew.
                await deps.cache.put(key, CachedContent(outline, _without_pictures(slides), usage))
        images: dict[str, bytes] = {}
        if pictures is not None:
            await publish(Progress(Stage.IMAGES, _SLIDES_DONE, "finishing pictures"))
            await pictures.wait()
            slides, images = pictures.place(slides)
            usage = usage + Usage(images=pictures.count)
        else:
            slides = _without_pictures(slides)
            if wants_pictures:
                await publish(
                    ev.Warning(
                        "IMAGES_NOT_CONFIGURED",
                        "Pictures were requested but no images API is configured (set IMAGES_MODEL and "
                        "OPENAI_API_KEY); slides have no pictures.",
                    )
                )
    finally:
        if planned is not None and planned.ahead is not None:
            planned.ahead.cancel()
        if pictures is not None:
            await pictures.cancel()
    brand = spec.brand
    logo: tuple[Artifact, ...] = ()
    if spec.logo and brand is not None:
        stored_logo = await store_logo(presentation.id, spec.logo, deps)
        brand = replace(brand, logo_uri=stored_logo.name)
        images[stored_logo.name] = spec.logo
        logo = (stored_logo,)
    deck = Deck(
        title=outline.title,
        subtitle=outline.subtitle,
        # Left at its default, the language is the one the deck was written in: its fixed strings,
        # the writer's fonts, text direction and proofing language all follow it.
        language=deck_language(spec.language, _written(outline.title, slides)),
        theme=theme.id,
        slides=slides,
        brand=brand,
        template=spec.template,
        slide_numbers=spec.slide_numbers,
        footer=spec.footer,
    )
    template = await deps.templates.content(spec.template) if spec.template and deps.templates else None
    pictures_stored = tuple(artifact for artifact, _ in (pictures.stored.values() if pictures else ()))
    stored: list[Artifact] = []
    try:
        laid_out, artifacts = await render_deck(
            presentation.id, deck, theme, spec.output_formats, deps, publish, images, template, stored
        )
    except (DeckgenError, StorageError, TimeoutError):
        raise  # each says what went wrong better than a render failure would
    except Exception as error:
        kept = replace(
            presentation,
            deck=clean_deck(deck),
            outline=outline,
            artifacts=(*stored, *logo, *pictures_stored),
            usage=usage,
        )
        raise await _render_failed(kept, deps, publish, error) from error
    artifacts = [*artifacts, *logo]
    if len(laid_out.slides) != len(deck.slides):
        await publish(
            ev.Warning(
                "DECK_GREW_TO_FIT",
                f"{len(laid_out.slides) - len(deck.slides)} continuation slide(s) were added so that "
                "no text overflows; the deck has "
                f"{len(laid_out.slides)} slides instead of {len(deck.slides)}.",
            )
        )
    # No progress event at 1: `completed` follows at once and says it.
    return _finish(
        presentation,
        deck=laid_out,
        outline=outline,
        artifacts=tuple(artifacts) + pictures_stored,
        usage=usage,
    )


class RenderFailed(PreconditionFailed):
    """The slides were written and streamed, but a file could not be drawn. `kept` is the
    presentation as it stays: FAILED, with its deck, outline and the files already stored (the
    deck JSON among them), so the caller's slides are not lost."""

    def __init__(self, message: str, kept: Presentation) -> None:
        super().__init__(message, reason="RENDER_FAILED", subject=presentation_name(kept.id))
        self.kept = replace(kept, state=PresentationState.FAILED, error=message, update_time=time.time())


def _where(error: BaseException) -> str:
    """file:line where `error` was raised: enough to find the bug, and none of the deck's text."""
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    return f"{trace.tb_frame.f_code.co_filename}:{trace.tb_lineno}" if trace is not None else "?"


async def _render_failed(
    kept: Presentation, deps: PipelineDeps, publish: Publish, error: Exception
) -> RenderFailed:
    """Store the deck as JSON (announced like any file), and the failure that keeps it."""
    log.error("rendering presentation %s failed: %s at %s", kept.id, type(error).__name__, _where(error))
    what = str(error)[:300] if isinstance(error, ExportFailed) else type(error).__name__
    message = (
        f"the slides were written but the files could not be drawn ({what}); the deck is kept: "
        "GetPresentation returns it and RenderPresentation can render it again"
    )
    json_writer = deps.writers.get(ArtifactFormat.JSON)
    assert kept.deck is not None
    if json_writer is not None and not any(a.format is ArtifactFormat.JSON for a in kept.artifacts):
        try:
            data = await json_writer.write(kept.deck, deps.theme(kept.deck.theme), RenderAssets({}, None))
            key = store_key(kept.id, json_writer.filename)
            stored = await deps.store.put(key, data, json_writer.media_type)
            artifact = Artifact(
                name=artifact_name(kept.id, json_writer.filename),
                format=ArtifactFormat.JSON,
                media_type=stored.media_type,
                size_bytes=stored.size,
                sha256=stored.sha256,
                key=key,
                uri=await deps.store.url(key),
            )
            await publish(ArtifactReady(artifact))
            kept = replace(kept, artifacts=(*kept.artifacts, artifact))
        except Exception as failure:  # the record below still holds the deck
            log.error("could not store the deck of %s: %s", kept.id, type(failure).__name__)
    return RenderFailed(message, kept)


def _without_pictures(slides: Sequence[Slide]) -> tuple[Slide, ...]:
    """Slides whose picture was only asked for (no stored image yet) laid out as text."""
    return tuple(
        replace(slide, image=None, layout=Layout.BULLETS)
        if slide.image is not None and not slide.image.uri
        else slide
        for slide in slides
    )
