"""The template's text styles, read for measuring; fitting text to placeholders; writing it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Pt

from deckgen.domain import Bullet, Column, Slide
from deckgen.render._layout import MONOSPACE, spans_height
from deckgen.render._layout import lines as _lines
from deckgen.render._markdown import Span, link_target, spans
from deckgen.render.template._match import _TITLE_TYPES, _Area, _Rect, _rect_of

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

    @property
    def runs(self) -> tuple[Span, ...]:
        """`text` as runs: inline Markdown applied."""
        return spans(self.text)


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


# ---------------------------------------------------------------------------------------------------
# Fitting text


def _text_height(paras: Sequence[_Para], frame: _Frame, sizes: Sequence[float]) -> float:
    total = 0.0
    for index, para in enumerate(paras):
        style = frame.levels[para.level]
        size = sizes[para.level] * para.scale
        indent = style.margin if para.bullet else 0.0
        runs = para.runs
        if style.caps:
            runs = tuple(replace(run, text=run.text.upper()) for run in runs)
        width = max(frame.width - indent, size)
        total += spans_height(runs, style.font, para.bold or style.bold, size, width) * style.spacing
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


_GROW = 1.3
"""Sparse text grows up to this much above the template's size (deckgen's own design does the same)."""
_GROW_MAX = 32.0
_STATEMENT_GROW = 1.5
"""A statement (`_layout.is_statement`) grows further, towards the heading sizes (at most `_GROW_MAX`)."""
_SPREAD = 0.5
"""Share of the height left over that goes between paragraphs of sparse text, at most a line each."""


def _roomy(frame: _Frame, paras: Sequence[_Para], grow: float = _GROW) -> tuple[_Fit, float]:
    """Sizes and extra points before each paragraph (after the first) for text that may use its room:
    text that fits at the template's sizes grows a step at a time, within the type scale, and its
    paragraphs spread over about half of what is left, so two short bullets are neither a small block
    at the top of an empty placeholder nor stretched to its bottom."""
    jobs = [(frame, paras)]
    base = tuple(level.size for level in frame.levels)
    if not paras or not _fits(jobs, base):
        return _fit(jobs, _BODY_FLOOR), 0.0
    top = base[0]
    best = base
    size = top + 1.0
    while size <= max(top, min(top * grow, _GROW_MAX)):
        candidate = tuple(round(level * size / top * 2) / 2 for level in base)
        if not _fits(jobs, candidate):
            break
        best, size = candidate, size + 1.0
    spare = frame.height - _text_height(paras, frame, best)
    extra = 0.0 if len(paras) < 2 else max(0.0, min(best[0], _SPREAD * spare / (len(paras) - 1)))
    return _Fit(best if best != base else None), round(extra, 1)


# ---------------------------------------------------------------------------------------------------
# Writing


def _child(parent: Any, tag: str, **attributes: str) -> Any:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(name, value)
    parent.append(element)
    return element


def _write(
    text_frame: Any,
    paras: Sequence[_Para],
    fit: _Fit,
    language: str,
    spread: tuple[_Frame, float] | None = None,
) -> None:
    """`paras` into `text_frame` at `fit`; with `spread` (the measured frame and extra points), each
    paragraph after the first gets that much more space before it than its style gives."""
    for index, para in enumerate(paras):
        paragraph = text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph()
        if para.level:
            paragraph.level = para.level
        if index and spread is not None and spread[1] > 0:
            style = spread[0].levels[para.level]
            size = (fit.sizes[para.level] if fit.sizes is not None else style.size) * para.scale
            paragraph.space_before = Pt(round(style.before[0] + style.before[1] * size + spread[1], 1))
        if not para.bullet:
            p_pr = paragraph._p.get_or_add_pPr()
            p_pr.set("marL", "0")
            p_pr.set("indent", "0")
            _child(p_pr, "a:buNone")
        elif para.numbered:
            _child(paragraph._p.get_or_add_pPr(), "a:buAutoNum", type="arabicPeriod")
        if para.align is not None:
            paragraph.alignment = para.align
        for span in para.runs:
            run = paragraph.add_run()
            run.text = span.text
            font = run.font
            if fit.sizes is not None:
                font.size = Pt(round(fit.sizes[para.level] * para.scale, 1))
            if para.bold or span.bold:
                font.bold = True
            if para.italic or span.italic:
                font.italic = True
            if span.code:
                font.name = MONOSPACE
            if para.accent:
                font.color.theme_color = MSO_THEME_COLOR.ACCENT_1
            if link_target(span.link):
                run.hyperlink.address = link_target(span.link)
            run._r.get_or_add_rPr().set("lang", language)
    if fit.scale < 1.0:
        text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        text_frame._txBody.bodyPr.find(qn("a:normAutofit")).set("fontScale", str(round(fit.scale * 100000)))


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
