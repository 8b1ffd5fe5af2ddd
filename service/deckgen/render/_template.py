"""A user's own .pptx or .potx as the look of a deck: its masters, layouts and placeholders.

inspect_template(data)                       -> TemplateInfo, or TemplateError when the file is unusable
render_with_template(deck, template, images) -> (bytes of a .pptx, warnings)

Template layouts are matched to deckgen layouts by the placeholder types they hold, never by name:
names are localised ("Titel und Inhalt", "Titre et contenu") and freely renamed. Vertical
placeholders are ignored. Terms used below:

- title: a TITLE or CENTER_TITLE placeholder;
- text area: a BODY or OBJECT placeholder; a *large* one covers at least a fifth of the slide's
  width and height, a *roomy* one at least a quarter of its height and an eighth of its area;
- picture area: a PICTURE placeholder, or an OBJECT one (PowerPoint's "content" placeholders).

deckgen layout  template layout it is drawn on, best first                      without one
--------------  --------------------------------------------------------------  ---------------------------
BULLETS         title + text area; best: one large text area under the title    TemplateError: essential
                and nothing else (PowerPoint's "Title and Content")
TITLE           title + SUBTITLE and no text area, CENTER_TITLE preferred;      bullets layout, subtitle
                else title only (the subtitle in a text box under the title)    in its body
SECTION         title + one short text area (at most 35 % of the slide height)  bullets layout
                and nothing else ("Section Header"); else title + SUBTITLE
CLOSING         title + SUBTITLE; else the section layout; else title only      bullets layout
TWO_COLUMNS     title + two large text areas side by side under it, exactly     bullets layout, the columns
                two preferred ("Two Content"). When a column has a heading      one after the other
                and a layout has a short text area over each column
                ("Comparison"), that one is used, headings in those areas
IMAGE_TEXT      title + picture area + a roomy text area beside it; PICTURE     bullets layout: picture
                placeholders preferred ("Picture with Caption" when its text    left, text placeholder
                area is roomy), then "Content with Caption", "Two Content"      narrowed to the right
AGENDA          bullets layout; top-level bullets numbered (buAutoNum)          -
QUOTE           bullets layout; quote and attribution unbulleted                -
TABLE, CHART,   bullets layout: the table, chart, timeline or statistics are    -
TIMELINE,       drawn as free shapes in its text area; the text placeholder
STATISTIC       keeps the slide's other text (narrowed to a band on top, or to
                the right of a chart) or is removed

`TemplateInfo.layouts` lists the deckgen layouts the template serves as above; the others are drawn
on the bullets layout, as the last column says, and `TemplateInfo.problems` says so.

Drawing keeps the template's look: text goes into placeholders at the template's list levels, so
its fonts, colours and bullet styles apply, and no run gets a font name or an RGB colour. Free
shapes (tables, charts, timelines, statistics) use the template's theme colours and fonts. Text is
measured with the metrics of the template's fonts (`deckgen.render._fonts`) in the placeholder's
box at the template's sizes; if it does not fit, all levels shrink together down to a floor (12 pt,
20 pt for titles); if it still does not fit, the text frame gets `normAutofit` with the font scale
that makes it fit, and a warning says so. Tables too long for the content area continue on further
slides with the same title. Placeholders left empty are removed, so no "Click to add text" shows.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Pt

from deckgen.domain import Bullet, Chart, ChartType, Column, Deck, Layout, Slide, Statistic, Step, Table
from deckgen.ooxml import PackageError, UnsafePackage, safe_package
from deckgen.render._fonts import font_file, wrapped_height
from deckgen.render._plan import agenda_numbered
from deckgen.render._shared import deterministic, image_size, notes_text

__all__ = ["TemplateError", "TemplateInfo", "inspect_template", "render_with_template"]


class TemplateError(Exception):
    """The file cannot be used as a template.

    `missing` names what the template lacks, one item each; it is empty when the file is not a
    readable PowerPoint file at all.
    """

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.missing: list[str] = list(missing or [])


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    layout_names: tuple[str, ...]
    """The template's own layout names, masters in order."""
    layouts: tuple[Layout, ...]
    """The deckgen layouts the template has a fitting layout for."""
    slide_width: int
    """EMU; decks drawn with the template keep its slide size."""
    slide_height: int
    problems: tuple[str, ...] = ()
    """What will look different from a native layout, for the user who uploaded the template."""
    layout_for: Mapping[Layout, str] = field(default_factory=dict)
    """The template layout each deckgen layout is drawn on (fallbacks included)."""


# ---------------------------------------------------------------------------------------------------
# Opening

_CONTENT_TYPES = "[Content_Types].xml"
_PRESENTATION_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
_OTHER_MAIN_TYPES = (
    b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    b"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    b"application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
    b"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
)
_VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_NOT_POWERPOINT = "the file is not a readable PowerPoint file (.pptx or .potx)"


def _as_presentation(data: bytes) -> bytes:
    """The package, opened within size limits and refused if it links outside itself, rewritten
    with its main part typed as a presentation, which is all python-pptx opens.

    Templates (.potx), shows (.ppsx) and their macro-enabled variants differ from a .pptx only in
    that content type; the rewrite happens in memory, the output is always a plain .pptx. The
    output is the package that was checked, so python-pptx never reads anything that was not.
    """
    try:
        package = safe_package(data)
    except UnsafePackage as error:
        raise TemplateError(f"not allowed in a template: {error.message}") from None
    except PackageError as error:
        raise TemplateError(f"{_NOT_POWERPOINT}: {error.message}") from None
    types = package.get(_CONTENT_TYPES)
    if types is None:
        raise TemplateError(f"{_NOT_POWERPOINT}: it has no {_CONTENT_TYPES}")
    for kind in _OTHER_MAIN_TYPES:
        types = types.replace(kind, _PRESENTATION_TYPE)
    return package.replace({_CONTENT_TYPES: types}).to_bytes()


def _open(data: bytes) -> Any:
    package = _as_presentation(data)
    try:
        prs = Presentation(io.BytesIO(package))
        # A macro project has no place in a .pptx; dropping the relationship drops the part.
        for rel_id, rel in list(prs.part.rels.items()):
            if rel.reltype == _VBA_PROJECT:
                prs.part.drop_rel(rel_id)
    # python-pptx reports malformed packages with whatever its parser raised: KeyError for a
    # missing part, ValueError for a wrong content type, lxml's errors for broken XML.
    except Exception as error:
        raise TemplateError(f"{_NOT_POWERPOINT}: {error}") from error
    return prs


# ---------------------------------------------------------------------------------------------------
# What the template's layouts offer

_TITLE_TYPES = frozenset({PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE})
_TEXT_TYPES = frozenset({PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT})
_PICTURE_TYPES = frozenset({PP_PLACEHOLDER.PICTURE, PP_PLACEHOLDER.BITMAP})
_GRAPHIC_TYPES = frozenset(
    {PP_PLACEHOLDER.TABLE, PP_PLACEHOLDER.CHART, PP_PLACEHOLDER.ORG_CHART, PP_PLACEHOLDER.MEDIA_CLIP}
)


@dataclass(frozen=True, slots=True)
class _Rect:
    x: int
    y: int
    w: int
    h: int
    """EMU."""

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def size(self) -> int:
        return self.w * self.h


@dataclass(frozen=True, slots=True)
class _Area:
    """One placeholder of a template layout."""

    idx: int
    type: PP_PLACEHOLDER
    rect: _Rect


@dataclass(frozen=True, slots=True)
class _Shape:
    """What one template layout offers, by placeholder type."""

    position: int
    """Index in the template's layouts, masters in order; breaks ties towards the first."""
    name: str
    layout: Any = field(compare=False, repr=False)
    title: _Area | None = None
    subtitles: tuple[_Area, ...] = ()
    texts: tuple[_Area, ...] = ()
    pictures: tuple[_Area, ...] = ()
    graphics: tuple[_Area, ...] = ()
    vertical: bool = False
    """It has vertical placeholders, which are not used (so it is no "title only" layout either)."""

    @property
    def main_text(self) -> _Area | None:
        return max(self.texts, key=lambda area: area.rect.size, default=None)


@dataclass(frozen=True, slots=True)
class _Use:
    """A template layout chosen for a deckgen layout, and which placeholder gets what."""

    shape: _Shape
    text: _Area | None = None
    """Where the slide's text goes: the subtitle of a cover, the body of a content slide."""
    left: _Area | None = None
    right: _Area | None = None
    headings: tuple[_Area | None, _Area | None] = (None, None)
    picture: _Area | None = None


@dataclass(frozen=True, slots=True)
class _Mapping:
    uses: dict[Layout, _Use]
    """Every deckgen layout, fallbacks included."""
    served: tuple[Layout, ...]
    comparison: _Use | None
    problems: tuple[str, ...]


def _vertical(element: Any) -> bool:
    ph = element.find(".//" + qn("p:ph"))
    if ph is not None and ph.get("orient") == "vert":
        return True
    body_pr = element.find(qn("p:txBody") + "/" + qn("a:bodyPr"))
    return body_pr is not None and body_pr.get("vert") not in (None, "horz")


def _shape(position: int, layout: Any) -> _Shape:
    title: _Area | None = None
    vertical = False
    groups: dict[str, list[_Area]] = {"subtitles": [], "texts": [], "pictures": [], "graphics": []}
    for placeholder in layout.placeholders:
        geometry = (placeholder.left, placeholder.top, placeholder.width, placeholder.height)
        if _vertical(placeholder._element):
            vertical = True
            continue
        if any(value is None for value in geometry):
            continue
        kind = placeholder.placeholder_format.type
        area = _Area(placeholder.placeholder_format.idx, kind, _Rect(*(int(value) for value in geometry)))
        if kind in _TITLE_TYPES:
            title = title or area
        elif kind == PP_PLACEHOLDER.SUBTITLE:
            groups["subtitles"].append(area)
        elif kind in _TEXT_TYPES:
            groups["texts"].append(area)
        elif kind in _PICTURE_TYPES:
            groups["pictures"].append(area)
        elif kind in _GRAPHIC_TYPES:
            groups["graphics"].append(area)
    ordered = {
        name: tuple(sorted(areas, key=lambda area: (area.rect.y, area.rect.x)))
        for name, areas in groups.items()
    }
    return _Shape(position, str(layout.name), layout, title, **ordered, vertical=vertical)


def _shapes(prs: Any) -> list[_Shape]:
    layouts = [layout for master in prs.slide_masters for layout in master.slide_layouts]
    return [_shape(position, layout) for position, layout in enumerate(layouts)]


class _Geometry:
    """Judgements about areas relative to the slide they sit on."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height

    def large(self, area: _Area) -> bool:
        return area.rect.w >= 0.2 * self.width and area.rect.h >= 0.2 * self.height

    def roomy(self, area: _Area) -> bool:
        return area.rect.h >= 0.25 * self.height and area.rect.size >= 0.12 * self.width * self.height

    def above(self, upper: _Area, lower: _Area) -> bool:
        return upper.rect.bottom <= lower.rect.y + 0.05 * self.height

    def side_by_side(self, a: _Area, b: _Area) -> bool:
        left, right = sorted((a.rect, b.rect), key=lambda rect: rect.x)
        overlap = min(left.bottom, right.bottom) - max(left.y, right.y)
        return left.right <= right.x + 0.02 * self.width and overlap >= 0.5 * min(left.h, right.h)

    def disjoint(self, a: _Area, b: _Area) -> bool:
        slack_x, slack_y = 0.02 * self.width, 0.02 * self.height
        return (
            a.rect.right <= b.rect.x + slack_x
            or b.rect.right <= a.rect.x + slack_x
            or a.rect.bottom <= b.rect.y + slack_y
            or b.rect.bottom <= a.rect.y + slack_y
        )

    def heading_over(self, heading: _Area, column: _Area) -> bool:
        overlap = min(heading.rect.right, column.rect.right) - max(heading.rect.x, column.rect.x)
        gap = column.rect.y - heading.rect.bottom
        return (
            overlap >= 0.5 * column.rect.w
            and -0.02 * self.height <= gap <= 0.1 * self.height
            and heading.rect.h < 0.5 * column.rect.h
        )


def _best(candidates: Iterable[tuple[tuple[Any, ...], int, _Use]]) -> _Use | None:
    ranked = max(candidates, key=lambda item: (item[0], -item[1]), default=None)
    return ranked[2] if ranked is not None else None


def _bullets_use(shapes: list[_Shape], geo: _Geometry) -> _Use | None:
    def candidates() -> Iterable[tuple[tuple[Any, ...], int, _Use]]:
        for shape in shapes:
            main = shape.main_text
            if shape.title is None or main is None:
                continue
            alone = sum(geo.large(area) for area in shape.texts) == 1 and not (
                shape.pictures or shape.graphics or shape.subtitles
            )
            key = (alone, geo.above(shape.title, main), main.rect.h >= 0.35 * geo.height, main.rect.size)
            yield key, shape.position, _Use(shape, text=main)

    return _best(candidates())


def _plain(shape: _Shape) -> bool:
    return not (shape.texts or shape.pictures or shape.graphics or shape.vertical)


def _cover_use(shapes: list[_Shape]) -> _Use | None:
    def candidates() -> Iterable[tuple[tuple[Any, ...], int, _Use]]:
        for shape in shapes:
            if shape.title is None or not _plain(shape):
                continue
            if shape.subtitles:
                centred = shape.title.type == PP_PLACEHOLDER.CENTER_TITLE
                yield (2, centred), shape.position, _Use(shape, text=shape.subtitles[0])
            else:
                yield (1, False), shape.position, _Use(shape)

    return _best(candidates())


def _section_use(shapes: list[_Shape], geo: _Geometry, cover: _Use | None) -> _Use | None:
    def candidates() -> Iterable[tuple[tuple[Any, ...], int, _Use]]:
        for shape in shapes:
            if shape.title is None or shape.pictures or shape.graphics or shape.subtitles:
                continue
            if len(shape.texts) == 1 and shape.texts[0].rect.h <= 0.35 * geo.height:
                yield (2,), shape.position, _Use(shape, text=shape.texts[0])

    header = _best(candidates())
    if header is not None:
        return header
    return cover if cover is not None and cover.text is not None else None


def _columns_uses(shapes: list[_Shape], geo: _Geometry) -> tuple[_Use | None, _Use | None]:
    """The best two-column layout, and the best one that also has a heading area over each column."""
    plain: list[tuple[tuple[Any, ...], int, _Use]] = []
    headed: list[tuple[tuple[Any, ...], int, _Use]] = []
    for shape in shapes:
        title = shape.title
        if title is None:
            continue
        large = sorted(
            (area for area in shape.texts if geo.large(area) and geo.above(title, area)),
            key=lambda area: area.rect.size,
            reverse=True,
        )
        if len(large) < 2 or not geo.side_by_side(large[0], large[1]):
            continue
        left, right = sorted(large[:2], key=lambda area: area.rect.x)
        exact = len(shape.texts) == 2 and not shape.pictures and not shape.graphics
        size = left.rect.size + right.rect.size
        plain.append(((exact, size), shape.position, _Use(shape, left=left, right=right)))
        others = [area for area in shape.texts if area not in (left, right)]
        over_left = next((area for area in others if geo.heading_over(area, left)), None)
        over_right = next((area for area in others if geo.heading_over(area, right)), None)
        if over_left is not None and over_right is not None:
            use = _Use(shape, left=left, right=right, headings=(over_left, over_right))
            headed.append(((size,), shape.position, use))
    return _best(plain), _best(headed)


def _image_use(shapes: list[_Shape], geo: _Geometry) -> _Use | None:
    def candidates() -> Iterable[tuple[tuple[Any, ...], int, _Use]]:
        for shape in shapes:
            if shape.title is None:
                continue
            holders = list(shape.pictures) + [
                area for area in shape.texts if area.type == PP_PLACEHOLDER.OBJECT and geo.large(area)
            ]
            for picture in holders:
                for text in shape.texts:
                    if text is picture or not geo.roomy(text) or not geo.disjoint(text, picture):
                        continue
                    key = (picture.type in _PICTURE_TYPES, picture.rect.size + text.rect.size)
                    yield key, shape.position, _Use(shape, text=text, picture=picture)

    return _best(candidates())


_MISSING_TITLE = "a layout with a title placeholder"
_MISSING_BODY = "a layout with a title placeholder and a body placeholder, needed for bullet slides"
_FREE_DRAWN = (Layout.AGENDA, Layout.QUOTE, Layout.TABLE, Layout.CHART, Layout.TIMELINE, Layout.STATISTIC)


def _map(prs: Any) -> _Mapping:
    width, height = _slide_size(prs)
    geo = _Geometry(width, height)
    shapes = _shapes(prs)
    bullets = _bullets_use(shapes, geo)
    missing = []
    if not any(shape.title is not None for shape in shapes):
        missing.append(_MISSING_TITLE)
    if bullets is None:
        missing.append(_MISSING_BODY)
    if missing or bullets is None:
        raise TemplateError(
            "the template has no " + ", and no ".join(item.removeprefix("a ") for item in missing), missing
        )
    cover = _cover_use(shapes)
    plain_cover = cover if cover is not None and cover.text is not None else None
    section = _section_use(shapes, geo, cover)
    closing = plain_cover or section or cover
    columns, comparison = _columns_uses(shapes, geo)
    found: dict[Layout, _Use | None] = {
        Layout.TITLE: cover,
        Layout.SECTION: section,
        Layout.CLOSING: closing,
        Layout.TWO_COLUMNS: columns or comparison,
        Layout.IMAGE_TEXT: _image_use(shapes, geo),
        Layout.BULLETS: bullets,
        **dict.fromkeys(_FREE_DRAWN, bullets),
    }
    fallbacks = {
        Layout.TITLE: "title slides are drawn on the bullets layout, the subtitle in its body",
        Layout.SECTION: (
            "section slides are drawn on the bullets layout: it has no section header layout (a title with "
            "one short text placeholder) and no layout with a title and a subtitle placeholder"
        ),
        Layout.CLOSING: "closing slides are drawn on the bullets layout",
        Layout.TWO_COLUMNS: (
            "two-column slides are drawn on the bullets layout, one column after the other: it has no layout "
            "with two body placeholders side by side"
        ),
        Layout.IMAGE_TEXT: (
            "image slides are drawn on the bullets layout with the picture beside the text: it has no layout "
            "with a picture or content placeholder next to a body placeholder"
        ),
    }
    problems = [message for layout, message in fallbacks.items() if found.get(layout) is None]
    served = tuple(layout for layout in Layout if found.get(layout) is not None)
    uses = {layout: found.get(layout) or bullets for layout in Layout}
    ignored = [s.name for s in shapes if s.title is None and not s.vertical and (s.texts or s.pictures)]
    if ignored:
        problems.append("layouts without a title placeholder are not used: " + ", ".join(ignored))
    count = len(prs.slides)
    if count:
        problems.append(
            f"the template's {count} slide(s) are not copied into decks; only its layouts are used"
        )
    return _Mapping(uses, served, comparison, tuple(problems))


def _slide_size(prs: Any) -> tuple[int, int]:
    # A presentation without p:sldSz is drawn at PowerPoint's default of 10 x 7.5 inches.
    width = prs.slide_width if prs.slide_width is not None else 9144000
    height = prs.slide_height if prs.slide_height is not None else 6858000
    return int(width), int(height)


def inspect_template(data: bytes) -> TemplateInfo:
    """What a template offers; TemplateError when it is unreadable or lacks the essential layouts."""
    prs = _open(data)
    try:
        mapping = _map(prs)
        names = tuple(str(layout.name) for master in prs.slide_masters for layout in master.slide_layouts)
    except TemplateError:
        raise
    except Exception as error:  # python-pptx resolves relationships lazily; a broken one surfaces here
        raise TemplateError(f"{_NOT_POWERPOINT}: {error}") from error
    width, height = _slide_size(prs)
    return TemplateInfo(
        layout_names=names,
        layouts=mapping.served,
        slide_width=width,
        slide_height=height,
        problems=mapping.problems,
        layout_for={layout: use.shape.name for layout, use in mapping.uses.items()},
    )


# ---------------------------------------------------------------------------------------------------
# The template's text styles, for measuring

_TITLE_FALLBACK = 36.0
_BODY_FALLBACK = 18.0
_BODY_FLOOR = 12.0
_TITLE_FLOOR = 20.0
_SCALES = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25)
"""normAutofit font scales tried, as PowerPoint would, once the floor sizes do not fit."""
_LEVELS = 3
_EMU_PER_POINT = 12700
_DEFAULT_INSETS = (91440, 91440, 45720, 45720)
"""lIns, rIns, tIns, bIns: the DrawingML defaults."""
_BASE_TYPE = {
    PP_PLACEHOLDER.TITLE: PP_PLACEHOLDER.TITLE,
    PP_PLACEHOLDER.CENTER_TITLE: PP_PLACEHOLDER.TITLE,
}
"""A layout placeholder inherits from the master's title or, for every other kind, its body."""


@dataclass(frozen=True, slots=True)
class _Level:
    size: float
    font: str
    bold: bool
    margin: float
    """Left margin in points, where the text of a bulleted paragraph starts."""
    before: tuple[float, float]
    """Space before a paragraph: points, and a fraction of the font size."""
    after: tuple[float, float]
    spacing: float
    """Line spacing as a multiple of single spacing."""
    caps: bool = False
    """Set in capitals (cap="all"), as section titles often are."""


@dataclass(frozen=True, slots=True)
class _Frame:
    """A text frame as measured: its inner size and the style of each list level."""

    width: float
    height: float
    """Points, inside the insets."""
    levels: tuple[_Level, ...]


@dataclass(frozen=True, slots=True)
class _Para:
    text: str
    level: int = 0
    bullet: bool = True
    """False writes the paragraph unbulleted and unindented (a body text, a heading, a quote)."""
    bold: bool = False
    italic: bool = False
    align: PP_ALIGN | None = None
    numbered: bool = False
    scale: float = 1.0
    """Size relative to its level's, for the big number of a statistic."""
    accent: bool = False
    """Coloured with the theme's first accent colour."""


@dataclass(frozen=True, slots=True)
class _Fit:
    sizes: tuple[float, ...] | None
    """Point size per level, or None when the template's own sizes fit (nothing is written)."""
    scale: float = 1.0
    """normAutofit font scale; below 1 only when the text does not fit at the floor sizes."""
    overflows: bool = False


def _theme_fonts(master: Any) -> tuple[str, str]:
    """The master theme's major (headings) and minor (body) Latin fonts."""
    try:
        theme = parse_xml(master.part.part_related_by(RT.THEME).blob)
    except (KeyError, ValueError):
        return "Calibri", "Calibri"
    fonts = []
    for tag, default in (("a:majorFont", "Calibri"), ("a:minorFont", "Calibri")):
        latin = next(iter(theme.iter(qn(tag))), None)
        latin = latin.find(qn("a:latin")) if latin is not None else None
        fonts.append(str(latin.get("typeface") or default) if latin is not None else default)
    return fonts[0], fonts[1]


def _first(containers: Sequence[Any], level: int, path: str, attribute: str) -> str | None:
    """`attribute` of the first list style in `containers` that sets it for `level`."""
    for container in containers:
        if container is None:
            continue
        style = container.find(qn(f"a:lvl{level + 1}pPr"))
        if style is None:
            continue
        target = style.find(path) if path else style
        if target is not None and target.get(attribute) is not None:
            return str(target.get(attribute))
    return None


def _spacing(containers: Sequence[Any], level: int, tag: str) -> tuple[float, float] | None:
    for container in containers:
        if container is None:
            continue
        style = container.find(qn(f"a:lvl{level + 1}pPr"))
        spacing = style.find(qn(tag)) if style is not None else None
        if spacing is None:
            continue
        points, percent = spacing.find(qn("a:spcPts")), spacing.find(qn("a:spcPct"))
        if points is not None:
            return int(points.get("val", "0")) / 100.0, 0.0
        if percent is not None:
            return 0.0, _percent(percent.get("val", "0"))
    return None


def _percent(value: str) -> float:
    # ST_TextSpacingPercent is in thousandths of a percent, though some writers emit "90%".
    return float(value[:-1]) / 100.0 if value.endswith("%") else int(value) / 100000.0


def _levels(
    containers: Sequence[Any], fonts: tuple[str, str], title: bool, size: float | None
) -> tuple[_Level, ...]:
    levels = []
    for level in range(_LEVELS):
        size_attr = _first(containers, level, qn("a:defRPr"), "sz")
        face = _first(containers, level, qn("a:defRPr") + "/" + qn("a:latin"), "typeface")
        margin = _first(containers, level, "", "marL")
        line = _spacing(containers, level, "a:lnSpc")
        if face is None:
            face = fonts[0] if title else fonts[1]
        elif face.startswith("+mj"):
            face = fonts[0]
        elif face.startswith("+mn"):
            face = fonts[1]
        points = size if size is not None else int(size_attr) / 100.0 if size_attr else None
        levels.append(
            _Level(
                size=points or (_TITLE_FALLBACK if title else _BODY_FALLBACK),
                font=face,
                bold=_first(containers, level, qn("a:defRPr"), "b") in ("1", "true"),
                margin=int(margin) / _EMU_PER_POINT if margin else 0.0,
                before=_spacing(containers, level, "a:spcBef") or (0.0, 0.0),
                after=_spacing(containers, level, "a:spcAft") or (0.0, 0.0),
                # Exact line spacing in points is rare in templates; it is measured as single spacing.
                spacing=line[1] if line is not None and line[1] > 0 else 1.0,
                caps=_first(containers, level, qn("a:defRPr"), "cap") == "all",
            )
        )
    return tuple(levels)


class _Styles:
    """Reads the style hierarchy placeholders and free text boxes inherit, for measuring."""

    def __init__(self, prs: Any) -> None:
        self._defaults = prs.part._element.find(qn("p:defaultTextStyle"))
        self._fonts: dict[int, tuple[str, str]] = {}

    def _theme_fonts(self, master: Any) -> tuple[str, str]:
        key = id(master.part)
        if key not in self._fonts:
            self._fonts[key] = _theme_fonts(master)
        return self._fonts[key]

    @staticmethod
    def _master_style(master: Any, name: str) -> Any:
        styles = master._element.find(qn("p:txStyles"))
        return styles.find(qn(name)) if styles is not None else None

    def placeholder(self, layout: Any, area: _Area, shape: Any = None) -> _Frame:
        """A placeholder of `layout`, or its copy `shape` on a slide (which may have been resized)."""
        master = layout.slide_master
        base = layout.placeholders.get(area.idx)
        root = master.placeholders.get(_BASE_TYPE.get(area.type, PP_PLACEHOLDER.BODY))
        title = area.type in _TITLE_TYPES
        chain = [shape, base, root]
        master_style = self._master_style(master, "p:titleStyle" if title else "p:bodyStyle")
        containers = [_list_style(item) for item in chain] + [master_style, self._defaults]
        levels = _levels(containers, self._theme_fonts(master), title, None)
        rect = _rect_of(shape) if shape is not None else area.rect
        return _frame(rect, [_body_pr(item) for item in chain], levels)

    def on_slide(self, page: Any, shape: Any) -> _Frame:
        area = _Area(shape.placeholder_format.idx, shape.placeholder_format.type, _rect_of(shape))
        return self.placeholder(page.slide_layout, area, shape)

    def free(self, layout: Any, rect: _Rect, size: float) -> _Frame:
        """A text box or table cell at `size`: the master's "other" text style."""
        master = layout.slide_master
        other = self._master_style(master, "p:otherStyle")
        return _frame(rect, [], _levels([other, self._defaults], self._theme_fonts(master), False, size))


def _frame(rect: _Rect, body_prs: Sequence[Any], levels: tuple[_Level, ...]) -> _Frame:
    insets = []
    for name, default in zip(("lIns", "rIns", "tIns", "bIns"), _DEFAULT_INSETS, strict=True):
        value = next((b.get(name) for b in body_prs if b is not None and b.get(name) is not None), None)
        insets.append(int(value) if value is not None else default)
    width = (rect.w - insets[0] - insets[1]) / _EMU_PER_POINT
    height = (rect.h - insets[2] - insets[3]) / _EMU_PER_POINT
    return _Frame(max(width, 1.0), max(height, 1.0), levels)


def _list_style(shape: Any) -> Any:
    return shape._element.find(qn("p:txBody") + "/" + qn("a:lstStyle")) if shape is not None else None


def _body_pr(shape: Any) -> Any:
    return shape._element.find(qn("p:txBody") + "/" + qn("a:bodyPr")) if shape is not None else None


def _rect_of(shape: Any) -> _Rect:
    return _Rect(int(shape.left), int(shape.top), int(shape.width), int(shape.height))


# ---------------------------------------------------------------------------------------------------
# Fitting text


def _text_height(paras: Sequence[_Para], frame: _Frame, sizes: Sequence[float]) -> float:
    total = 0.0
    for index, para in enumerate(paras):
        style = frame.levels[para.level]
        size = sizes[para.level] * para.scale
        face = font_file(style.font, para.bold or style.bold)
        indent = style.margin if para.bullet else 0.0
        text = para.text.upper() if style.caps else para.text
        total += wrapped_height(text, face, size, max(frame.width - indent, size)) * style.spacing
        if index:
            total += style.before[0] + style.before[1] * size
        if index < len(paras) - 1:
            total += style.after[0] + style.after[1] * size
    return total


def _fits(jobs: Sequence[tuple[_Frame, Sequence[_Para]]], sizes: Sequence[float]) -> bool:
    return all(_text_height(paras, frame, sizes) <= frame.height for frame, paras in jobs)


def _fit(jobs: Sequence[tuple[_Frame, Sequence[_Para]]], floor: float, explicit: bool = False) -> _Fit:
    """One set of sizes for all `jobs` (frames that should read alike), from the template's down.

    Sizes are the first frame's template sizes scaled together; no level goes below `floor` unless
    the template itself sets it smaller.
    """
    base = tuple(level.size for level in jobs[0][0].levels)
    if _fits(jobs, base):
        return _Fit(base if explicit else None)
    top = base[0]

    def scaled(size: float) -> tuple[float, ...]:
        return tuple(max(min(floor, level), round(level * size / top * 2) / 2) for level in base)

    candidate = base
    for size in range(int(top) - 1, int(floor) - 1, -1):
        candidate = scaled(float(size))
        if _fits(jobs, candidate):
            return _Fit(candidate)
    if top > floor:
        candidate = scaled(floor)
    for scale in _SCALES:
        if _fits(jobs, [size * scale for size in candidate]):
            return _Fit(candidate, scale)
    return _Fit(candidate, _SCALES[-1], overflows=True)


# ---------------------------------------------------------------------------------------------------
# Writing


def _child(parent: Any, tag: str, **attributes: str) -> Any:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(name, value)
    parent.append(element)
    return element


def _write(text_frame: Any, paras: Sequence[_Para], fit: _Fit, language: str) -> None:
    for index, para in enumerate(paras):
        paragraph = text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph()
        if para.level:
            paragraph.level = para.level
        if not para.bullet:
            p_pr = paragraph._p.get_or_add_pPr()
            p_pr.set("marL", "0")
            p_pr.set("indent", "0")
            _child(p_pr, "a:buNone")
        elif para.numbered:
            _child(paragraph._p.get_or_add_pPr(), "a:buAutoNum", type="arabicPeriod")
        if para.align is not None:
            paragraph.alignment = para.align
        run = paragraph.add_run()
        run.text = para.text
        font = run.font
        if fit.sizes is not None:
            font.size = Pt(round(fit.sizes[para.level] * para.scale, 1))
        if para.bold:
            font.bold = True
        if para.italic:
            font.italic = True
        if para.accent:
            font.color.theme_color = MSO_THEME_COLOR.ACCENT_1
        run._r.get_or_add_rPr().set("lang", language)
    if fit.scale < 1.0:
        text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        text_frame._txBody.bodyPr.find(qn("a:normAutofit")).set("fontScale", str(round(fit.scale * 100000)))


def _lines(text: str) -> list[str]:
    return [line for line in (" ".join(part.split()) for part in text.splitlines()) if line]


def _bullets(bullets: Iterable[Bullet], numbered: bool = False) -> list[_Para]:
    paras = []
    for bullet in bullets:
        text = " ".join(bullet.text.split())
        level = max(0, min(bullet.level, _LEVELS - 1))
        if text:
            paras.append(_Para(text, level, numbered=numbered and level == 0))
    return paras


def _lead(slide: Slide, numbered: bool = False) -> list[_Para]:
    """Subtitle, body and bullets of a slide, in reading order."""
    plain = [_Para(line, bullet=False) for line in _lines(slide.subtitle) + _lines(slide.body)]
    return plain + _bullets(slide.bullets, numbered)


def _column(column: Column | None, with_heading: bool = True) -> list[_Para]:
    if column is None:
        return []
    heading = " ".join(column.heading.split())
    paras = [_Para(heading, bullet=False, bold=True)] if heading and with_heading else []
    return paras + _bullets(column.bullets) + [_Para(line, bullet=False) for line in _lines(column.body)]


def _set_rect(shape: Any, rect: _Rect) -> None:
    shape.left, shape.top, shape.width, shape.height = Emu(rect.x), Emu(rect.y), Emu(rect.w), Emu(rect.h)


def _remove(shape: Any) -> None:
    element = shape._element
    element.getparent().remove(element)


_DECORATIVE_EXT = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
_DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"


def _mark_decorative(shape: Any) -> None:
    """Screen readers skip shapes marked decorative (lines and dots of a timeline)."""
    c_nv_pr = shape._element.xpath("./*[1]/p:cNvPr")[0]
    c_nv_pr.append(
        parse_xml(
            f'<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            f'<a:ext uri="{_DECORATIVE_EXT}"><adec:decorative xmlns:adec="{_DECORATIVE_NS}" val="1"/></a:ext>'
            "</a:extLst>"
        )
    )


_CHART_TYPES = {
    ChartType.BAR: XL_CHART_TYPE.BAR_CLUSTERED,
    ChartType.COLUMN: XL_CHART_TYPE.COLUMN_CLUSTERED,
    ChartType.LINE: XL_CHART_TYPE.LINE_MARKERS,
    ChartType.PIE: XL_CHART_TYPE.PIE,
}
# python-pptx ships partial annotations; an Any alias keeps its untyped chart-data calls out of strict mode.
_CHART_DATA: Any = CategoryChartData
_GAP = 0.02
"""Space between a placeholder shrunk to a band and what is drawn beside it, as a slide fraction."""
_CELL_INSETS = (91440, 91440, 45720, 45720)
"""python-pptx's table cell margins (lIns, rIns, tIns, bIns)."""
_FREE_TEXT_MAX = 24.0
_TABLE_TEXT_MAX = 18.0


class _Renderer:
    """Adds the deck's slides to the opened template, one or more pages per slide."""

    def __init__(self, prs: Any, mapping: _Mapping, deck: Deck, images: Mapping[str, bytes]) -> None:
        self.prs = prs
        self.mapping = mapping
        self.images = images
        self.language = deck.language or "en"
        self.styles = _Styles(prs)
        self.width, self.height = _slide_size(prs)
        self.warnings: list[str] = []
        self.number = 0
        self.label = ""
        bullets = mapping.uses[Layout.BULLETS]
        assert bullets.text is not None  # _map guarantees the essential layout
        self.body_size = self.styles.placeholder(bullets.shape.layout, bullets.text).levels[0].size
        # Free text (timelines, statistics, a subtitle under a lone title) is set at the template's
        # body size, capped: templates sized for five bullets are too large for four columns.
        self.free_size = min(self.body_size, _FREE_TEXT_MAX)

    def warn(self, message: str) -> None:
        self.warnings.append(f"slide {self.number} ({self.label!r}): {message}")

    def report(self, fit: _Fit, what: str, floor: float = _BODY_FLOOR) -> None:
        if fit.overflows:
            self.warn(f"the {what} does not fit even at {round(fit.scale * 100)} % of {floor:g} pt; check it")
        elif fit.scale < 1.0:
            self.warn(
                f"the {what} is set at {round(fit.scale * 100)} % of {floor:g} pt by PowerPoint's autofit"
            )

    # -- pages and placeholders ---------------------------------------------------------------------

    def page(self, use: _Use, title: str) -> Any:
        page = self.prs.slides.add_slide(use.shape.layout)
        shape = self.placeholder(page, use.shape.title)
        text = " ".join(title.split())
        if shape is not None and text:
            para = _Para(text)
            fit = _fit([(self.styles.on_slide(page, shape), [para])], _TITLE_FLOOR)
            _write(shape.text_frame, [para], fit, self.language)
            self.report(fit, "title", _TITLE_FLOOR)
        return page

    @staticmethod
    def placeholder(page: Any, area: _Area | None) -> Any:
        if area is None:
            return None
        return next((shape for shape in page.placeholders if shape.placeholder_format.idx == area.idx), None)

    def fill(self, page: Any, shape: Any, paras: Sequence[_Para], what: str) -> None:
        if shape is None or not paras:
            return
        fit = _fit([(self.styles.on_slide(page, shape), paras)], _BODY_FLOOR)
        _write(shape.text_frame, paras, fit, self.language)
        self.report(fit, what)

    def textbox(self, page: Any, rect: _Rect, name: str) -> Any:
        box = page.shapes.add_textbox(Emu(rect.x), Emu(rect.y), Emu(rect.w), Emu(rect.h))
        box.name = name
        box.text_frame.word_wrap = True
        box.text_frame.auto_size = MSO_AUTO_SIZE.NONE
        return box

    def fill_free(self, page: Any, jobs: Sequence[tuple[Any, Sequence[_Para]]], what: str) -> None:
        """Text boxes that should read alike: one size for all, written explicitly."""
        jobs = [(shape, paras) for shape, paras in jobs if paras]
        if not jobs:
            return
        measured = [
            (self.styles.free(page.slide_layout, _rect_of(shape), self.free_size), p) for shape, p in jobs
        ]
        fit = _fit(measured, _BODY_FLOOR, explicit=True)
        for shape, paras in jobs:
            _write(shape.text_frame, paras, fit, self.language)
        self.report(fit, what)

    def finish(self, page: Any, slide: Slide | None) -> None:
        # An empty placeholder shows its prompt ("Click to add text") in PowerPoint: remove it.
        for shape in list(page.placeholders):
            if shape.has_text_frame and not shape.text_frame.text.strip():
                _remove(shape)
        notes = notes_text(slide) if slide is not None else ""
        if notes:
            text_frame = page.notes_slide.notes_text_frame
            if text_frame is None:
                self.warn("the template's notes page has no body placeholder; the speaker notes are left out")
            else:
                text_frame.text = notes

    @staticmethod
    def band_height(frame: _Frame, area: _Rect, paras: Sequence[_Para]) -> int:
        """The height a band across `area` needs for `paras` as `frame` sets them: at most 35 % of it."""
        needed = _text_height(paras, frame, [level.size for level in frame.levels])
        insets = round(area.h - frame.height * _EMU_PER_POINT)
        return min(round(needed * _EMU_PER_POINT * 1.05) + insets, round(0.35 * area.h))

    def open_area(self, page: Any) -> _Rect:
        """Where content goes on a layout without a body placeholder: under the title."""
        title = page.shapes.title
        top = _rect_of(title).bottom if title is not None else round(0.15 * self.height)
        top += round(_GAP * self.height)
        margin = round(0.06 * self.width)
        return _Rect(margin, top, self.width - 2 * margin, max(round(0.9 * self.height) - top, 1))

    def content_area(self, page: Any, use: _Use, lead: Sequence[_Para]) -> _Rect:
        """The body area for free drawing: the body placeholder keeps `lead` in a band on top, or goes."""
        shape = self.placeholder(page, use.text)
        if shape is None:
            return self.open_area(page)
        area = _rect_of(shape)
        if not lead:
            _remove(shape)
            return area
        band = self.band_height(self.styles.on_slide(page, shape), area, lead)
        _set_rect(shape, _Rect(area.x, area.y, area.w, band))
        self.fill(page, shape, lead, "introduction")
        shift = band + round(_GAP * self.height)
        return _Rect(area.x, area.y + shift, area.w, area.h - shift)

    # -- slides -------------------------------------------------------------------------------------

    def slide(self, slide: Slide) -> None:
        self.number += 1
        self.label = " ".join(slide.title.split())
        picture = self.picture_bytes(slide)
        layout = _effective_layout(slide, picture is not None)
        served = layout in self.mapping.served
        use = self.mapping.uses[layout]
        if layout in (Layout.TITLE, Layout.SECTION, Layout.CLOSING):
            self.cover(slide, use)
        elif layout is Layout.TWO_COLUMNS and served:
            self.columns(slide)
        elif layout is Layout.TWO_COLUMNS:
            self.text(slide, use, _lead(slide) + _column(slide.left) + _column(slide.right))
        elif layout is Layout.IMAGE_TEXT and picture is not None:
            self.image_text(slide, use, picture)
        elif layout is Layout.TABLE and slide.table is not None:
            self.table(slide, use, slide.table)
        elif layout is Layout.CHART and slide.chart is not None:
            self.chart(slide, use, slide.chart)
        elif layout is Layout.TIMELINE:
            page = self.page(use, slide.title)
            self.timeline(page, self.content_area(page, use, _lead(slide)), slide.steps)
            self.finish(page, slide)
        elif layout is Layout.STATISTIC:
            page = self.page(use, slide.title)
            self.statistics(page, self.content_area(page, use, _lead(slide)), slide.statistics)
            self.finish(page, slide)
        elif layout is Layout.QUOTE and slide.quote is not None:
            self.text(slide, use, _lead(slide) + _quote(slide.quote.text, slide.quote.attribution))
        else:
            # Agenda items that carry their numbers (a continuation, see _plan.number_agenda) keep them.
            numbered = layout is Layout.AGENDA and not agenda_numbered(slide.bullets)
            self.text(slide, use, _lead(slide, numbered=numbered))

    def picture_bytes(self, slide: Slide) -> bytes | None:
        if slide.image is None:
            return None
        data = self.images.get(slide.image.uri)
        if image_size(data) is None:
            self.warn(
                f"the picture {slide.image.uri!r} is missing or not a PNG, JPEG, GIF, BMP or TIFF image; "
                "the slide shows its text only"
            )
            return None
        return data

    def text(self, slide: Slide, use: _Use, paras: Sequence[_Para]) -> None:
        page = self.page(use, slide.title)
        self.fill(page, self.placeholder(page, use.text), paras, "text")
        self.finish(page, slide)

    def cover(self, slide: Slide, use: _Use) -> None:
        page = self.page(use, slide.title)
        paras = _lead(slide)
        if use.text is not None and use.text.type == PP_PLACEHOLDER.SUBTITLE:
            # A subtitle placeholder is styled for plain lines: the template's paragraph style applies.
            paras = [replace(para, bullet=True) for para in paras]
        shape = self.placeholder(page, use.text)
        if shape is not None:
            self.fill(page, shape, paras, "subtitle")
        elif paras:
            title = page.shapes.title
            under = (
                _rect_of(title) if title is not None else _Rect(0, 0, self.width, round(0.3 * self.height))
            )
            top = under.bottom + round(_GAP * self.height)
            rect = _Rect(under.x, top, under.w, max(round(0.9 * self.height) - top, round(0.1 * self.height)))
            self.fill_free(page, [(self.textbox(page, rect, "Subtitle"), paras)], "subtitle")
        self.finish(page, slide)

    def columns(self, slide: Slide) -> None:
        headed = any(column is not None and column.heading.strip() for column in (slide.left, slide.right))
        comparison = self.mapping.comparison
        use = comparison if headed and comparison is not None else self.mapping.uses[Layout.TWO_COLUMNS]
        page = self.page(use, slide.title)
        sides = []
        for area, heading_area, column in zip(
            (use.left, use.right), use.headings, (slide.left, slide.right), strict=True
        ):
            shape, heading = self.placeholder(page, area), self.placeholder(page, heading_area)
            sides.append((shape, heading, column))
        lead = _lead(slide)
        if lead:
            self.lead_band(page, [shape for side in sides for shape in side[:2] if shape is not None], lead)
        jobs = []
        for shape, heading, column in sides:
            if column is None or shape is None:
                continue
            title = " ".join(column.heading.split())
            if heading is not None and title:
                self.fill(page, heading, [_Para(title)], "column heading")
                jobs.append((shape, _column(column, with_heading=False)))
            else:
                jobs.append((shape, _column(column)))
        jobs = [(shape, paras) for shape, paras in jobs if paras]
        if jobs:
            # Both columns share one size so that they read as a pair.
            fit = _fit([(self.styles.on_slide(page, shape), paras) for shape, paras in jobs], _BODY_FLOOR)
            for shape, paras in jobs:
                _write(shape.text_frame, paras, fit, self.language)
            self.report(fit, "column text")
        self.finish(page, slide)

    def lead_band(self, page: Any, shapes: Sequence[Any], paras: Sequence[_Para]) -> None:
        """Moves `shapes` down to make room above them for `paras`, in a text box across them all."""
        rects = [_rect_of(shape) for shape in shapes]
        left, top = min(rect.x for rect in rects), min(rect.y for rect in rects)
        span = _Rect(left, top, max(r.right for r in rects) - left, max(r.bottom for r in rects) - top)
        band = self.band_height(self.styles.free(page.slide_layout, span, self.free_size), span, paras)
        shift = band + round(_GAP * self.height)
        for shape, rect in zip(shapes, rects, strict=True):
            # Column areas shrink by the band; heading areas above them only move down.
            tall = rect.h > 0.5 * span.h
            _set_rect(shape, _Rect(rect.x, rect.y + shift, rect.w, rect.h - shift if tall else rect.h))
        box = self.textbox(page, _Rect(span.x, span.y, span.w, band), "Introduction")
        title = page.shapes.title
        if title is not None:
            title._element.addnext(box._element)  # read after the title, before the columns
        self.fill_free(page, [(box, paras)], "introduction")

    def image_text(self, slide: Slide, use: _Use, data: bytes) -> None:
        assert slide.image is not None
        alt_text = slide.image.alt_text
        page = self.page(use, slide.title)
        text = self.placeholder(page, use.text)
        holder = self.placeholder(page, use.picture)
        if holder is not None and use.picture is not None and use.picture.type in _PICTURE_TYPES:
            # insert_picture crops the picture to fill the placeholder.
            picture = holder.insert_picture(io.BytesIO(data))
            picture._element.nvPicPr.cNvPr.set("descr", alt_text)
        elif holder is not None:
            self.free_picture(page, _rect_of(holder), data, alt_text)
            _remove(holder)
        elif text is not None:
            # No picture layout: the picture takes the left of the body area, the text the right.
            area = _rect_of(text)
            gap = round(_GAP * self.width)
            split = round(area.w * 0.45)
            self.free_picture(page, _Rect(area.x, area.y, split - gap // 2, area.h), data, alt_text)
            _set_rect(text, _Rect(area.x + split + gap // 2, area.y, area.w - split - gap // 2, area.h))
        else:
            self.free_picture(page, self.open_area(page), data, alt_text)
        self.fill(page, text, _lead(slide), "text")
        self.finish(page, slide)

    def free_picture(self, page: Any, rect: _Rect, data: bytes, alt_text: str) -> None:
        size = image_size(data)
        assert size is not None
        picture = page.shapes.add_picture(
            io.BytesIO(data), Emu(rect.x), Emu(rect.y), Emu(rect.w), Emu(rect.h)
        )
        picture.name = "Picture"
        # Cropped to the frame's shape rather than stretched, as a picture placeholder does.
        image_ratio, frame_ratio = size[0] / size[1], rect.w / rect.h
        if image_ratio > frame_ratio:
            picture.crop_left = picture.crop_right = (1 - frame_ratio / image_ratio) / 2
        elif image_ratio < frame_ratio:
            picture.crop_top = picture.crop_bottom = (1 - image_ratio / frame_ratio) / 2
        picture._element.nvPicPr.cNvPr.set("descr", alt_text)

    # -- free drawing in the body area --------------------------------------------------------------

    def chart(self, slide: Slide, use: _Use, chart: Chart) -> None:
        page = self.page(use, slide.title)
        lead = _lead(slide)
        shape = self.placeholder(page, use.text)
        area = _rect_of(shape) if shape is not None else self.open_area(page)
        if lead and shape is not None:
            # As in deckgen's own design: the chart on the left, what it shows on the right.
            gap = round(_GAP * self.width)
            split = round(area.w * 0.62)
            _set_rect(shape, _Rect(area.x + split + gap // 2, area.y, area.w - split - gap // 2, area.h))
            self.fill(page, shape, lead, "text")
            area = _Rect(area.x, area.y, split - gap // 2, area.h)
        elif shape is not None:
            _remove(shape)
        self.draw_chart(page, area, chart)
        self.finish(page, slide)

    def draw_chart(self, page: Any, rect: _Rect, chart: Chart) -> None:
        count = max((len(series.values) for series in chart.series), default=0)
        categories = list(chart.categories) or [str(i + 1) for i in range(count)]
        data = _CHART_DATA()
        data.categories = categories
        for series in chart.series:
            values: list[float | None] = list(series.values[: len(categories)])
            data.add_series(series.name, values + [None] * (len(categories) - len(values)))
        frame = page.shapes.add_chart(
            _CHART_TYPES[chart.type], Emu(rect.x), Emu(rect.y), Emu(rect.w), Emu(rect.h), data
        )
        frame.name = "Chart"
        frame._element.nvGraphicFramePr.cNvPr.set("descr", _chart_description(chart, categories))
        graph = frame.chart
        # Colours and fonts are left to the chart's defaults, which follow the template's theme.
        graph.font.size = Pt(max(10.0, min(16.0, 14.0 * self.width / 12192000)))
        if chart.type is ChartType.PIE:
            graph.plots[0].vary_by_categories = True
        graph.has_legend = chart.type is ChartType.PIE or len(chart.series) > 1
        if graph.has_legend:
            graph.legend.position = XL_LEGEND_POSITION.BOTTOM
            graph.legend.include_in_layout = False
        graph.has_title = bool(chart.title.strip())
        if graph.has_title:
            graph.chart_title.text_frame.text = " ".join(chart.title.split())

    def table(self, slide: Slide, use: _Use, table: Table) -> None:
        width = max(len(table.header), *(len(row) for row in table.rows)) if table.rows else len(table.header)
        header = _pad(table.header, width) if table.header else None
        rows = [_pad(row, width) for row in table.rows]
        page = self.page(use, slide.title)
        area = self.content_area(page, use, _lead(slide))
        pages = 1
        while True:
            rows = rows[self.draw_table(page, area, header, rows) :]
            self.finish(page, slide if pages == 1 else None)
            if not rows:
                break
            # The rest continues on a page of its own, under the same title, over the whole body area.
            pages += 1
            page = self.page(use, slide.title)
            shape = self.placeholder(page, use.text)
            area = _rect_of(shape) if shape is not None else self.open_area(page)
            if shape is not None:
                _remove(shape)
        if pages > 1:
            self.warn(f"the table is too long for one slide and continues on {pages - 1} more")

    def draw_table(
        self, page: Any, rect: _Rect, header: tuple[str, ...] | None, rows: Sequence[tuple[str, ...]]
    ) -> int:
        """Draws `header` and as many of `rows` as fit in `rect` (at least one); returns how many."""
        cells = ([header] if header is not None else []) + list(rows)
        count = len(cells[0])
        widths = _column_widths(cells, rect.w, count)
        font = self.styles.free(page.slide_layout, rect, self.free_size).levels[0].font
        heights: list[int] = []
        size = _BODY_FLOOR
        for size in _descending(min(self.body_size, _TABLE_TEXT_MAX), _BODY_FLOOR):
            heights = [
                _row_height(row, widths, font, header is not None and index == 0, size)
                for index, row in enumerate(cells)
            ]
            if sum(heights) <= rect.h:
                break
        # At the floor size, the rows that do not fit go to the next page; a page shows at least one.
        first = 1 if header is not None else 0
        shown, used = 0, 0
        for index, height in enumerate(heights):
            if index > first and used + height > rect.h:
                break
            used += height
            shown += 1
        shown = max(shown, min(len(cells), first + 1))
        if sum(heights[:shown]) > rect.h:
            self.warn("a table row is taller than the slide's content area even at 12 pt; check the table")
        frame = page.shapes.add_table(
            shown, count, Emu(rect.x), Emu(rect.y), Emu(sum(widths)), Emu(sum(heights[:shown]))
        )
        frame.name = "Table"
        grid = frame.table
        # The default table style (Medium Style 2, Accent 1) takes its colours from the template's theme.
        grid.first_row = header is not None
        for index, column_width in enumerate(widths):
            grid.columns[index].width = Emu(column_width)
        for index, height in enumerate(heights[:shown]):
            grid.rows[index].height = Emu(height)
        fit = _Fit((size,) * _LEVELS)
        for r, row in enumerate(cells[:shown]):
            for c, text in enumerate(row):
                text_frame = grid.cell(r, c).text_frame
                text_frame.word_wrap = True
                _write(text_frame, [_Para(line) for line in _lines(text)], fit, self.language)
        return shown - first

    def timeline(self, page: Any, rect: _Rect, steps: Sequence[Step]) -> None:
        count = len(steps)
        gap = round(_GAP * self.width)
        dot = round(0.035 * self.height)
        boxes: list[_Rect] = []
        if count <= 4 or rect.w / count >= 1.6 * 914400:
            # Left to right: a line through a dot per step, each step's text under its dot.
            cell = rect.w // count
            centres = [rect.x + cell * i + cell // 2 for i in range(count)]
            self.line(page, centres[0], rect.y + dot // 2, centres[-1], rect.y + dot // 2)
            for centre in centres:
                self.dot(page, centre - dot // 2, rect.y, dot)
            top = rect.y + dot + gap // 2
            boxes = [
                _Rect(rect.x + cell * i + gap // 2, top, cell - gap, rect.bottom - top) for i in range(count)
            ]
        else:
            # Top to bottom: a dot per step on a vertical line, each step's text to its right.
            cell = rect.h // count
            dot = min(dot, cell // 2)
            starts = [rect.y + cell * i for i in range(count)]
            inset = _DEFAULT_INSETS[2]
            self.line(
                page,
                rect.x + dot // 2,
                starts[0] + inset + dot // 2,
                rect.x + dot // 2,
                starts[-1] + inset + dot // 2,
            )
            for start in starts:
                self.dot(page, rect.x, start + inset, dot)
            boxes = [_Rect(rect.x + dot + gap // 2, start, rect.w - dot - gap // 2, cell) for start in starts]
        jobs = [
            (self.textbox(page, box, "Step"), _step(step)) for step, box in zip(steps, boxes, strict=True)
        ]
        self.fill_free(page, jobs, "timeline text")

    def statistics(self, page: Any, rect: _Rect, statistics: Sequence[Statistic]) -> None:
        per_row = min(3, len(statistics))
        rows = -(-len(statistics) // per_row)
        gap = round(_GAP * self.width)
        cell_w, cell_h = rect.w // per_row, rect.h // rows
        jobs = []
        for index, statistic in enumerate(statistics):
            row, col = divmod(index, per_row)
            box = self.textbox(
                page,
                _Rect(rect.x + col * cell_w + gap // 2, rect.y + row * cell_h, cell_w - gap, cell_h),
                "Statistic",
            )
            box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
            jobs.append((box, _statistic(statistic)))
        self.fill_free(page, jobs, "statistic text")

    def line(self, page: Any, x1: int, y1: int, x2: int, y2: int) -> None:
        # Connectors and shapes take the theme's accent colour from their default style reference.
        line = page.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Emu(x1), Emu(y1), Emu(x2), Emu(y2))
        line.name = "Timeline"
        line.line.width = Pt(2)
        _mark_decorative(line)

    def dot(self, page: Any, x: int, y: int, size: int) -> None:
        dot = page.shapes.add_shape(MSO_SHAPE.OVAL, Emu(x), Emu(y), Emu(size), Emu(size))
        dot.name = "Marker"
        _mark_decorative(dot)


def _quote(text: str, attribution: str) -> list[_Para]:
    paras = [_Para(f"\u201c{' '.join(text.split())}\u201d", bullet=False, italic=True)]
    who = " ".join(attribution.split())
    if who:
        paras.append(_Para(f"\u2014 {who}", bullet=False, align=PP_ALIGN.RIGHT))
    return paras


def _step(step: Step) -> list[_Para]:
    paras = []
    label, title = " ".join(step.label.split()), " ".join(step.title.split())
    if label:
        paras.append(_Para(label, bullet=False, bold=True, accent=True))
    if title:
        paras.append(_Para(title, bullet=False, bold=True))
    return paras + [_Para(line, bullet=False) for line in _lines(step.detail)]


def _statistic(statistic: Statistic) -> list[_Para]:
    centre = PP_ALIGN.CENTER
    value, label = " ".join(statistic.value.split()), " ".join(statistic.label.split())
    paras = [_Para(value, bullet=False, bold=True, align=centre, scale=2.2, accent=True)] if value else []
    paras += [_Para(label, bullet=False, align=centre)] if label else []
    return paras + [_Para(line, bullet=False, align=centre, scale=0.8) for line in _lines(statistic.context)]


def _pad(row: tuple[str, ...], width: int) -> tuple[str, ...]:
    return tuple(row) + ("",) * (width - len(row))


def _descending(top: float, floor: float) -> list[float]:
    sizes = [float(size) for size in range(int(top), int(floor) - 1, -1)]
    return sizes or [top]


def _column_widths(rows: Sequence[tuple[str, ...]], total: int, count: int) -> list[int]:
    weights = [
        min(max(max((len(row[c]) if c < len(row) else 0) for row in rows), 8), 48) ** 0.8
        for c in range(count)
    ]
    scale = total / sum(weights)
    widths = [int(weight * scale) for weight in weights]
    widths[-1] += total - sum(widths)
    return widths


def _row_height(cells: tuple[str, ...], widths: Sequence[int], font: str, bold: bool, size: float) -> int:
    face = font_file(font, bold)
    tallest = 0.0
    for text, width in zip(cells, widths, strict=False):
        usable = (width - _CELL_INSETS[0] - _CELL_INSETS[1]) / 12700.0
        tallest = max(
            tallest, sum(wrapped_height(para, face, size, usable) for para in (_lines(text) or [""]))
        )
    return round(tallest * 12700 * 1.05) + _CELL_INSETS[2] + _CELL_INSETS[3]


def _chart_description(chart: Chart, categories: Sequence[str]) -> str:
    if chart.alt_text.strip():
        return chart.alt_text.strip()
    names = ", ".join(series.name for series in chart.series)
    title = f"{chart.title.strip()}: " if chart.title.strip() else ""
    return f"{title}{chart.type.value} chart of {names} by {', '.join(categories)}"


def _effective_layout(slide: Slide, has_picture: bool) -> Layout:
    layout = slide.layout
    chart = slide.chart
    missing = (
        (layout is Layout.TABLE and (slide.table is None or not (slide.table.header or slide.table.rows)))
        or (layout is Layout.TWO_COLUMNS and slide.left is None and slide.right is None)
        or (layout is Layout.QUOTE and slide.quote is None)
        or (layout is Layout.CHART and (chart is None or not any(s.values for s in chart.series)))
        or (layout is Layout.TIMELINE and not slide.steps)
        or (layout is Layout.STATISTIC and not slide.statistics)
        or (layout is Layout.IMAGE_TEXT and not has_picture)
    )
    return Layout.BULLETS if missing else layout


# ---------------------------------------------------------------------------------------------------
# The deck

_SECTIONS_EXT = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"
_FIXED_TIME = datetime(2000, 1, 1)


def _clear_slides(prs: Any) -> None:
    """Removes the template's own slides; their parts go with their relationships."""
    id_list = prs.slides._sldIdLst
    for slide_id in list(id_list):
        id_list.remove(slide_id)
        prs.part.drop_rel(slide_id.rId)
    root = prs.part._element
    # Sections and custom shows list slide ids that no longer exist; PowerPoint would repair the file.
    for element in root.findall(qn("p:custShowLst")):
        root.remove(element)
    ext_list = root.find(qn("p:extLst"))
    if ext_list is not None:
        for ext in ext_list.findall(qn("p:ext")):
            if ext.get("uri") == _SECTIONS_EXT:
                ext_list.remove(ext)


def render_with_template(
    deck: Deck, template: bytes, images: Mapping[str, bytes] | None = None
) -> tuple[bytes, list[str]]:
    """The deck drawn with the template's masters and layouts: the .pptx bytes, and warnings.

    Warnings say what the user may want to check: text left to PowerPoint's autofit, tables
    continued on further slides, pictures that could not be used. The same inputs give the same
    bytes. Raises TemplateError as `inspect_template` does.
    """
    prs = _open(template)
    try:
        mapping = _map(prs)
        _clear_slides(prs)
    except TemplateError:
        raise
    except Exception as error:  # python-pptx resolves relationships lazily; a broken one surfaces here
        raise TemplateError(f"{_NOT_POWERPOINT}: {error}") from error
    renderer = _Renderer(prs, mapping, deck, images or {})
    for slide in deck.slides:
        renderer.slide(slide)
    properties = prs.core_properties
    properties.title = deck.title
    properties.subject = deck.subtitle
    properties.author = deck.author or "deckgen"
    properties.last_modified_by = "deckgen"
    properties.keywords = ", ".join(deck.tags)
    properties.language = deck.language
    properties.revision = 1
    properties.created = properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    prs.save(buffer)
    return deterministic(buffer.getvalue()), renderer.warnings
