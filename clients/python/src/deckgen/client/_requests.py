"""Building requests from the keyword arguments the client methods take."""

from __future__ import annotations

import mimetypes
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeAlias, TypeVar, cast

from deckgen.v1 import presentation_pb2, presentation_service_pb2
from deckgen.v1.presentation_pb2 import Brand, Outline, Template
from deckgen.v1.presentation_service_pb2 import (
    CreateTemplateRequest,
    GenerateOutlineRequest,
    GeneratePresentationRequest,
    SourceDocument,
)

__all__ = [
    "SourceLike",
    "AudienceLevelLike",
    "ImageModeLike",
    "TextModeLike",
    "ArtifactFormatLike",
    "LayoutLike",
    "LogoLike",
    "TemplateLike",
    "make_brand",
    "build_generate_request",
    "build_template_request",
    "build_outline_request",
    "artifact_formats",
    "new_request_id",
]

SourceLike: TypeAlias = SourceDocument | os.PathLike[str] | tuple[str, str, bytes]
"""A document to build a deck from: a message, a file path, or `(name, media_type, content)`."""
AudienceLevelLike: TypeAlias = int | str
"""An `AudienceLevel` value, or `"beginner"`, `"intermediate"`, `"advanced"`."""
ImageModeLike: TypeAlias = int | str
"""An `ImageMode` value, or `"none"`, `"generated"`."""
TextModeLike: TypeAlias = int | str
"""A `TextMode` value, or `"generate"`, `"condense"`, `"preserve"`."""
ArtifactFormatLike: TypeAlias = int | str
"""An `ArtifactFormat` value, or `"pptx"`, `"pdf"`, `"png"`, `"json"`, `"image"`."""
LayoutLike: TypeAlias = int | str
"""A `Layout` value, or `"bullets"`, `"table"`, `"chart"`, `"timeline"`, `"statistic"`, ..."""
LogoLike: TypeAlias = bytes | os.PathLike[str]
"""A logo's PNG or JPEG bytes, or the path of the file."""
TemplateLike: TypeAlias = str | Template
"""A template's resource name, `templates/{template}`, or the `Template` `create_template` returned."""

# The media types the service reads; other suffixes fall back to `mimetypes` and the server decides.
# Named here, not left to `mimetypes`: a slim image without /etc/mime.types knows no Office types.
_MEDIA_TYPE_BY_SUFFIX = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
    ".htm": "text/html",
    ".csv": "text/csv",
}


def new_request_id() -> str:
    return str(uuid.uuid4())


_Enum = TypeVar("_Enum", bound=int)


def enum_value(enum_type: type[_Enum], value: int | str, field: str) -> _Enum:
    """Turns `"beginner"`, `"AUDIENCE_LEVEL_BEGINNER"` or `1` into the enum number."""
    if isinstance(value, bool):
        # bool is an int; True as an audience level is surely a mistake.
        raise TypeError(f"{field} must be an int or a string, not bool")
    if isinstance(value, int):
        # Unknown numbers pass through: proto3 enums are open, and a newer server may know them.
        return cast("_Enum", value)
    # At run time the generated enum is an EnumTypeWrapper, not a class; its descriptor has the names.
    descriptor: Any = enum_type.DESCRIPTOR  # type: ignore[attr-defined]

    prefix = descriptor.values[0].name.removesuffix("UNSPECIFIED")
    key = value.strip().upper().replace("-", "_")
    for name in (prefix + key, key):
        if name in descriptor.values_by_name:
            return cast("_Enum", descriptor.values_by_name[name].number)
    choices = ", ".join(repr(v.name.removeprefix(prefix).lower()) for v in descriptor.values[1:])
    raise ValueError(f"unknown {field} {value!r}: expected one of {choices} or a {descriptor.name} value")


def artifact_formats(
    formats: ArtifactFormatLike | Iterable[ArtifactFormatLike],
) -> list[presentation_pb2.ArtifactFormat]:
    # A lone "pptx" would otherwise be iterated as the formats "p", "p", "t", "x".
    if isinstance(formats, str | int):
        formats = [formats]
    return [enum_value(presentation_pb2.ArtifactFormat, f, "output format") for f in formats]


def layouts(values: LayoutLike | Iterable[LayoutLike]) -> list[presentation_pb2.Layout]:
    # A lone "table" would otherwise be iterated letter by letter.
    if isinstance(values, str | int):
        values = [values]
    return [enum_value(presentation_pb2.Layout, v, "layout") for v in values]


def source_document(source: SourceLike) -> SourceDocument:
    if isinstance(source, SourceDocument):
        return source
    if isinstance(source, os.PathLike):
        path = Path(source)
        media_type = _MEDIA_TYPE_BY_SUFFIX.get(path.suffix.lower())
        if media_type is None:
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return SourceDocument(name=path.name, media_type=media_type, content=path.read_bytes())
    if isinstance(source, tuple) and len(source) == 3:
        name, media_type, content = source
        return SourceDocument(name=name, media_type=media_type, content=bytes(content))
    raise TypeError(
        f"a source must be a SourceDocument, a path or a (name, media_type, bytes) tuple, not {source!r}"
    )


def _read(content: bytes | os.PathLike[str]) -> bytes:
    return Path(content).read_bytes() if isinstance(content, os.PathLike) else bytes(content)


def make_brand(
    *,
    primary_color: str = "",
    accent_color: str = "",
    heading_font: str = "",
    body_font: str = "",
    logo: LogoLike | None = None,
) -> Brand:
    """Brand overrides on top of a theme: colours as `RRGGBB`, font names, a logo file or its bytes."""
    return Brand(
        # "#0A7B83" is how colours are usually written; the contract wants the bare hex digits.
        primary_color=primary_color.removeprefix("#"),
        accent_color=accent_color.removeprefix("#"),
        heading_font=heading_font,
        body_font=body_font,
        logo=b"" if logo is None else _read(logo),
    )


def template_name(template: TemplateLike) -> str:
    return template.name if isinstance(template, Template) else template


def build_template_request(
    content: bytes | os.PathLike[str], *, display_name: str, request_id: str | None
) -> CreateTemplateRequest:
    if not display_name and isinstance(content, os.PathLike):
        display_name = Path(content).stem
    return CreateTemplateRequest(
        request_id=request_id or new_request_id(),
        template=Template(display_name=display_name),
        content=_read(content),
    )


def build_generate_request(
    *,
    topic: str,
    sources: Iterable[SourceLike],
    slide_count: int,
    language: str,
    audience_level: AudienceLevelLike,
    tone: str,
    theme: str,
    speaker_notes: bool | None,
    image_mode: ImageModeLike,
    output_formats: ArtifactFormatLike | Iterable[ArtifactFormatLike],
    outline: Outline | None,
    text_mode: TextModeLike,
    brand: Brand | None,
    allowed_layouts: Iterable[LayoutLike],
    template: TemplateLike,
    slide_numbers: bool | None,
    footer: str,
    request_id: str | None,
) -> GeneratePresentationRequest:
    request = GeneratePresentationRequest(
        request_id=request_id or new_request_id(),
        topic=topic,
        sources=[source_document(s) for s in sources],
        slide_count=slide_count,
        language=language,
        audience_level=enum_value(presentation_service_pb2.AudienceLevel, audience_level, "audience level"),
        tone=tone,
        theme=theme,
        image_mode=enum_value(presentation_service_pb2.ImageMode, image_mode, "image mode"),
        output_formats=artifact_formats(output_formats),
        text_mode=enum_value(presentation_service_pb2.TextMode, text_mode, "text mode"),
        allowed_layouts=layouts(allowed_layouts),
        template=template_name(template),
        footer=footer,
    )
    # Optional fields: leaving them unset lets the server apply its default.
    if speaker_notes is not None:
        request.speaker_notes = speaker_notes
    if slide_numbers is not None:
        request.slide_numbers = slide_numbers
    if brand is not None:
        request.brand.CopyFrom(brand)
    if outline is not None:
        request.outline.CopyFrom(outline)
    return request


def build_outline_request(
    *,
    topic: str,
    sources: Iterable[SourceLike],
    slide_count: int,
    language: str,
    audience_level: AudienceLevelLike,
    tone: str,
    text_mode: TextModeLike,
    request_id: str | None,
) -> GenerateOutlineRequest:
    return GenerateOutlineRequest(
        request_id=request_id or new_request_id(),
        topic=topic,
        sources=[source_document(s) for s in sources],
        slide_count=slide_count,
        language=language,
        audience_level=enum_value(presentation_service_pb2.AudienceLevel, audience_level, "audience level"),
        tone=tone,
        text_mode=enum_value(presentation_service_pb2.TextMode, text_mode, "text mode"),
    )
