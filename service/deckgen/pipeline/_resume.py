"""What earlier workers already published for a generation, rebuilt from its event log.

A worker that takes a job over continues from here: the outline and the slides already announced
are not asked of the model again, and events that would repeat what readers saw are not appended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from deckgen.domain import Artifact, Outline, OutlineItem, Slide, Usage
from deckgen.domain import _events as ev
from deckgen.domain._events import Event, SequencedEvent

__all__ = ["Progressed"]


@dataclass(slots=True)
class Progressed:
    events: int = 0
    outline_items: dict[int, OutlineItem] = field(default_factory=dict)
    outline: Outline | None = None
    slides: dict[int, Slide] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    images: dict[int, Artifact] = field(default_factory=dict)
    pictures_asked: dict[int, str] = field(default_factory=dict)
    """Slide index -> the prompt of the picture asked for it (announced or not)."""
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    fraction: float = 0.0

    @classmethod
    def from_events(cls, history: Sequence[SequencedEvent]) -> Progressed:
        done = cls(events=len(history))
        for sequenced in history:
            match sequenced.event:
                case ev.OutlineItemReady(index=index, item=item):
                    done.outline_items[index] = item
                case ev.OutlineReady(outline=outline):
                    done.outline = outline
                case ev.SlideReady(index=index, slide=slide, usage=usage, image_prompt=prompt):
                    done.slides[index] = slide
                    done.usage = done.usage + usage
                    if prompt:
                        done.pictures_asked[index] = prompt
                case ev.ImageReady(slide_index=index, artifact=artifact):
                    done.images[index] = artifact
                case ev.ArtifactReady(artifact=artifact):
                    done.artifacts[artifact.name] = artifact
                case ev.Progress(fraction=fraction):
                    done.fraction = max(done.fraction, fraction)
        return done

    @property
    def started(self) -> bool:
        """Something beyond `accepted` was published."""
        return self.events > 1

    def fresh(self, event: Event) -> bool:
        """False for an event that repeats one readers already have."""
        match event:
            case ev.OutlineItemReady(index=index):
                return index not in self.outline_items
            case ev.OutlineReady():
                return self.outline is None
            case ev.SlideReady(index=index):
                return index not in self.slides
            case ev.ImageReady(slide_index=index):
                return index not in self.images
            case ev.Progress(fraction=fraction):
                return fraction >= self.fraction
        return True
