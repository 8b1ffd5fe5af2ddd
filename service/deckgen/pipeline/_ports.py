"""What the pipeline needs from the rest of the system, as narrow callables and protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from deckgen.content import ContentEngine
from deckgen.domain import ArtifactFormat, Brand, Deck, Layout, Slide, SourceDocument, Template, Theme
from deckgen.domain._events import Event
from deckgen.pipeline._cache import ContentCache
from deckgen.pipeline._priority import FirstSlides
from deckgen.providers.images import ImageGenerator
from deckgen.providers.queue import EventLog, JobQueue, Opener
from deckgen.providers.sources import Converted
from deckgen.providers.state import CancelSignals, Readers, Records
from deckgen.providers.storage import ArtifactStore

__all__ = [
    "ArtifactWriter",
    "Coordination",
    "Exporter",
    "Fitter",
    "InspectTemplate",
    "PipelineDeps",
    "Publish",
    "RenderAssets",
    "SourceReader",
    "TemplateSource",
]

Publish = Callable[[Event], Awaitable[None]]
Fitter = Callable[[Slide, Theme], tuple[tuple[Slide, ...], tuple[str, ...]]]
"""Lay a slide out: the slide itself when it fits, or its continuation slides, plus warnings."""

InspectTemplate = Callable[[bytes], tuple[tuple[Layout, ...], tuple[str, ...]]]
"""A template's servable layouts and its own layout names; raises InvalidRequest for a file that is
not a PowerPoint file, PreconditionFailed for one that lacks what essential layouts need."""


class Exporter(Protocol):
    """PDF and slide previews from a finished PPTX (LibreOffice and poppler in production)."""

    async def pdf(self, pptx: bytes) -> bytes: ...

    def previews(self, pdf: bytes) -> AsyncIterator[tuple[int, bytes]]:
        """(page index, PNG) for every page, each as soon as it is drawn (not necessarily in order)."""
        ...


class SourceReader(Protocol):
    """Source documents in any supported format as Markdown (Markdown and plain text pass as they
    are). Raises InvalidRequest naming every source it cannot read, with the first one's reason."""

    async def to_markdown(self, sources: Sequence[SourceDocument]) -> Converted: ...


class TemplateSource(Protocol):
    """Stored templates by id; both raise NotFound for an id that was never uploaded."""

    async def get(self, template_id: str) -> Template: ...

    async def content(self, template_id: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class RenderAssets:
    """What a writer needs besides the deck and theme."""

    images: Mapping[str, bytes] = field(default_factory=dict)
    """Artifact name -> bytes of the pictures and logo the deck refers to."""
    template: bytes | None = None
    """The user's template the deck names, if any."""


@dataclass(frozen=True, slots=True)
class ArtifactWriter:
    """Turns a finished deck into one file format. `write` does its CPU-bound work off the event
    loop (in a worker process or a thread), so that other streams' events are not held up."""

    format: ArtifactFormat
    filename: str
    media_type: str
    write: Callable[[Deck, Theme, RenderAssets], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class PipelineDeps:
    engine: ContentEngine
    engine_name: str
    store: ArtifactStore
    writers: Mapping[ArtifactFormat, ArtifactWriter]
    fit: Fitter
    theme: Callable[[str], Theme]
    brand: Callable[[Theme, Brand | None], tuple[Theme, list[str]]] = lambda theme, brand: (theme, [])
    """The theme with a caller's brand applied, and what had to be adjusted to keep it readable."""
    cache: ContentCache | None = None
    images: ImageGenerator | None = None
    """Pictures for slides that ask for one; None when no images API is configured."""
    image_concurrency: int = 4
    image_size: str = "1536x1024"
    exporter: Exporter | None = None
    """PDF and previews; None when the server cannot make them."""
    templates: TemplateSource | None = None
    """The stored template of that id (NotFound if there is none); None when templates are off."""
    sources: SourceReader | None = None
    """Reads PDF, Office, HTML and CSV sources; None accepts Markdown and plain text only."""
    first_slides: FirstSlides | None = None
    """Every call reaches its first slide before any generation goes on past its own (see
    `FirstSlides`): for an engine whose first slide is CPU work in this process, not a model's."""


@dataclass(frozen=True, slots=True)
class Coordination:
    """Where the front side and the workers meet: in this process, or in Redis for every replica."""

    queue: JobQueue
    events: EventLog
    records: Records
    readers: Readers
    cancels: CancelSignals
    opener: Opener | None = None
    """Creates, records and submits a generation in one step, when the state is far enough away
    for that to matter (Redis); without it, the front side calls the ports one by one."""
