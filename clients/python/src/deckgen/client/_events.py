"""Reading generation streams: event kinds, and folding events into the state of a deck."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass, field

from deckgen.v1.presentation_pb2 import Artifact, Deck, Outline, OutlineItem, Presentation, Slide, Usage
from deckgen.v1.presentation_service_pb2 import GenerationEvent

__all__ = ["event_kind", "DeckProgress", "collect_outline", "acollect_outline"]


def event_kind(event: GenerationEvent) -> str:
    """The name of the event's `event` oneof: `"accepted"`, `"outline_item"`, `"slide"`, …

    Empty for an event kind this client does not know, sent by a newer server; skip those.
    """
    return event.WhichOneof("event") or ""


@dataclass
class DeckProgress:
    """The state of a generation so far, built by `apply`-ing its events in order.

    Meant for progress displays: it holds the planned outline, the slides completed so far (which
    may arrive out of order), the stored files and the latest progress report.
    """

    presentation: str = ""
    """The presentation's resource name, `presentations/{presentation}`."""
    last_sequence: int = 0
    """The sequence number of the last event applied."""
    resume_token: str = ""
    """The resume token of the last event applied that carried one."""
    stage: int = GenerationEvent.STAGE_UNSPECIFIED
    """The stage of the last `progress` event, a `GenerationEvent.Stage` value."""
    fraction: float = 0.0
    """Overall completion from 0 to 1, from the last `progress` event or slide."""
    message: str = ""
    """The description of the last `progress` event."""
    outline_items: dict[int, OutlineItem] = field(default_factory=dict)
    """Planned slides by outline position, as they are planned."""
    outline: Outline | None = None
    """The whole outline, once planned."""
    slides: dict[int, Slide] = field(default_factory=dict)
    """Completed slides by index."""
    total_slides: int = 0
    """How many slides the deck will have; 0 until the first slide or the outline is known."""
    images: list[GenerationEvent.ImageReady] = field(default_factory=list)
    """The pictures made, in the order they were stored."""
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    """Stored files by resource name."""
    warnings: list[GenerationEvent.Warning] = field(default_factory=list)
    """Warnings, in order."""
    usage: Usage = field(default_factory=Usage)
    """Model usage summed over the slides so far; replaced by the total on completion."""
    accepted: Presentation | None = None
    """The presentation as accepted."""
    completed: Presentation | None = None
    """The finished presentation, once the `completed` event arrived."""

    @classmethod
    def from_events(cls, events: Iterable[GenerationEvent]) -> DeckProgress:
        progress = cls()
        for event in events:
            progress.apply(event)
        return progress

    @property
    def done(self) -> bool:
        return self.completed is not None

    def apply(self, event: GenerationEvent) -> None:
        """Folds one event in; an event already applied (by sequence number) is ignored."""
        if event.sequence and event.sequence <= self.last_sequence:
            return
        self.last_sequence = event.sequence or self.last_sequence
        self.resume_token = event.resume_token or self.resume_token
        self.presentation = event.presentation or self.presentation
        kind = event_kind(event)
        if kind == "accepted":
            self.accepted = event.accepted.presentation
        elif kind == "outline_item":
            self.outline_items[event.outline_item.index] = event.outline_item.item
        elif kind == "outline":
            self.outline = event.outline.outline
            self.outline_items = dict(enumerate(self.outline.items))
            self.total_slides = self.total_slides or len(self.outline.items)
        elif kind == "slide":
            self.slides[event.slide.slide.index] = event.slide.slide
            self.total_slides = event.slide.total_slides or self.total_slides
            self.usage.prompt_tokens += event.slide.usage.prompt_tokens
            self.usage.completion_tokens += event.slide.usage.completion_tokens
            self.usage.images += event.slide.usage.images
            if event.slide.fraction > self.fraction:  # a slide stands in for a progress event
                self.stage = GenerationEvent.STAGE_SLIDES
                self.fraction = event.slide.fraction
        elif kind == "image":
            self.images.append(event.image)
            self.artifacts[event.image.artifact.name] = event.image.artifact
        elif kind == "artifact":
            self.artifacts[event.artifact.artifact.name] = event.artifact.artifact
        elif kind == "progress":
            self.stage = event.progress.stage
            self.fraction = event.progress.fraction
            self.message = event.progress.message
        elif kind == "warning":
            self.warnings.append(event.warning)
        elif kind == "completed":
            self._complete(event.completed.presentation)

    def _complete(self, presentation: Presentation) -> None:
        self.completed = presentation
        self.fraction = 1.0
        self.stage = GenerationEvent.STAGE_DONE
        if presentation.HasField("usage"):
            self.usage.CopyFrom(presentation.usage)
        for artifact in presentation.artifacts:
            self.artifacts[artifact.name] = artifact
        if presentation.HasField("outline") and self.outline is None:
            self.outline = presentation.outline

    def ordered_slides(self) -> list[Slide]:
        """The completed slides in deck order; there are gaps while slides are still being written."""
        return [self.slides[index] for index in sorted(self.slides)]

    def deck(self) -> Deck:
        """The finished deck once completed, or a deck of the slides completed so far."""
        if self.completed is not None and self.completed.HasField("deck"):
            return self.completed.deck
        outline = self.outline or Outline()
        return Deck(title=outline.title, subtitle=outline.subtitle, slides=self.ordered_slides())

    def current_outline(self) -> Outline | None:
        """The whole outline, or one assembled from the items planned so far; None before any."""
        if self.outline is not None:
            return self.outline
        if not self.outline_items:
            return None
        return Outline(items=[self.outline_items[index] for index in sorted(self.outline_items)])


def collect_outline(events: Iterable[GenerationEvent]) -> Outline:
    """Consumes a `generate_outline` stream and returns the outline it produced.

    Raises `ValueError` when the stream ended without planning anything.
    """
    return _outline_of(DeckProgress.from_events(events))


async def acollect_outline(events: AsyncIterable[GenerationEvent]) -> Outline:
    """`collect_outline` for the async client's streams."""
    progress = DeckProgress()
    async for event in events:
        progress.apply(event)
    return _outline_of(progress)


def _outline_of(progress: DeckProgress) -> Outline:
    outline = progress.current_outline()
    if outline is None:
        raise ValueError("the stream ended without an outline")
    return outline
