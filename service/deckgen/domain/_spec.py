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
    "SOURCE_MEDIA_TYPES",
    "SOURCE_SUFFIXES",
    "TEXT_SOURCE_TYPES",
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


SOURCE_MEDIA_TYPES: dict[str, str] = {
    "text/markdown": "text/markdown",
    "text/x-markdown": "text/markdown",
    "text/plain": "text/plain",
    "application/pdf": "application/pdf",
    "application/x-pdf": "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "text/html": "text/html",
    "application/xhtml+xml": "text/html",
    "text/csv": "text/csv",
    "application/csv": "text/csv",
    "text/comma-separated-values": "text/csv",
}
"""Media types a source may declare (aliases included) → the canonical one."""

SOURCE_SUFFIXES: dict[str, str] = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".text": "text/plain",
    ".pdf": "application/pdf",
    ".docx": SOURCE_MEDIA_TYPES["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ".pptx": SOURCE_MEDIA_TYPES["application/vnd.openxmlformats-officedocument.presentationml.presentation"],
    ".xlsx": SOURCE_MEDIA_TYPES["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".csv": "text/csv",
}
"""File name suffixes → media type, for sources sent without one."""

TEXT_SOURCE_TYPES = frozenset({"text/markdown", "text/plain", "text/html", "text/csv"})


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
