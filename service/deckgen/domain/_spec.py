"""What a caller asked for: the validated, protobuf-free form of a generation request."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from deckgen.domain._deck import Brand, Layout
from deckgen.domain._outline import Outline

__all__ = [
    "ArtifactFormat",
    "AudienceLevel",
    "GenerationSpec",
    "ImageMode",
    "SourceDocument",
    "TextMode",
]


class AudienceLevel(enum.Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ImageMode(enum.Enum):
    NONE = "none"
    GENERATED = "generated"


class TextMode(enum.Enum):
    GENERATE = "generate"
    """Write new text from the topic and the sources."""
    CONDENSE = "condense"
    """Summarise the sources."""
    PRESERVE = "preserve"
    """Keep the sources' wording; only split it into slides and lay it out."""


class ArtifactFormat(enum.Enum):
    PPTX = "pptx"
    PDF = "pdf"
    PNG = "png"
    JSON = "json"
    IMAGE = "image"


@dataclass(frozen=True, slots=True)
class SourceDocument:
    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class GenerationSpec:
    """A generation request after validation. Every field has a usable value."""

    topic: str = ""
    sources: tuple[SourceDocument, ...] = ()
    slide_count: int | None = None
    """Slides wanted, title and closing slides included; None lets the engine decide."""
    language: str = "en"
    audience: AudienceLevel = AudienceLevel.INTERMEDIATE
    tone: str = ""
    theme: str = "default"
    speaker_notes: bool = True
    image_mode: ImageMode = ImageMode.NONE
    output_formats: tuple[ArtifactFormat, ...] = (ArtifactFormat.PPTX,)
    text_mode: TextMode = TextMode.CONDENSE
    outline: Outline | None = None
    """An outline the caller reviewed; when set, the outline step is skipped."""
    request_id: str = ""
    brand: Brand | None = None
    logo: bytes = b""
    """A logo uploaded with the request; stored as an artifact whose name becomes `brand.logo_uri`."""
    allowed_layouts: tuple[Layout, ...] = ()
    """Empty allows every layout."""
    template: str = ""
    """Id of a stored template to render with instead of the theme."""
    slide_numbers: bool = True
    footer: str = ""
    owner: str = ""
    """The principal the generation runs for; part of the request's identity (cache, request_id)."""

    @property
    def request_key(self) -> str:
        """request_id within its owner: another principal's id never joins (or reveals) a generation."""
        return f"{self.owner}/{self.request_id}"
