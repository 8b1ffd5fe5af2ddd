"""Generation events: what the pipeline publishes, in order, through one channel.

The pipeline appends events to an event log; the gRPC layer reads them back and translates each to
a `GenerationEvent`. A job queue and a durable, shared log can replace the in-process ones because
these are plain values that serialise as they are.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from deckgen.domain._deck import Slide
from deckgen.domain._errors import DeckgenError
from deckgen.domain._outline import Outline, OutlineItem
from deckgen.domain._presentation import Artifact, Presentation, Usage

__all__ = [
    "Accepted",
    "ArtifactReady",
    "Completed",
    "Event",
    "Failed",
    "ImageReady",
    "OutlineItemReady",
    "OutlineReady",
    "Progress",
    "SequencedEvent",
    "SlideReady",
    "Stage",
    "Warning",
]


class Stage(enum.Enum):
    QUEUED = "queued"
    OUTLINE = "outline"
    SLIDES = "slides"
    IMAGES = "images"
    RENDER = "render"
    STORE = "store"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Accepted:
    presentation: Presentation


@dataclass(frozen=True, slots=True)
class OutlineItemReady:
    index: int
    item: OutlineItem


@dataclass(frozen=True, slots=True)
class OutlineReady:
    outline: Outline


@dataclass(frozen=True, slots=True)
class SlideReady:
    index: int
    slide: Slide
    total: int
    usage: Usage = field(default_factory=Usage)
    image_prompt: str = ""
    """The prompt of the picture asked for this slide, if any. Not for callers: kept in the event
    log so that a worker taking the job over can ask again for a picture that never came."""
    fraction: float = 0.0
    """Overall completion once this slide is done: the slide stands in for a progress event."""


@dataclass(frozen=True, slots=True)
class ImageReady:
    slide_index: int
    artifact: Artifact
    alt_text: str


@dataclass(frozen=True, slots=True)
class ArtifactReady:
    artifact: Artifact


@dataclass(frozen=True, slots=True)
class Progress:
    stage: Stage
    fraction: float
    """Overall completion in [0, 1]."""
    message: str = ""


@dataclass(frozen=True, slots=True)
class Warning:  # noqa: A001 - the event's name in the contract; never used unqualified
    code: str
    message: str
    slide_index: int | None = None


@dataclass(frozen=True, slots=True)
class Completed:
    presentation: Presentation


@dataclass(frozen=True, slots=True)
class Failed:
    """Terminal failure; the gRPC layer ends the stream with the status `error` maps to."""

    error: DeckgenError
    """The domain error with all its details (violations, resource, retry delay…), free of any
    traceback, so a log that keeps it holds no frames and it round-trips through the codec."""


Event = (
    Accepted
    | OutlineItemReady
    | OutlineReady
    | SlideReady
    | ImageReady
    | ArtifactReady
    | Progress
    | Warning
    | Completed
    | Failed
)

TERMINAL_EVENTS = (Completed, Failed)


@dataclass(frozen=True, slots=True)
class SequencedEvent:
    sequence: int
    """1-based, gap-free within one presentation's stream."""
    time: float
    event: Event

    @property
    def terminal(self) -> bool:
        return isinstance(self.event, TERMINAL_EVENTS)
