"""Request validation: protobuf requests → domain values, or every field violation at once."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from google.protobuf.message import Message

from deckgen import domain as d
from deckgen.api._convert import (
    FORMATS_FROM_PROTO,
    LAYOUTS_FROM_PROTO,
    brand_from_proto,
    deck_from_proto,
    outline_from_proto,
)
from deckgen.domain import FieldViolation, InvalidRequest, limits
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb

__all__ = ["Limits", "validate_deck", "validate_generation"]

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
MAX_TOPIC_CHARS = 4000
MAX_TONE_CHARS = 200
MAX_NAME_CHARS = 255
MAX_INSTRUCTION_CHARS = 2000
MEDIA_TYPES = d.SOURCE_MEDIA_TYPES
SUFFIX_MEDIA_TYPES = d.SOURCE_SUFFIXES
_GENERIC_MEDIA_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_SUFFIXES = ", ".join(sorted(SUFFIX_MEDIA_TYPES))
_SUPPORTED = "Markdown, plain text, PDF, DOCX, PPTX, XLSX, HTML, CSV"

AUDIENCES = {
    spb.AUDIENCE_LEVEL_UNSPECIFIED: d.AudienceLevel.INTERMEDIATE,
    spb.AUDIENCE_LEVEL_BEGINNER: d.AudienceLevel.BEGINNER,
    spb.AUDIENCE_LEVEL_INTERMEDIATE: d.AudienceLevel.INTERMEDIATE,
    spb.AUDIENCE_LEVEL_ADVANCED: d.AudienceLevel.ADVANCED,
}
IMAGE_MODES = {
    spb.IMAGE_MODE_UNSPECIFIED: d.ImageMode.NONE,
    spb.IMAGE_MODE_NONE: d.ImageMode.NONE,
    spb.IMAGE_MODE_GENERATED: d.ImageMode.GENERATED,
}
TEXT_MODES = {
    spb.TEXT_MODE_GENERATE: d.TextMode.GENERATE,
    spb.TEXT_MODE_CONDENSE: d.TextMode.CONDENSE,
    spb.TEXT_MODE_PRESERVE: d.TextMode.PRESERVE,
}


@dataclass(frozen=True, slots=True)
class Limits:
    max_sources: int
    max_source_bytes: int
    max_total_source_bytes: int


class _Violations:
    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.items.append(FieldViolation(field, description))

    def text(self, field: str, value: str) -> None:
        """Text that ends up in a file must be text XML can hold."""
        illegal = d.xml_illegal(value)
        if illegal is not None:
            self.add(field, f"contains U+{ord(illegal):04X}, a control character no document can hold")

    def message_text(self, field: str, message: Message) -> None:
        """`text` for every string in `message` and the messages it holds."""
        for descriptor, value in message.ListFields():
            path = f"{field}.{descriptor.name}"
            repeated = descriptor.is_repeated
            values = list(value) if repeated else [value]
            for index, item in enumerate(values):
                where = f"{path}[{index}]" if repeated else path
                if isinstance(item, str):
                    self.text(where, item)
                elif isinstance(item, Message):
                    self.message_text(where, item)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidRequest(self.items)


def _sources(
    request: spb.GeneratePresentationRequest | spb.GenerateOutlineRequest,
    limits_: Limits,
    violations: _Violations,
) -> tuple[d.SourceDocument, ...]:
    if len(request.sources) > limits_.max_sources:
        violations.add(
            "sources", f"at most {limits_.max_sources} documents per request, got {len(request.sources)}"
        )
        return ()
    documents = []
    total = 0
    for index, source in enumerate(request.sources):
        field = f"sources[{index}]"
        if not source.name.strip():
            violations.add(f"{field}.name", "required: a name such as `notes.md`")
        elif len(source.name) > MAX_NAME_CHARS:
            violations.add(f"{field}.name", f"at most {MAX_NAME_CHARS} characters")
        else:
            violations.text(f"{field}.name", source.name)
        media_type = source.media_type.split(";")[0].strip().lower()
        if not media_type or media_type in _GENERIC_MEDIA_TYPES:
            # Only the name says what it is; the bytes must agree (checked when it is read).
            media_type = SUFFIX_MEDIA_TYPES.get(PurePosixPath(source.name).suffix.lower(), "")
            if not media_type:
                violations.add(
                    f"{field}.media_type",
                    f"required when the name has none of the suffixes {_SUFFIXES}; supported: {_SUPPORTED}",
                )
        elif media_type not in MEDIA_TYPES:
            violations.add(
                f"{field}.media_type",
                f"unsupported media type {source.media_type!r}; supported: {_SUPPORTED}",
            )
        size = len(source.content)
        total += size
        if size == 0:
            violations.add(f"{field}.content", "must not be empty")
        elif size > limits_.max_source_bytes:
            violations.add(
                f"{field}.content", f"{size} bytes exceeds the limit of {limits_.max_source_bytes} bytes"
            )
        elif MEDIA_TYPES.get(media_type) in d.TEXT_SOURCE_TYPES and b"\x00" in source.content[:8192]:
            violations.add(
                f"{field}.content",
                "looks binary; send UTF-8 text, or declare the document's own media type "
                "(application/pdf, the Office types) or name it with its suffix",
            )
        documents.append(
            d.SourceDocument(source.name.strip(), MEDIA_TYPES.get(media_type, media_type), source.content)
        )
    if total > limits_.max_total_source_bytes:
        violations.add(
            "sources", f"{total} bytes in all exceeds the limit of {limits_.max_total_source_bytes} bytes"
        )
    return tuple(documents)


def _outline(message: pb.Outline, field: str, violations: _Violations) -> d.Outline:
    for name in ("title", "subtitle"):
        if len(getattr(message, name)) > d.MAX_PROPERTY_CHARS:
            violations.add(f"{field}.{name}", f"at most {d.MAX_PROPERTY_CHARS} characters")
    violations.message_text(field, message)
    if not 1 <= len(message.items) <= limits.MAX_SLIDES:
        violations.add(
            f"{field}.items", f"must have 1 to {limits.MAX_SLIDES} items, got {len(message.items)}"
        )
    for index, item in enumerate(message.items):
        if not item.title.strip():
            violations.add(f"{field}.items[{index}].title", "required")
        elif len(item.title) > 200:
            violations.add(f"{field}.items[{index}].title", "at most 200 characters")
        if item.layout not in LAYOUTS_FROM_PROTO and item.layout != pb.LAYOUT_UNSPECIFIED:
            violations.add(f"{field}.items[{index}].layout", f"unknown layout {item.layout}")
    return outline_from_proto(message)


def validate_generation(
    request: spb.GeneratePresentationRequest | spb.GenerateOutlineRequest,
    limits_: Limits,
    themes: Collection[str] = (),
) -> d.GenerationSpec:
    """The request as a spec, or every violation at once; `themes` are the known theme ids."""
    violations = _Violations()
    if request.request_id and not _REQUEST_ID.match(request.request_id):
        violations.add(
            "request_id", "1-128 characters of letters, digits, `.`, `_` and `-` (a UUID is ideal)"
        )
    topic = request.topic.strip()
    if len(topic) > MAX_TOPIC_CHARS:
        violations.add("topic", f"at most {MAX_TOPIC_CHARS} characters")
    violations.text("topic", topic)
    sources = _sources(request, limits_, violations)
    outline = None
    if isinstance(request, spb.GeneratePresentationRequest) and request.HasField("outline"):
        outline = _outline(request.outline, "outline", violations)
    if not topic and not request.sources and outline is None:
        violations.add("topic", "required unless sources (or an outline) are given")
    slide_count = request.slide_count or None
    if slide_count is not None and not limits.MIN_SLIDES <= slide_count <= limits.MAX_SLIDES:
        violations.add(
            "slide_count", f"must be between {limits.MIN_SLIDES} and {limits.MAX_SLIDES} (or 0 for automatic)"
        )
    if outline is not None and slide_count is not None and slide_count != len(outline.items):
        violations.add("slide_count", f"is {slide_count} but the outline has {len(outline.items)} items")
    language = request.language.strip() or "en"
    if not _LANGUAGE.match(language) or len(language) > 35:
        violations.add("language", f"must be a BCP-47 tag such as `en` or `pt-BR`, got {request.language!r}")
    if request.audience_level not in AUDIENCES:
        violations.add("audience_level", f"unknown value {request.audience_level}")
    if len(request.tone) > MAX_TONE_CHARS:
        violations.add("tone", f"at most {MAX_TONE_CHARS} characters")
    violations.text("tone", request.tone)
    if request.text_mode not in TEXT_MODES and request.text_mode != spb.TEXT_MODE_UNSPECIFIED:
        violations.add("text_mode", f"unknown value {request.text_mode}")
    text_mode = TEXT_MODES.get(request.text_mode) or (
        d.TextMode.CONDENSE if request.sources or outline is not None else d.TextMode.GENERATE
    )

    theme, speaker_notes, image_mode = "default", True, d.ImageMode.NONE
    formats: tuple[d.ArtifactFormat, ...] = (d.ArtifactFormat.PPTX,)
    brand: d.Brand | None = None
    logo = b""
    allowed: tuple[d.Layout, ...] = ()
    template = ""
    slide_numbers, footer = True, ""
    if isinstance(request, spb.GeneratePresentationRequest):
        if request.HasField("brand"):
            brand = _brand(request.brand, "brand", violations)
            logo = request.brand.logo
        allowed = _layouts(list(request.allowed_layouts), "allowed_layouts", violations)
        template = _template(request.template, "template", violations)
        theme = request.theme.strip() or "default"
        if themes and theme not in themes:
            violations.add("theme", f"unknown theme {theme!r}; one of: {', '.join(sorted(themes))}")
        speaker_notes = request.speaker_notes if request.HasField("speaker_notes") else True
        if request.image_mode not in IMAGE_MODES:
            violations.add("image_mode", f"unknown value {request.image_mode}")
        image_mode = IMAGE_MODES.get(request.image_mode, d.ImageMode.NONE)
        formats = _formats(list(request.output_formats), "output_formats", violations)
        slide_numbers = request.slide_numbers if request.HasField("slide_numbers") else True
        footer = _footer(request.footer, "footer", violations)
    violations.raise_if_any()
    return d.GenerationSpec(
        topic=topic,
        sources=sources,
        slide_count=slide_count,
        language=language,
        audience=AUDIENCES[request.audience_level],
        tone=request.tone.strip(),
        theme=theme,
        speaker_notes=speaker_notes,
        image_mode=image_mode,
        output_formats=formats,
        text_mode=text_mode,
        outline=outline,
        request_id=request.request_id,
        brand=brand,
        logo=logo,
        allowed_layouts=allowed,
        template=template,
        slide_numbers=slide_numbers,
        footer=footer,
    )


_HEX_COLOUR = re.compile(r"#?[0-9A-Fa-f]{6}")
_TEMPLATE_NAME = re.compile(r"templates/[A-Za-z0-9_-]{1,64}")
MAX_LOGO_BYTES = 1024 * 1024
MAX_FONT_NAME_CHARS = 64
# A family name as fontconfig and Office write them ("Noto Sans CJK JP", "Segoe UI Semibold",
# "游ゴシック"): it reaches an `fc-match` pattern and the file's XML, so nothing else is allowed.
_FONT_NAME = re.compile(rf"\w[\w .'+(),-]{{0,{MAX_FONT_NAME_CHARS - 1}}}")


def _brand(message: pb.Brand, field: str, violations: _Violations) -> d.Brand:
    for name in ("primary_color", "accent_color"):
        value = getattr(message, name)
        if value and not _HEX_COLOUR.fullmatch(value):
            violations.add(f"{field}.{name}", f"must be RRGGBB hex such as 1D4ED8, got {value!r}")
    for name in ("heading_font", "body_font"):
        value = getattr(message, name)
        if value and not _FONT_NAME.fullmatch(value):
            violations.add(
                f"{field}.{name}",
                f"a font family name of at most {MAX_FONT_NAME_CHARS} characters: letters, digits, "
                "spaces and . - _ ' + ( ) ,",
            )
    if message.logo:
        if len(message.logo) > MAX_LOGO_BYTES:
            violations.add(
                f"{field}.logo", f"at most {MAX_LOGO_BYTES // 1024} KiB, got {len(message.logo)} bytes"
            )
        elif not (message.logo.startswith(b"\x89PNG\r\n\x1a\n") or message.logo.startswith(b"\xff\xd8\xff")):
            violations.add(f"{field}.logo", "must be a PNG or JPEG picture")
    return brand_from_proto(message)


def _layouts(values: list[pb.Layout], field: str, violations: _Violations) -> tuple[d.Layout, ...]:
    layouts: list[d.Layout] = []
    for index, value in enumerate(values):
        layout = LAYOUTS_FROM_PROTO.get(value)
        if layout is None:
            violations.add(f"{field}[{index}]", f"unknown or unspecified layout {value}")
        elif layout not in layouts:
            layouts.append(layout)
    if layouts and d.Layout.BULLETS not in layouts and d.Layout.TITLE not in layouts:
        # Any content can fall back to bullets; without them a slide might have nowhere to go.
        violations.add(field, "must include LAYOUT_BULLETS (the layout any content can fall back to)")
    return tuple(layouts)


def _footer(text: str, field: str, violations: _Violations) -> str:
    footer = " ".join(text.split())
    if len(footer) > limits.MAX_FOOTER_CHARS:
        violations.add(field, f"at most {limits.MAX_FOOTER_CHARS} characters")
    return footer


def _code(code: pb.CodeBlock, field: str, violations: _Violations) -> None:
    if not code.text.strip():
        violations.add(f"{field}.text", "required when a code block is given")
    if len(code.text) > limits.MAX_CODE_CHARS:
        violations.add(f"{field}.text", f"at most {limits.MAX_CODE_CHARS} characters")
    if code.text.count("\n") + 1 > limits.MAX_CODE_LINES:
        violations.add(f"{field}.text", f"at most {limits.MAX_CODE_LINES} lines; split it across slides")
    if len(code.language) > 32:
        violations.add(f"{field}.language", "at most 32 characters")


def _template(name: str, field: str, violations: _Violations) -> str:
    if name and not _TEMPLATE_NAME.fullmatch(name):
        violations.add(field, f"must be a template name such as templates/abc123, got {name!r}")
        return ""
    return name.removeprefix("templates/")


def _formats(
    values: list[pb.ArtifactFormat], field: str, violations: _Violations
) -> tuple[d.ArtifactFormat, ...]:
    formats: list[d.ArtifactFormat] = []
    for index, value in enumerate(values):
        fmt = FORMATS_FROM_PROTO.get(value)
        if fmt is None:
            violations.add(f"{field}[{index}]", f"unknown or unspecified format {value}")
        elif fmt not in formats:
            formats.append(fmt)
    return tuple(formats) or (d.ArtifactFormat.PPTX,)


def _infer_layout(slide: pb.Slide) -> pb.Layout:
    if slide.steps:
        return pb.LAYOUT_TIMELINE
    if slide.statistics:
        return pb.LAYOUT_STATISTIC
    if slide.HasField("table"):
        return pb.LAYOUT_TABLE
    if slide.HasField("chart"):
        return pb.LAYOUT_CHART
    if slide.HasField("quote"):
        return pb.LAYOUT_QUOTE
    if slide.HasField("image"):
        return pb.LAYOUT_IMAGE_TEXT
    if slide.HasField("left_column") or slide.HasField("right_column"):
        return pb.LAYOUT_TWO_COLUMNS
    return pb.LAYOUT_BULLETS


def validate_deck(request: spb.RenderPresentationRequest) -> tuple[d.Deck, tuple[d.ArtifactFormat, ...]]:
    violations = _Violations()
    if request.request_id and not _REQUEST_ID.match(request.request_id):
        violations.add("request_id", "1-128 characters of letters, digits, `.`, `_` and `-`")
    if not request.HasField("deck"):
        violations.add("deck", "required")
        violations.raise_if_any()
    deck = pb.Deck()
    deck.CopyFrom(request.deck)
    if not deck.title.strip():
        violations.add("deck.title", "required")
    for name in ("title", "subtitle"):
        if len(getattr(deck, name)) > d.MAX_PROPERTY_CHARS:
            violations.add(f"deck.{name}", f"at most {d.MAX_PROPERTY_CHARS} characters")
    violations.message_text("deck", deck)
    if not 1 <= len(deck.slides) <= limits.MAX_SLIDES:
        violations.add("deck.slides", f"must have 1 to {limits.MAX_SLIDES} slides, got {len(deck.slides)}")
    for index, slide in enumerate(deck.slides):
        field = f"deck.slides[{index}]"
        if slide.layout == pb.LAYOUT_UNSPECIFIED:
            slide.layout = _infer_layout(slide)
        elif slide.layout not in LAYOUTS_FROM_PROTO:
            violations.add(f"{field}.layout", f"unknown layout {slide.layout}")
        if not slide.title.strip() and slide.layout not in (pb.LAYOUT_QUOTE, pb.LAYOUT_IMAGE_TEXT):
            violations.add(f"{field}.title", "required")
        for position, bullet in enumerate(slide.bullets):
            if not 0 <= bullet.level <= limits.MAX_BULLET_LEVEL:
                violations.add(
                    f"{field}.bullets[{position}].level", f"must be 0 to {limits.MAX_BULLET_LEVEL}"
                )
        if slide.layout == pb.LAYOUT_TABLE:
            if not slide.table.header:
                violations.add(f"{field}.table.header", "required for a table slide")
            for row_index, row in enumerate(slide.table.rows):
                if len(row.cells) != len(slide.table.header):
                    violations.add(
                        f"{field}.table.rows[{row_index}].cells",
                        f"has {len(row.cells)} cells; the header has {len(slide.table.header)}",
                    )
        if slide.layout == pb.LAYOUT_CHART:
            for series_index, series in enumerate(slide.chart.series):
                if len(series.values) != len(slide.chart.categories):
                    violations.add(
                        f"{field}.chart.series[{series_index}].values",
                        f"has {len(series.values)} values for {len(slide.chart.categories)} categories",
                    )
            if not slide.chart.categories:
                violations.add(f"{field}.chart.categories", "required for a chart slide")
        if slide.layout == pb.LAYOUT_TIMELINE and not slide.steps:
            violations.add(f"{field}.steps", "required for a timeline slide")
        if slide.layout == pb.LAYOUT_STATISTIC and not 1 <= len(slide.statistics) <= 3:
            violations.add(f"{field}.statistics", "a statistic slide shows 1 to 3 numbers")
        if slide.HasField("image") and slide.image.uri and not slide.image.alt_text.strip():
            violations.add(f"{field}.image.alt_text", "required: describe the picture for screen readers")
        if slide.HasField("code"):
            _code(slide.code, f"{field}.code", violations)
    deck.footer = _footer(deck.footer, "deck.footer", violations)
    if deck.HasField("brand"):
        _brand(deck.brand, "deck.brand", violations)
    _template(deck.template, "deck.template", violations)
    formats = _formats(list(request.output_formats), "output_formats", violations)
    violations.raise_if_any()
    return deck_from_proto(deck), formats


def validate_instruction(instruction: str) -> str:
    violations = _Violations()
    if len(instruction) > MAX_INSTRUCTION_CHARS:
        violations.add("instruction", f"at most {MAX_INSTRUCTION_CHARS} characters")
    violations.text("instruction", instruction)
    if not instruction.strip():
        violations.add(
            "instruction", "required: say how to change the slide, e.g. “shorter” or “more detail”"
        )
    violations.raise_if_any()
    return instruction.strip()
