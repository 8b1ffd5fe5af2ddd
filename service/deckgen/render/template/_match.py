"""Matching a template's layouts to deckgen's, by the placeholder types they hold (see the package)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Emu

from deckgen.domain import Layout
from deckgen.render.template._package import NOT_POWERPOINT as _NOT_POWERPOINT
from deckgen.render.template._package import TemplateError
from deckgen.render.template._package import open_template as _open

__all__ = ["TemplateInfo", "inspect_template"]


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


def _rect_of(shape: Any) -> _Rect:
    return _Rect(int(shape.left), int(shape.top), int(shape.width), int(shape.height))


def _set_rect(shape: Any, rect: _Rect) -> None:
    shape.left, shape.top, shape.width, shape.height = Emu(rect.x), Emu(rect.y), Emu(rect.w), Emu(rect.h)


def _remove(shape: Any) -> None:
    element = shape._element
    element.getparent().remove(element)
