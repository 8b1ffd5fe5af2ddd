"""The generation use case: outline → slides → files, each step announced as it completes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import replace

from deckgen.content import OutlineResult
from deckgen.domain import (
    Artifact,
    ArtifactFormat,
    Deck,
    GenerationSpec,
    ImageMode,
    Outline,
    OutlineItem,
    Presentation,
    PresentationState,
    Slide,
    Theme,
    Usage,
)
from deckgen.domain import _events as ev
from deckgen.domain._events import (
    ArtifactReady,
    OutlineItemReady,
    OutlineReady,
    Progress,
    SlideReady,
    Stage,
)
from deckgen.pipeline._cache import CachedContent, content_key
from deckgen.pipeline._ports import PipelineDeps, Publish

__all__ = ["artifact_name", "generate_outline", "generate_presentation", "render_deck", "store_key"]

# Rough weights of each stage in the progress fraction; content dominates with a model.
_OUTLINE_DONE = 0.15
_SLIDES_DONE = 0.80


def store_key(presentation_id: str, filename: str) -> str:
    return f"presentations/{presentation_id}/{filename}"


def artifact_name(presentation_id: str, filename: str) -> str:
    return f"presentations/{presentation_id}/artifacts/{filename}"


async def _plan(spec: GenerationSpec, deps: PipelineDeps, publish: Publish) -> OutlineResult:
    await publish(Progress(Stage.OUTLINE, 0.01, "planning the outline"))
    if spec.outline is not None:
        for index, item in enumerate(spec.outline.items):
            await publish(OutlineItemReady(index, item))
        result = OutlineResult(spec.outline)
    else:

        async def emit(index: int, item: OutlineItem) -> None:
            await publish(OutlineItemReady(index, item))

        result = await deps.engine.outline(spec, emit)
    await publish(OutlineReady(result.outline))
    await publish(
        Progress(Stage.OUTLINE, _OUTLINE_DONE, f"outline ready: {len(result.outline.items)} slides")
    )
    return result


async def generate_outline(
    presentation: Presentation, spec: GenerationSpec, deps: PipelineDeps, publish: Publish
) -> Presentation:
    deps.engine.check(spec)
    result = await _plan(spec, deps, publish)
    return _finish(presentation, outline=result.outline, usage=result.usage)


def _finish(presentation: Presentation, **changes: object) -> Presentation:
    return replace(presentation, state=PresentationState.SUCCEEDED, update_time=time.time(), **changes)  # type: ignore[arg-type]


async def _write_slides(
    spec: GenerationSpec, outline: Outline, theme: Theme, deps: PipelineDeps, publish: Publish
) -> tuple[list[Slide | None], Usage]:
    total = len(outline.items)
    slides: list[Slide | None] = [None] * total
    usage = Usage()
    done = 0
    await publish(Progress(Stage.SLIDES, _OUTLINE_DONE, "writing slides"))
    async for draft in deps.engine.slides(spec, outline):
        slides[draft.index] = draft.slide
        usage = usage + draft.usage
        done += 1
        _, warnings = deps.fit(draft.slide, theme)
        await publish(SlideReady(draft.index, draft.slide, total, draft.usage))
        for message in warnings:
            await publish(ev.Warning("SLIDE_SPLIT_TO_FIT", message, draft.index))
        fraction = _OUTLINE_DONE + (_SLIDES_DONE - _OUTLINE_DONE) * done / max(total, 1)
        await publish(Progress(Stage.SLIDES, round(fraction, 3), f"slide {done} of {total}"))
    return slides, usage


async def _replay(cached: CachedContent, publish: Publish, theme: Theme, deps: PipelineDeps) -> None:
    for index, item in enumerate(cached.outline.items):
        await publish(OutlineItemReady(index, item))
    await publish(OutlineReady(cached.outline))
    for index, slide in enumerate(cached.slides):
        _, warnings = deps.fit(slide, theme)
        await publish(SlideReady(index, slide, len(cached.slides)))
        for message in warnings:
            await publish(ev.Warning("SLIDE_SPLIT_TO_FIT", message, index))


async def render_deck(
    presentation_id: str,
    deck: Deck,
    theme: Theme,
    formats: tuple[ArtifactFormat, ...],
    deps: PipelineDeps,
    publish: Publish,
    images: Mapping[str, bytes] | None = None,
) -> tuple[Deck, list[Artifact]]:
    """Fit the deck's slides to their boxes, write every requested format and store each file."""
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
    )
    artifacts: list[Artifact] = []
    for position, fmt in enumerate(formats):
        writer = deps.writers[fmt]
        await publish(
            Progress(
                Stage.RENDER, _SLIDES_DONE + 0.15 * position / len(formats), f"rendering {writer.filename}"
            )
        )
        data = await asyncio.to_thread(writer.write, laid_out, theme, images or {})
        await publish(
            Progress(
                Stage.STORE,
                _SLIDES_DONE + 0.15 * (position + 0.5) / len(formats),
                f"storing {writer.filename}",
            )
        )
        key = store_key(presentation_id, writer.filename)
        stored = await deps.store.put(key, data, writer.media_type)
        artifact = Artifact(
            name=artifact_name(presentation_id, writer.filename),
            format=writer.format,
            media_type=stored.media_type,
            size_bytes=stored.size,
            sha256=stored.sha256,
            key=key,
            uri=await deps.store.url(key),
        )
        artifacts.append(artifact)
        await publish(ArtifactReady(artifact))
    return laid_out, artifacts


async def generate_presentation(
    presentation: Presentation, spec: GenerationSpec, deps: PipelineDeps, publish: Publish
) -> Presentation:
    theme = deps.theme(spec.theme)
    key = content_key(spec, deps.engine_name)
    cached = await deps.cache.get(key) if deps.cache is not None else None
    if cached is not None:
        await _replay(cached, publish, theme, deps)
        outline, slides, usage = cached.outline, cached.slides, Usage()
    else:
        deps.engine.check(spec)
        planned = await _plan(spec, deps, publish)
        outline = planned.outline
        drafts, slide_usage = await _write_slides(spec, outline, theme, deps, publish)
        missing = [index for index, slide in enumerate(drafts) if slide is None]
        if missing:
            raise RuntimeError(f"content engine wrote no slide for outline items {missing}")
        slides = tuple(slide for slide in drafts if slide is not None)
        usage = planned.usage + slide_usage
        if deps.cache is not None:
            await deps.cache.put(key, CachedContent(outline, slides, usage))
    if spec.image_mode is ImageMode.GENERATED:
        await publish(
            ev.Warning(
                "IMAGES_NOT_CONFIGURED",
                "Pictures were requested but no images API is configured; slides have no pictures.",
            )
        )
    deck = Deck(
        title=outline.title, subtitle=outline.subtitle, language=spec.language, theme=theme.id, slides=slides
    )
    laid_out, artifacts = await render_deck(presentation.id, deck, theme, spec.output_formats, deps, publish)
    if len(laid_out.slides) != len(deck.slides):
        await publish(
            ev.Warning(
                "DECK_GREW_TO_FIT",
                f"{len(laid_out.slides) - len(deck.slides)} continuation slide(s) were added so that "
                "no text overflows; the deck has "
                f"{len(laid_out.slides)} slides instead of {len(deck.slides)}.",
            )
        )
    await publish(Progress(Stage.DONE, 1.0, "done"))
    return _finish(presentation, deck=laid_out, outline=outline, artifacts=tuple(artifacts), usage=usage)
