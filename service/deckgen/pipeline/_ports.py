"""What the pipeline needs from the rest of the system, as narrow callables and protocols."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from deckgen.content import ContentEngine
from deckgen.domain import ArtifactFormat, Deck, Slide, Theme
from deckgen.domain._events import Event
from deckgen.pipeline._cache import ContentCache
from deckgen.providers.images import ImageGenerator
from deckgen.providers.storage import ArtifactStore

__all__ = ["ArtifactWriter", "Fitter", "PipelineDeps", "Publish"]

Publish = Callable[[Event], Awaitable[None]]
Fitter = Callable[[Slide, Theme], tuple[tuple[Slide, ...], tuple[str, ...]]]
"""Lay a slide out: the slide itself when it fits, or its continuation slides, plus warnings."""


@dataclass(frozen=True, slots=True)
class ArtifactWriter:
    """Turns a finished deck into one file format. `write` is CPU-bound and runs in a thread."""

    format: ArtifactFormat
    filename: str
    media_type: str
    write: Callable[[Deck, Theme, Mapping[str, bytes]], bytes]


@dataclass(frozen=True, slots=True)
class PipelineDeps:
    engine: ContentEngine
    engine_name: str
    store: ArtifactStore
    writers: Mapping[ArtifactFormat, ArtifactWriter]
    fit: Fitter
    theme: Callable[[str], Theme]
    cache: ContentCache | None = None
    images: ImageGenerator | None = None
    """Pictures for slides that ask for one; None when no images API is configured."""
    image_concurrency: int = 4
    image_size: str = "1536x1024"
