"""What both PPTX writers (the theme renderer and the template renderer) need alike."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from PIL import Image
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from pptx.opc.oxml import nsmap, serialize_part_xml
from pptx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from pptx.opc.serialized import _ContentTypesItem
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.util import Inches

from deckgen.domain import Chart, ChartType, Deck, Slide
from deckgen.render._markdown import plain

__all__ = [
    "CHART_TYPES",
    "KeptParts",
    "chart_data",
    "chart_description",
    "start_at_zero",
    "crop_to_frame",
    "deterministic",
    "escape_attribute",
    "fixed_body",
    "fixed_frame",
    "save_deck",
    "image_size",
    "mark_decorative",
    "norm",
    "notes_text",
]

CHART_TYPES = {
    ChartType.BAR: XL_CHART_TYPE.BAR_CLUSTERED,
    ChartType.COLUMN: XL_CHART_TYPE.COLUMN_CLUSTERED,
    ChartType.LINE: XL_CHART_TYPE.LINE_MARKERS,
    ChartType.PIE: XL_CHART_TYPE.PIE,
}
# python-pptx ships partial annotations; an Any alias keeps its untyped chart-data calls out of strict mode.
_CHART_DATA: Any = CategoryChartData
_DECORATIVE_EXT = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
_DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"

_CREATED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _fixed(name: str, content: bytes) -> bytes:
    """A member's bytes with nothing in them that depends on when they were written."""
    if name.endswith(".xlsx"):
        return deterministic(content)
    if name == "docProps/core.xml":
        return _CREATED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
    return content


def _put(target: zipfile.ZipFile, name: str, content: bytes) -> None:
    target.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), _fixed(name, content), zipfile.ZIP_DEFLATED)


_Member = tuple[bytes, int, int, int, int, bytes]
"""A zip member ready to be written: name (UTF-8), flag bits, method (8 deflated, 0 stored), CRC-32,
size, content as stored."""

_DOS_DATE = (_ZIP_TIME[0] - 1980) << 9 | _ZIP_TIME[1] << 5 | _ZIP_TIME[2]
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")

# A deck's own pictures and workbooks are compressed already: deflating them again costs milliseconds
# per megabyte (a model's 1024-pixel image is one or two) and saves a few percent, so they are stored
# as they are. Parts every deck shares (a template's masters, layouts, theme, thumbnail) are deflated
# once per process, as small as deflate makes them.
_PACKED = (".png", ".jpg", ".jpeg", ".gif", ".xlsx")


def _member(name: str, content: bytes, *, shared: bool = False) -> _Member:
    """`content` as it goes into the package: raw deflate, or stored when it is compressed already."""
    content = _fixed(name, content)
    flags = 0 if name.isascii() else 0x800  # zipfile marks a non-ASCII name as UTF-8
    if not shared and name.lower().endswith(_PACKED):
        return name.encode(), flags, 0, zlib.crc32(content), len(content), content
    level = zlib.Z_BEST_COMPRESSION if shared else zlib.Z_DEFAULT_COMPRESSION
    deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
    packed = deflate.compress(content) + deflate.flush()
    return name.encode(), flags, 8, zlib.crc32(content), len(content), packed


def _zip(members: Iterable[_Member]) -> bytes:
    """The members as one archive, laid out as zipfile.ZipFile writes one to a seekable file:
    members kept ready (a template's parts) are only copied."""
    out = io.BytesIO()
    central: list[bytes] = []
    for name, flags, method, crc, size, packed in members:
        offset = out.tell()
        out.write(
            _LOCAL.pack(
                b"PK\x03\x04", 20, 0, flags, method, 0, _DOS_DATE, crc, len(packed), size, len(name), 0
            )
        )
        out.write(name)
        out.write(packed)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                20,
                3,
                20,
                0,
                flags,
                method,
                0,
                _DOS_DATE,
                crc,
                len(packed),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0o600 << 16,
                offset,
            )
            + name
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def deterministic(data: bytes) -> bytes:
    """Rewrite a zip (and the workbooks embedded for charts) with fixed timestamps, so that the same
    deck always renders to the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            _put(target, info.filename, source.read(info.filename))
    return out.getvalue()


_RELS = nsmap["pr"]


def _rels_xml(rels: Any) -> bytes:
    """A part's .rels, as python-pptx's `_Relationships.xml` writes it (relationships in numerical
    order of their ids), written as text: lxml would build, then serialise, an element for each."""
    numbered = sorted((int(r[3:]) if r.startswith("rId") and r[3:].isdigit() else 0, r) for r in rels)
    lines = []
    for _, r_id in numbered:
        rel = rels[r_id]
        external = f' TargetMode="{RTM.EXTERNAL}"' if rel.is_external else ""
        lines.append(
            f'<Relationship Id="{escape_attribute(r_id)}" Type="{escape_attribute(rel.reltype)}" '
            f'Target="{escape_attribute(rel.target_ref)}"{external}/>'
        )
    body = f'<Relationships xmlns="{_RELS}">{"".join(lines)}</Relationships>' if lines else _NO_RELS
    return (_XML_DECLARATION + body).encode()


_XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_NO_RELS = f'<Relationships xmlns="{_RELS}"/>'
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def escape_attribute(value: str) -> str:
    """`value` escaped as lxml escapes an attribute's value."""
    return value.translate(_ATTRIBUTE_ESCAPES)


class KeptParts:
    """Parts a writer shares between its decks unchanged (a template's masters, layouts and themes):
    each is serialised and deflated once, for the first deck, and its bytes copied into the next."""

    def __init__(self) -> None:
        self.parts: set[Any] = set()
        self._members: dict[Any, tuple[_Member, ...]] = {}

    def members(self, part: Any) -> tuple[_Member, ...]:
        found = self._members.get(part)
        if found is None:
            found = self._members[part] = _part_members(part, shared=True)
        return found


def _part_members(part: Any, *, shared: bool = False) -> tuple[_Member, ...]:
    content = _member(part.partname.membername, part.blob, shared=shared)
    if not part._rels:
        return (content,)
    return content, _member(part.partname.rels_uri.membername, _rels_xml(part.rels), shared=shared)


def _write_package(package: Any, kept: KeptParts | None = None) -> bytes:
    """The package zipped once, members in python-pptx's order and with fixed timestamps, so that the
    same deck always gives the same bytes (python-pptx's own save, then `deterministic`, deflated
    everything twice)."""
    parts = tuple(package.iter_parts())
    members = [
        _member(CONTENT_TYPES_URI.membername, serialize_part_xml(_ContentTypesItem.xml_for(parts))),
        _member(PACKAGE_URI.rels_uri.membername, _rels_xml(package._rels)),
    ]
    for part in parts:
        if kept is not None and part in kept.parts:
            members.extend(kept.members(part))
        else:
            members.extend(_part_members(part))
    return _zip(members)


def image_size(data: bytes | None) -> tuple[int, int] | None:
    """(width, height) of a picture PowerPoint can show, or None for anything else."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "GIF", "BMP", "TIFF"):
                return None
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def notes_text(slide: Slide) -> str:
    """The notes page: the speaker notes, then where the slide's content came from."""
    notes = plain(slide.notes).strip()
    parts = [notes] if notes else []
    if slide.sources:
        refs = [f"{s.document} \u2014 {s.locator}" if s.locator else s.document for s in slide.sources]
        parts.append("Sources: " + "; ".join(refs))
    return "\n\n".join(parts)


def norm(text: str) -> str:
    """`text` with its whitespace collapsed to single spaces."""
    return " ".join(text.split())


def chart_categories(chart: Chart) -> list[str]:
    count = max((len(series.values) for series in chart.series), default=0)
    return [norm(plain(c)) for c in chart.categories] or [str(i + 1) for i in range(count)]


def chart_data(chart: Chart) -> Any:
    """python-pptx chart data for `chart`: series padded to the categories, numbered when unnamed."""
    categories = chart_categories(chart)
    data = _CHART_DATA()
    data.categories = categories
    for series in chart.series:
        values: list[float | None] = list(series.values[: len(categories)])
        data.add_series(norm(plain(series.name)), values + [None] * (len(categories) - len(values)))
    return data


def start_at_zero(graph: Any, chart: Chart) -> None:
    """Bars and columns of non-negative values are measured from zero: a value axis that starts
    at 3,600 makes 4,500 look several times as large. (A line chart shows change, and may zoom.)"""
    if chart.type not in (ChartType.BAR, ChartType.COLUMN):
        return
    values = [value for series in chart.series for value in series.values]
    if values and min(values) >= 0:
        graph.value_axis.minimum_scale = 0


def chart_description(chart: Chart, context: str = "", limit: int = 400) -> str:
    """The chart's alt text, or a description of its data for screen readers, at most `limit` long.

    "Column chart: Capacity by segment. 2023: Utility 250, Commercial 120. 2030: …"; `context` (the
    slide's title) names the chart when it has no title of its own.
    """
    if chart.alt_text.strip():
        return _shorten(norm(plain(chart.alt_text)), limit)
    kind = {ChartType.BAR: "Bar", ChartType.COLUMN: "Column", ChartType.LINE: "Line", ChartType.PIE: "Pie"}
    name = norm(plain(chart.title)) or norm(plain(context))
    parts = [f"{kind[chart.type]} chart" + (f": {name}" if name else "")]
    categories = chart_categories(chart)
    for series in chart.series:
        values = ", ".join(f"{norm(c)} {v:g}" for c, v in zip(categories, series.values, strict=False))
        named = norm(plain(series.name))
        parts.append(f"{named}: {values}" if named and len(chart.series) > 1 else values)
    return _shorten(". ".join(part for part in parts if part), limit)


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, an ellipsis saying so."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0].rstrip(",.:;")
    return head + "\u2026"


def crop_to_frame(picture: Any, size: tuple[int, int], width: float, height: float) -> None:
    """Crop `picture` (of pixel `size`) to its frame's aspect ratio rather than stretching it."""
    image_ratio, frame_ratio = size[0] / size[1], width / height
    if image_ratio > frame_ratio:
        picture.crop_left = picture.crop_right = (1 - frame_ratio / image_ratio) / 2
    elif image_ratio < frame_ratio:
        picture.crop_top = picture.crop_bottom = (1 - image_ratio / frame_ratio) / 2


def mark_decorative(shape: Any) -> None:
    """Screen readers skip shapes marked decorative (rules, lines and dots)."""
    c_nv_pr = shape._element.xpath("./*[1]/p:cNvPr")[0]
    c_nv_pr.append(
        parse_xml(
            f'<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            f'<a:ext uri="{_DECORATIVE_EXT}"><adec:decorative xmlns:adec="{_DECORATIVE_NS}" val="1"/></a:ext>'
            "</a:extLst>"
        )
    )


_FIXED_TIME = datetime(2000, 1, 1)
"""Documents carry this creation time so that the same deck always renders to the same bytes."""


def save_deck(prs: Any, deck: Deck, kept: KeptParts | None = None) -> bytes:
    """`prs` with the deck's document properties, as bytes that depend on the deck alone; the
    `kept` parts, unchanged since a deck before, are not serialised and deflated again."""
    properties = prs.core_properties
    properties.title = deck.title
    properties.subject = deck.subtitle
    properties.author = deck.author or "deckgen"
    properties.last_modified_by = "deckgen"
    properties.keywords = ", ".join(deck.tags)
    properties.language = deck.language
    properties.revision = 1
    properties.created = properties.modified = _FIXED_TIME
    return _write_package(prs.part.package, kept)


def fixed_frame(text_frame: Any, inset_x: float, inset_y: float) -> Any:
    """A text frame that wraps, never autofits, with these insets (inches) written out: a
    placeholder would otherwise inherit its master's, and the box measured would not be the box drawn."""
    return fixed_body(text_frame._txBody, inset_x, inset_y)


def fixed_body(tx_body: Any, inset_x: float, inset_y: float) -> Any:
    """`fixed_frame` for a `p:txBody` element, as python-pptx's word_wrap and auto_size setters
    write it; returns the `a:bodyPr`."""
    body_pr = tx_body.find(qn("a:bodyPr"))
    body_pr.set("wrap", "square")
    for child in list(body_pr):
        if child.tag in _AUTOFITS:
            body_pr.remove(child)
    no_autofit = body_pr.makeelement(qn("a:noAutofit"), {})
    after = next((child for child in body_pr if child.tag in _AFTER_AUTOFIT), None)
    if after is None:
        body_pr.append(no_autofit)
    else:
        after.addprevious(no_autofit)
    for name, inches in (("lIns", inset_x), ("rIns", inset_x), ("tIns", inset_y), ("bIns", inset_y)):
        body_pr.set(name, str(Inches(inches)))
    return body_pr


_AUTOFITS = frozenset(qn(tag) for tag in ("a:noAutofit", "a:normAutofit", "a:spAutoFit"))
_AFTER_AUTOFIT = frozenset(qn(tag) for tag in ("a:scene3d", "a:sp3d", "a:flatTx", "a:extLst"))
