"""What a rendered .pptx really shows, for accessibility checks: every run of text with its colour,
size and weight and the fill behind it, read back from the file.

Nothing here knows deckgen's text roles: a role the renderer adds later is read like every other
run, so it cannot escape the contrast check. Whatever cannot be read definitely (a run without an
explicit colour or size, a slide without its own background, text over a picture) is a problem,
not a pass.

text_samples(data)    -> (samples, problems)
contrast_problems(data) -> runs below WCAG 2.1 AA, and unreadable ones
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pptx import Presentation
from pptx.enum.dml import MSO_COLOR_TYPE, MSO_FILL
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.text.text import _Run

from deckgen.render._contrast import contrast_ratio

__all__ = ["TextSample", "contrast_problems", "text_samples"]

_AA_NORMAL = 4.5
_AA_LARGE = 3.0


@dataclass(frozen=True)
class TextSample:
    slide: int
    """1-based."""
    shape: str
    text: str
    colour: str
    background: str
    size: float
    bold: bool

    @property
    def large(self) -> bool:
        """WCAG 2.1's large text: at least 18 pt, or 14 pt bold."""
        return self.size >= 18.0 or (self.bold and self.size >= 14.0)

    @property
    def required(self) -> float:
        return _AA_LARGE if self.large else _AA_NORMAL

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.colour, self.background)

    def __str__(self) -> str:
        weight = " bold" if self.bold else ""
        return (
            f"slide {self.slide} {self.shape} {self.text[:40]!r}: {self.colour} on {self.background} "
            f"at {self.size:g}pt{weight} is {self.ratio:.2f}:1, needs {self.required:g}:1"
        )


@dataclass(frozen=True)
class _Fill:
    rect: tuple[int, int, int, int]
    colour: str | None
    """None: not a plain colour (a picture, a gradient): text on it cannot be checked."""
    what: str


def _rect(shape: Any) -> tuple[int, int, int, int]:
    return int(shape.left), int(shape.top), int(shape.left + shape.width), int(shape.top + shape.height)


def _intersects(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


_CLEAR = "clear"
"""A fill that paints nothing: what is behind shows through."""


def _solid(fill: Any) -> str | None:
    """A fill's colour, `_CLEAR` when it paints nothing, None when it is not a plain colour."""
    if fill.type is None or fill.type == MSO_FILL.BACKGROUND:
        return _CLEAR
    if fill.type == MSO_FILL.SOLID and fill.fore_color.type == MSO_COLOR_TYPE.RGB:
        return str(fill.fore_color.rgb)
    return None


def _run_style(run: Any) -> tuple[str | None, float | None, bool]:
    font = run.font
    colour = str(font.color.rgb) if font.color.type == MSO_COLOR_TYPE.RGB else None
    size = font.size.pt if font.size is not None else None
    return colour, size, bool(font.bold)


def _contains(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _behind(rect: tuple[int, int, int, int], below: list[_Fill], page: str) -> list[_Fill]:
    """The fills text in `rect` may be drawn on: the topmost fill that covers all of `rect` (else the
    slide's background), and every fill above that one reaching into `rect`."""
    start = 0
    for index, fill in enumerate(below):
        if _contains(fill.rect, rect):
            start = index
    covering = [fill for fill in below[start:] if _contains(fill.rect, rect)][:1]
    base = covering or [_Fill(rect, page, "slide background")]
    above = below[start + 1 :] if covering else below
    return base + [fill for fill in above if _intersects(fill.rect, rect)]


def _chart_part(element: Any) -> str:
    """The chart element a text style belongs to: title, legend, catAx, valAx…"""
    node = element.getparent()
    while node is not None:
        name = str(node.tag).split("}")[-1]
        if str(node.tag).startswith(
            "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
        ) and name not in (
            "txPr",
            "rich",
            "tx",
        ):
            return name
        node = node.getparent()
    return "chart"


def _chart_texts(chart_space: Any) -> list[tuple[str, str | None, float | None, bool]]:
    """(where, colour, size, bold) of every text style in a chart, chart-level defaults applied."""
    top = chart_space.find(qn("c:txPr"))
    default = top.find(f".//{qn('a:defRPr')}") if top is not None else None

    def colour_of(element: Any) -> str | None:
        found = element.find(f"{qn('a:solidFill')}/{qn('a:srgbClr')}") if element is not None else None
        return found.get("val") if found is not None else None

    def size_of(element: Any) -> float | None:
        value = element.get("sz") if element is not None else None
        return int(value) / 100 if value else None

    base_colour, base_size = colour_of(default), size_of(default)
    base_bold = default is not None and default.get("b") == "1"
    found = [("chart", base_colour, base_size, base_bold)]
    for element in chart_space.iter(qn("a:defRPr"), qn("a:rPr")):
        if element is default:
            continue
        where = _chart_part(element)
        bold = element.get("b") == "1" if element.get("b") is not None else base_bold
        found.append((where, colour_of(element) or base_colour, size_of(element) or base_size, bold))
    return found


def _sample(
    where: tuple[int, str, str],
    style: tuple[str | None, float | None, bool],
    behind: list[_Fill],
    samples: list[TextSample],
    problems: list[str],
) -> None:
    number, shape, text = where
    colour, size, bold = style
    if colour is None or size is None:
        problems.append(f"slide {number} {shape}: text {text[:40]!r} without an explicit colour or size")
        return
    for fill in behind:
        if fill.colour is None:
            problems.append(f"slide {number} {shape}: text {text[:40]!r} drawn over {fill.what}")
        else:
            samples.append(TextSample(number, shape, text, colour, fill.colour, size, bold))


def _runs(text_frame: Any) -> list[Any]:
    """Runs and fields (a slide number is a field): what a paragraph shows."""
    return [
        run
        for paragraph in text_frame.paragraphs
        for run in (*paragraph.runs, *(_Run(f, paragraph) for f in paragraph._p.findall(qn("a:fld"))))
        if run.text.strip()
    ]


def _chart_fill(shape: Any) -> str | None:
    fill = shape.chart._chartSpace.find(f"{qn('c:spPr')}/{qn('a:solidFill')}/{qn('a:srgbClr')}")
    return fill.get("val") if fill is not None else None


def text_samples(data: bytes) -> tuple[list[TextSample], list[str]]:
    """Every run of text in the file on every fill it may be drawn on, and what could not be read."""
    prs = Presentation(io.BytesIO(data))
    samples: list[TextSample] = []
    problems: list[str] = []
    for number, slide in enumerate(prs.slides, start=1):
        page = _solid(slide.background.fill) if slide._element.cSld.bg is not None else None
        if page is None or page == _CLEAR:
            problems.append(f"slide {number}: no plain background colour of its own")
            page = "FFFFFF"
        below: list[_Fill] = []
        for shape in slide.shapes:
            rect = _rect(shape)
            is_picture = shape.shape_type == MSO_SHAPE_TYPE.PICTURE
            has_table = getattr(shape, "has_table", False) and shape.has_table
            has_chart = getattr(shape, "has_chart", False) and shape.has_chart
            own = _solid(shape.fill) if hasattr(shape, "fill") and not is_picture else _CLEAR
            behind = (
                _behind(rect, below, page) if own == _CLEAR else [_Fill(rect, own, f"{shape.name}'s fill")]
            )
            if shape.has_text_frame:
                for run in _runs(shape.text_frame):
                    _sample((number, shape.name, run.text), _run_style(run), behind, samples, problems)
            if has_table:
                for r, row in enumerate(shape.table.rows):
                    for c, cell in enumerate(row.cells):
                        fill = _solid(cell.fill)
                        under = behind if fill == _CLEAR else [_Fill(rect, fill, f"cell {r},{c}'s fill")]
                        for run in _runs(cell.text_frame):
                            where = (number, f"{shape.name} cell {r},{c}", run.text)
                            _sample(where, _run_style(run), under, samples, problems)
            if has_chart:
                fill = _chart_fill(shape)
                under = behind if fill is None else [_Fill(rect, fill, "the chart area")]
                for part, colour, size, bold in _chart_texts(shape.chart._chartSpace):
                    _sample(
                        (number, f"{shape.name} {part}", part), (colour, size, bold), under, samples, problems
                    )
            # What this shape paints becomes the background of the shapes drawn after it.
            if is_picture or has_table:
                below.append(_Fill(rect, None, shape.name))
            elif has_chart:
                below.append(_Fill(rect, _chart_fill(shape), shape.name))
            elif own != _CLEAR:
                below.append(_Fill(rect, own, f"shape {shape.name}"))
    return samples, problems


def contrast_problems(data: bytes) -> list[str]:
    samples, problems = text_samples(data)
    return problems + [str(s) for s in samples if s.ratio < s.required]
