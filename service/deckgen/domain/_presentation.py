"""A presentation resource: a generation's state, its deck and its artifacts."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from deckgen.domain._deck import Deck
from deckgen.domain._outline import Outline
from deckgen.domain._spec import ArtifactFormat

__all__ = ["Artifact", "Presentation", "PresentationState", "Usage", "presentation_name"]


def presentation_name(presentation_id: str) -> str:
    return f"presentations/{presentation_id}"


class PresentationState(enum.Enum):
    PENDING = "pending"
    GENERATING = "generating"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (PresentationState.SUCCEEDED, PresentationState.FAILED, PresentationState.CANCELLED)


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    images: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.images + other.images,
        )


@dataclass(frozen=True, slots=True)
class Artifact:
    """A stored file. `key` is the storage key; `uri` is where a caller can fetch it."""

    name: str
    """Resource name: presentations/{id}/artifacts/{file}."""
    format: ArtifactFormat
    media_type: str
    size_bytes: int
    sha256: str
    key: str
    uri: str = ""
    slide_index: int | None = None


@dataclass(frozen=True, slots=True)
class Presentation:
    id: str
    state: PresentationState
    deck: Deck | None = None
    outline: Outline | None = None
    artifacts: tuple[Artifact, ...] = ()
    usage: Usage = field(default_factory=Usage)
    request_id: str = ""
    create_time: float = 0.0
    """Seconds since the epoch."""
    update_time: float = 0.0
    error: str = ""
    owner: str = ""
    """The principal that created it; only it (or an admin) may see it. Empty on records written
    before ownership existed: those are for admins only."""

    @property
    def name(self) -> str:
        return presentation_name(self.id)
