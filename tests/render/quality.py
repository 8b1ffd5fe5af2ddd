"""Everything a rendered .pptx must satisfy, read back from the file alone (no pytest).

deck_problems(data) -> [problem]: empty when
- no text overflows its box and every shape lies inside the slide (`overflow.find_overflows`);
- no text-bearing shape overlaps another text-bearing shape, a picture, a chart or a table
  (decorations, marked decorative, are exempt);
- every picture and chart has alt text;
- every slide has a title, it comes first in reading order, and no two titles are the same;
- every run of text meets WCAG 2.1 AA contrast on what is behind it (`a11y.contrast_problems`).
"""

from __future__ import annotations

import io
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from tests.render.a11y import contrast_problems
from tests.render.overflow import find_overflows

__all__ = ["deck_problems", "is_decorative", "layout_problems"]

_DECORATIVE_EXT = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"


def is_decorative(shape: Any) -> bool:
    return any(
        ext.get("uri") == _DECORATIVE_EXT for ext in shape._element.xpath("./*[1]/p:cNvPr/a:extLst/a:ext")
    )


def _box(shape: Any) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.left + shape.width, shape.top + shape.height


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _kind(shape: Any) -> str | None:
    """What a shape shows, or None for decorations and empty shapes."""
    if is_decorative(shape):
        return None
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return "chart"
    if getattr(shape, "has_table", False) and shape.has_table:
        return "table"
    if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
        return "picture"
    if shape.has_text_frame and shape.text_frame.text.strip():
        return "text"
    return None


def layout_problems(prs: Any) -> list[str]:
    """Overlaps, alt text, titles and reading order of an opened presentation."""
    found: list[str] = []
    titles: list[str] = []
    for number, slide in enumerate(prs.slides, start=1):
        shapes = list(slide.shapes)
        title = slide.shapes.title
        if title is None or not shapes or shapes[0].shape_id != title.shape_id:
            found.append(f"slide {number}: the title is not first in reading order")
        elif not title.text_frame.text.strip():
            found.append(f"slide {number}: the title is empty")
        else:
            titles.append(" ".join(title.text_frame.text.split()).casefold())
        shown = [(shape, kind) for shape in shapes if (kind := _kind(shape)) is not None]
        for index, (shape, kind) in enumerate(shown):
            if kind in ("picture", "chart"):
                descr = shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr", "")
                if not descr.strip():
                    found.append(f"slide {number}: {kind} {shape.name} has no alt text")
            for other, other_kind in shown[index + 1 :]:
                if "text" in (kind, other_kind) and _overlap(_box(shape), _box(other)):
                    found.append(f"slide {number}: {shape.name} overlaps {other.name}")
    duplicates = sorted({t for t in titles if titles.count(t) > 1})
    if duplicates:
        found.append(f"titles used more than once: {duplicates}")
    return found


def deck_problems(data: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(data))
    found = [f"slide {o.slide + 1} {o.shape}: {o.problem} ({o.text!r})" for o in find_overflows(data)]
    return found + layout_problems(prs) + contrast_problems(data)
