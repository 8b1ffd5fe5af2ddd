"""A slide's plan: its boxes, styled paragraphs and the font size each text frame gets.

`plan_slide` is the single source of truth: fitting asks it whether a slide fits, and the PPTX
writer draws exactly what it returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from deckgen.domain import Bullet, CodeBlock, Layout, Slide, Theme, unquoted
from deckgen.render import _geometry as geo
from deckgen.render._code import code_lines
from deckgen.render._contrast import role_colour
from deckgen.render._fonts import breaks_words, font_file, line_height, text_width, wrapped_height
from deckgen.render._layout import (
    CENTRE_BELOW,
    MONOSPACE,
    agenda_numbered,
    column_shares,
    effective_layout,
    is_short_list,
    is_statement,
    lines,
    number_agenda,
    pad,
    quote_marks,
    row_text_height,
    spans_height,
)
from deckgen.render._markdown import Span, plain, spans

__all__ = [
    "CodePlan",
    "Frame",
    "Para",
    "Plan",
    "TablePlan",
    "code_size_range",
    "min_title_size",
    "mirror",
    "plan_slide",
    "text_height",
    "title_fits",
]

COVER_LAYOUTS = (Layout.TITLE, Layout.SECTION, Layout.CLOSING)
_PARA_SPACE = 0.35
"""Space before each paragraph after the first, as a fraction of the font size."""


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    source: str
    """Which slide field the text came from: title, subtitle, body, bullet, heading, quote, attribution."""
    font: str
    bold: bool
    color: str
    level: int = 0
    bullet: bool = False
    spans: tuple[Span, ...] = ()
    """The runs the text is drawn as (inline Markdown applied); `text` is what they show."""

    @classmethod
    def of(
        cls, raw: str, source: str, font: str, bold: bool, color: str, level: int = 0, bullet: bool = False
    ) -> Para:
        """A paragraph of text as written, inline Markdown (`**bold**`, `` `code` ``...) as runs."""
        runs = spans(raw)
        return cls(plain(raw), source, font, bold, color, level, bullet, runs)

    @property
    def runs(self) -> tuple[Span, ...]:
        return self.spans or ((Span(self.text),) if self.text else ())

    def width_pt(self, box: geo.Box) -> float:
        indent = geo.bullet_indent(self.level)[0] * 72.0 if self.bullet else 0.0
        return box.inner_width_pt - indent


@dataclass(frozen=True, slots=True)
class Frame:
    name: str
    box: geo.Box
    paras: tuple[Para, ...]
    size: float | None
    """The chosen size in points, or None when the text does not fit even at the minimum."""
    min_size: float
    anchor: str = "top"
    align: str = "left"
    space: float = _PARA_SPACE
    """Space before each paragraph after the first, as a fraction of the font size."""


@dataclass(frozen=True, slots=True)
class TablePlan:
    box: geo.Box
    col_widths: tuple[float, ...]
    row_heights: tuple[float, ...]
    """Inches, header row first."""
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    size: float | None
    font: str


@dataclass(frozen=True, slots=True)
class CodePlan:
    box: geo.Box
    """The panel; its text is inset by `geo.CODE_PAD_X` and `geo.CODE_PAD_Y`."""
    lines: tuple[str, ...]
    """As written, indentation kept (tabs as four spaces), one paragraph each."""
    size: float | None
    color: str
    fill: str


@dataclass(frozen=True, slots=True)
class Plan:
    layout: Layout
    """The layout actually drawn (a table slide without a table is drawn as bullets)."""
    title: Frame
    frames: tuple[Frame, ...] = ()
    table: TablePlan | None = None
    chart: geo.Box | None = None
    picture: geo.Box | None = None
    decorations: tuple[geo.Box, ...] = ()
    broken_words: bool = False
    """Some word is wider than its box and breaks mid-word (fits, but reads badly)."""
    code: CodePlan | None = None

    @property
    def fits(self) -> bool:
        frames_fit = self.title.size is not None and all(frame.size is not None for frame in self.frames)
        code_fits = self.code is None or self.code.size is not None
        return frames_fit and code_fits and (self.table is None or self.table.size is not None)

    def frame(self, name: str) -> Frame | None:
        return next((frame for frame in self.frames if frame.name == name), None)


def _mirror_box(box: geo.Box) -> geo.Box:
    return geo.Box(round(geo.SLIDE_WIDTH - box.x - box.w, 4), box.y, box.w, box.h)


def mirror(plan: Plan) -> Plan:
    """`plan` reflected left to right, for right-to-left scripts; sizes (and so fitting) unchanged."""
    frames = tuple(replace(frame, box=_mirror_box(frame.box)) for frame in plan.frames)
    return replace(
        plan,
        title=replace(plan.title, box=_mirror_box(plan.title.box)),
        frames=frames,
        table=replace(plan.table, box=_mirror_box(plan.table.box)) if plan.table is not None else None,
        chart=_mirror_box(plan.chart) if plan.chart is not None else None,
        picture=_mirror_box(plan.picture) if plan.picture is not None else None,
        decorations=tuple(_mirror_box(box) for box in plan.decorations),
        code=replace(plan.code, box=_mirror_box(plan.code.box)) if plan.code is not None else None,
    )


def min_title_size(theme: Theme) -> float:
    return min(24.0, theme.title_size)


def _sizes(low: float, high: float) -> range:
    top = math.floor(high)
    return range(top, min(math.ceil(low), top) - 1, -1)


def text_height(paras: tuple[Para, ...], box: geo.Box, size: float, space: float = _PARA_SPACE) -> float:
    total = 0.0
    for index, para in enumerate(paras):
        height = spans_height(para.runs, para.font, para.bold, size, para.width_pt(box))
        total += height + (space * size if index else 0.0)
    return total


def _whole_words(paras: tuple[Para, ...], box: geo.Box, size: float) -> bool:
    """No word of the text is wider than its line (so none breaks mid-word)."""
    return not any(
        breaks_words(para.text, font_file(para.font, para.bold), size, para.width_pt(box)) for para in paras
    )


def _fits_at(frames: Sequence[tuple[geo.Box, tuple[Para, ...]]], size: float, whole: bool = False) -> bool:
    return all(
        text_height(paras, box, size) <= box.inner_height_pt and (not whole or _whole_words(paras, box, size))
        for box, paras in frames
    )


def _choose(
    frames: Sequence[tuple[geo.Box, tuple[Para, ...]]], low: float, high: float, whole: bool = False
) -> float | None:
    """The largest whole-point size in [low, high] at which every frame's text fits its box
    (with `whole`, also without breaking a word)."""
    for size in _sizes(low, high):
        if _fits_at(frames, float(size), whole):
            return float(size)
    return None


def _frame(
    name: str,
    box: geo.Box,
    paras: tuple[Para, ...],
    low: float,
    high: float,
    anchor: str = "top",
    align: str = "left",
) -> Frame:
    size = _choose([(box, paras)], low, high)
    return Frame(name, box, paras, size, math.ceil(min(low, high)), anchor=anchor, align=align)


def grow_size(theme: Theme) -> float:
    """The largest size text of a sparse slide grows to: between the body and the heading sizes."""
    return max(theme.body_size, min(theme.heading_size - 4, theme.body_size * 1.3))


_MAX_SPACE = 1.0
"""Paragraphs of a sparse slide are spread up to a line apart."""


def statement_size(theme: Theme) -> float:
    """The largest size a statement (`is_statement`) grows to: the theme's heading size, a step
    under its titles, so the slide's title still leads."""
    return max(grow_size(theme), min(theme.heading_size, theme.title_size - 4))


def _roomy(
    frames: Sequence[tuple[geo.Box, tuple[Para, ...]]],
    theme: Theme,
    grow: float | None = None,
    roomy: bool = True,
) -> tuple[float | None, float]:
    """A size and a paragraph spacing for frames that may use the room they have: text that fits at
    the body size grows towards `grow` (`grow_size`) and its paragraphs spread, using about half the
    height left over, so a short slide is neither a small block at the top nor stretched to the bottom.
    Not `roomy`, text stays at most at the body size (see `plan_slide`)."""
    low, high = theme.min_body_size, theme.body_size
    size = _choose(frames, low, high)
    if not roomy or size is None or size < math.floor(high):
        return size, _PARA_SPACE
    # Monotone enough to search by halves: only sparse text gets here.
    sizes = list(_sizes(high, grow if grow is not None else grow_size(theme)))
    lo, hi = len(sizes) - 1, 0
    while hi < lo:
        middle = (lo + hi) // 2
        if _fits_at(frames, float(sizes[middle])):
            lo = middle
        else:
            hi = middle + 1
    size = float(sizes[lo])
    spare = min(
        (box.inner_height_pt - text_height(paras, box, size)) / max(len(paras) - 1, 1)
        for box, paras in frames
    )
    space = _PARA_SPACE + max(0.0, min(_MAX_SPACE - _PARA_SPACE, 0.5 * spare / size))
    return size, round(space, 2)


def _roomy_frame(name: str, box: geo.Box, paras: tuple[Para, ...], theme: Theme, roomy: bool) -> Frame:
    size, space = _roomy([(box, paras)], theme, roomy=roomy)
    return Frame(name, box, paras, size, math.ceil(theme.min_body_size), space=space)


def _content_frame(box: geo.Box, paras: tuple[Para, ...], theme: Theme, roomy: bool) -> Frame:
    """A content slide's only text. A lone sentence or two is a statement: unbulleted, up to the
    heading size, as are two or three short items (bulleted). Sparse text, grown and spread, that
    still leaves most of the area empty is centred in it, so the slide has no empty band under a
    small block (the rules in `_layout`)."""
    grow = None
    written = [(para.text, para.level) for para in paras]
    if is_statement(written):
        paras = tuple(replace(para, bullet=False, level=0) for para in paras)
        grow = statement_size(theme)
    elif is_short_list(written):
        grow = statement_size(theme)
    size, space = _roomy([(box, paras)], theme, grow, roomy)
    anchor = "top"
    if size is not None and size > theme.body_size:
        used = text_height(paras, box, size, space)
        anchor = "middle" if used < CENTRE_BELOW * box.inner_height_pt else "top"
    return Frame("body", box, paras, size, math.ceil(theme.min_body_size), anchor=anchor, space=space)


MAX_TIMELINE_STEPS = 8
"""Steps side by side on one slide; longer timelines continue on the next."""
MAX_STATISTICS = 3
_MIN_STEP_SIZE = 14.0
"""Step and big-number labels are bold and never smaller: large text by WCAG's definition."""


def _choose_whole(
    frames: Sequence[tuple[geo.Box, tuple[Para, ...]]], low: float, high: float
) -> tuple[float | None, bool]:
    """A size at which no word breaks if there is one, else any size that fits; and whether words break."""
    whole = _choose(frames, low, high, whole=True)
    if whole is not None:
        return whole, False
    size = _choose(frames, low, high)
    return size, size is not None


def _centring(area: geo.Box, above: float, text_pt: float) -> float:
    """How far down a row of items (`above` inches of line or numbers over text `text_pt` tall)
    moves so that it sits a little above the middle of `area` rather than at its top."""
    used = above + text_pt / 72.0 + 2 * geo.INSET_Y
    return round(max(0.0, (area.h - used) * 0.4), 4)


def _lowered(box: geo.Box, offset: float, keep: bool = False) -> geo.Box:
    """`box` moved down by `offset`: its bottom stays where it was unless it is kept whole (`keep`)."""
    return geo.Box(box.x, round(box.y + offset, 4), box.w, box.h if keep else round(box.h - offset, 4))


def _plan_timeline(slide: Slide, theme: Theme, title: Frame, lead: tuple[Para, ...]) -> Plan:
    frames: list[Frame] = []
    area = geo.CONTENT
    low, high = theme.min_body_size, theme.body_size
    if lead:
        frames.append(_frame("lead", geo.LEAD, lead, low, high))
        area = geo.CONTENT_BELOW_LEAD
    steps = slide.steps[:MAX_TIMELINE_STEPS]
    gap = 0.25
    width = (area.w - gap * (len(steps) - 1)) / len(steps)
    line_y = area.y + geo.TIMELINE_LINE_Y
    boxes = [
        geo.Box(area.x + i * (width + gap), line_y + 0.35, width, area.y + area.h - line_y - 0.35)
        for i in range(len(steps))
    ]
    step_paras = []
    for step in steps:
        paras = []
        if step.label.strip():
            # Labels are bold and at least the minimum size, so "large text" contrast applies to them.
            paras.append(
                Para.of(" ".join(step.label.split()), "label", theme.heading_font, True, theme.primary)
            )
        paras.append(Para.of(" ".join(step.title.split()), "step", theme.body_font, True, theme.text))
        paras += [Para.of(line, "detail", theme.body_font, False, theme.muted) for line in lines(step.detail)]
        step_paras.append(tuple(paras))
    # All steps share one size, so the row reads evenly.
    low = max(low, _MIN_STEP_SIZE)
    # Few short steps grow towards the heading size, as sparse bullets do.
    size, broken = _choose_whole(list(zip(boxes, step_paras, strict=True)), low, max(low, grow_size(theme)))
    if size is not None:
        tallest = max(text_height(paras, box, size) for box, paras in zip(boxes, step_paras, strict=True))
        offset = _centring(area, geo.TIMELINE_LINE_Y + 0.35, tallest)
        line_y += offset
        boxes = [_lowered(box, offset) for box in boxes]
    frames += [
        Frame(f"step{i + 1}", box, paras, size, math.ceil(low))
        for i, (box, paras) in enumerate(zip(boxes, step_paras, strict=True))
    ]
    line = geo.Box(area.x, line_y, area.w, 0.05)
    dots = tuple(geo.Box(box.x + geo.INSET_X, line_y - 0.075, 0.2, 0.2) for box in boxes)
    decorations = (geo.TITLE_RULE, line, *dots)
    return Plan(Layout.TIMELINE, title, tuple(frames), decorations=decorations, broken_words=broken)


def _plan_statistic(slide: Slide, theme: Theme, title: Frame, lead: tuple[Para, ...]) -> Plan:
    frames: list[Frame] = []
    area = geo.CONTENT
    low, high = theme.min_body_size, theme.body_size
    if lead:
        frames.append(_frame("lead", geo.LEAD, lead, low, high))
        area = geo.CONTENT_BELOW_LEAD
    numbers = slide.statistics[:MAX_STATISTICS]
    gap = 0.4
    width = (area.w - gap * (len(numbers) - 1)) / len(numbers)
    value_h = min(2.4, area.h * 0.5)
    values: list[tuple[geo.Box, tuple[Para, ...]]] = []
    labels: list[tuple[geo.Box, tuple[Para, ...]]] = []
    for i, number in enumerate(numbers):
        x = area.x + i * (width + gap)
        values.append(
            (
                geo.Box(x, area.y + 0.2, width, value_h),
                (Para.of(" ".join(number.value.split()), "value", theme.heading_font, True, theme.primary),),
            )
        )
        paras = [Para.of(" ".join(number.label.split()), "label", theme.body_font, True, theme.text)]
        paras += [
            Para.of(line, "context", theme.body_font, False, theme.muted) for line in lines(number.context)
        ]
        labels.append((geo.Box(x, area.y + 0.3 + value_h, width, area.h - value_h - 0.3), tuple(paras)))
    value_size, values_broken = _choose_whole(values, max(theme.heading_size, 28.0), 72.0)
    label_size, labels_broken = _choose_whole(labels, low, grow_size(theme))
    if value_size is not None and label_size is not None:
        tallest = max(text_height(paras, box, label_size) for box, paras in labels)
        offset = _centring(area, 0.3 + value_h, tallest)
        values = [(_lowered(box, offset, keep=True), paras) for box, paras in values]
        labels = [(_lowered(box, offset), paras) for box, paras in labels]
    frames += [
        Frame(
            f"value{i + 1}",
            box,
            paras,
            value_size,
            math.ceil(max(theme.heading_size, 28.0)),
            anchor="bottom",
            align="center",
        )
        for i, (box, paras) in enumerate(values)
    ]
    frames += [
        Frame(f"label{i + 1}", box, paras, label_size, math.ceil(low), align="center")
        for i, (box, paras) in enumerate(labels)
    ]
    broken = values_broken or labels_broken
    return Plan(Layout.STATISTIC, title, tuple(frames), decorations=(geo.TITLE_RULE,), broken_words=broken)


def _body_paras(slide: Slide, theme: Theme) -> list[Para]:
    """Subtitle, body and bullets of a content slide, in reading order."""
    subtitle = [
        Para.of(line, "subtitle", theme.body_font, False, theme.muted) for line in lines(slide.subtitle)
    ]
    body = [Para.of(line, "body", theme.body_font, False, theme.text) for line in lines(slide.body)]
    bullets = [
        Para.of(
            " ".join(b.text.split()),
            "bullet",
            theme.body_font,
            False,
            theme.text,
            max(0, min(b.level, 2)),
            True,
        )
        for b in slide.bullets
    ]
    return subtitle + body + bullets


def _title_para(text: str, theme: Theme) -> Para:
    return Para.of(" ".join(text.split()), "title", theme.heading_font, True, theme.primary)


def _centred(slide: Slide, layout: Layout) -> bool:
    """A closing line ("Thank you") is centred; takeaways are a list, and a centred list is ragged."""
    return layout is Layout.CLOSING and not slide.bullets


def _listed(slide: Slide, layout: Layout) -> bool:
    """Closing takeaways are a list to read: laid out as a content slide's, title on top and the list
    using the body area, rather than squeezed into the cover's subtitle band."""
    return layout is Layout.CLOSING and bool(slide.bullets)


def _title_frame(slide: Slide, layout: Layout, theme: Theme) -> Frame:
    para = (_title_para(slide.title, theme),)
    if layout in COVER_LAYOUTS and not _listed(slide, layout):
        box = geo.cover_boxes(layout is Layout.SECTION).title
        align = "center" if _centred(slide, layout) else "left"
        return _frame(
            "title",
            box,
            para,
            min_title_size(theme) + 4,
            theme.title_size * 1.2,
            anchor="bottom",
            align=align,
        )
    return _frame("title", geo.TITLE, para, min_title_size(theme), theme.title_size, anchor="middle")


def title_fits(text: str, layout: Layout, theme: Theme) -> bool:
    fits = _title_frame(Slide(layout, text), layout, theme).size is not None
    if layout is Layout.CLOSING:
        # With takeaways, a closing title sits where a content slide's does: it must fit there too.
        listed = Slide(layout, text, bullets=(Bullet("-"),))
        fits = fits and _title_frame(listed, layout, theme).size is not None
    return fits


def _plan_cover(slide: Slide, layout: Layout, theme: Theme, title: Frame) -> Plan:
    boxes = geo.cover_boxes(layout is Layout.SECTION)
    paras = tuple(_body_paras(slide, theme))
    align = "center" if _centred(slide, layout) else "left"
    frames = (
        _frame("subtitle", boxes.subtitle, paras, theme.min_body_size, theme.body_size + 4, align=align),
    )
    rule = boxes.rule
    if _centred(slide, layout):
        rule = geo.Box((geo.SLIDE_WIDTH - rule.w) / 2, rule.y, rule.w, rule.h)
    decorations = (rule, geo.SECTION_BAND) if layout is Layout.SECTION else (rule,)
    return Plan(layout, title, frames if paras else (), decorations=decorations)


def _column_paras(slide: Slide, theme: Theme, side: str) -> tuple[Para, ...]:
    column = slide.left if side == "left" else slide.right
    if column is None:
        return ()
    heading = [Para.of(" ".join(column.heading.split()), "heading", theme.body_font, True, theme.primary)]
    inner = Slide(Layout.BULLETS, "", bullets=column.bullets, body=column.body)
    body = _body_paras(inner, theme)
    # Bullets first, then body, as columns read: heading, points, conclusion.
    ordered = [p for p in body if p.bullet] + [p for p in body if not p.bullet]
    return tuple((heading if column.heading.strip() else []) + ordered)


def _row_height(
    cells: tuple[str, ...], widths: tuple[float, ...], font: str, bold: bool, size: float
) -> float:
    usable = [(width - 2 * geo.CELL_INSET_X) * 72.0 for width in widths]
    text = row_text_height(cells, usable, font, bold, size)
    return (text + 2 * geo.CELL_INSET_Y * 72.0) / 72.0


_ROW_AIR = 0.25
_TABLE_FILL = 0.75
"""Rows of a short table grow until the table takes this share of its area's height."""


def plan_table(
    header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], area: geo.Box, theme: Theme
) -> TablePlan:
    width = max(len(header), *(len(row) for row in rows)) if rows else len(header)

    header, rows = pad(header, width), tuple(pad(row, width) for row in rows)
    widths = tuple(round(share * area.w, 4) for share in column_shares((header, *rows)))
    chosen: float | None = None
    heights: tuple[float, ...] = ()
    for size in _sizes(theme.min_body_size, theme.body_size):
        heights = (
            _row_height(header, widths, theme.body_font, True, size),
            *(_row_height(row, widths, theme.body_font, False, size) for row in rows),
        )
        if sum(heights) <= area.h:
            chosen = float(size)
            break
    if chosen is not None:
        # A short table gets airier rows (up to a quarter inch more each), not a band at the top.
        extra = min(_ROW_AIR, (_TABLE_FILL * area.h - sum(heights)) / len(heights))
        if extra > 0:
            heights = tuple(round(height + extra, 4) for height in heights)
    box = geo.Box(area.x, area.y, area.w, min(area.h, sum(heights)))
    return TablePlan(box, widths, heights, header, rows, chosen, theme.body_font)


def plan_slide(slide: Slide, theme: Theme, has_image: bool | None = None, *, roomy: bool = True) -> Plan:
    """Lay `slide` out; `has_image` says whether picture bytes exist (default: it has an image ref).

    Not `roomy`, sparse text is not grown into the room it has: whether the slide fits (`Plan.fits`,
    what fitting asks, many times for a slide it splits) is the same, and a slide of new words is
    planned in about a fifth of the time, most of which growing spends measuring at larger sizes.
    """
    layout = effective_layout(slide)
    title = _title_frame(slide, layout, theme)
    if layout in COVER_LAYOUTS and not _listed(slide, layout):
        return _plan_cover(slide, layout, theme, title)
    rule = (geo.TITLE_RULE,)
    lead_paras = tuple(_body_paras(slide, theme))
    if layout is Layout.CLOSING:
        return Plan(layout, title, (_content_frame(geo.CONTENT, lead_paras, theme, roomy),), decorations=rule)
    low, high = theme.min_body_size, theme.body_size
    if layout is Layout.TIMELINE:
        return _plan_timeline(slide, theme, title, lead_paras)
    if layout is Layout.STATISTIC:
        return _plan_statistic(slide, theme, title, lead_paras)
    if layout is Layout.AGENDA:
        # Numbered in the text itself, so the numbers are measured with the words they precede and
        # a continuation (whose items the fitter numbered, see `number_agenda`) goes on counting.
        if not agenda_numbered(slide.bullets):
            slide = Slide(
                Layout.AGENDA, slide.title, slide.subtitle, number_agenda(slide.bullets), slide.body
            )
        paras = tuple(
            replace(p, source="agenda", bold=False, level=0, bullet=False) if p.bullet and p.level == 0 else p
            for p in _body_paras(slide, theme)
        )
        agenda = _roomy_frame("body", geo.CONTENT, paras, theme, roomy)
        return Plan(Layout.AGENDA, title, (agenda,), decorations=rule)

    if layout in (Layout.TWO_COLUMNS, Layout.TABLE, Layout.QUOTE):
        frames: list[Frame] = []
        area = geo.CONTENT
        if lead_paras:
            frames.append(_frame("lead", geo.LEAD, lead_paras, low, high))
            area = geo.CONTENT_BELOW_LEAD
        if layout is Layout.TWO_COLUMNS:
            left_box, right_box = geo.split_columns(area)
            columns = [
                (name, box, paras)
                for name, box, paras in (
                    ("left", left_box, _column_paras(slide, theme, "left")),
                    ("right", right_box, _column_paras(slide, theme, "right")),
                )
                if paras
            ]
            # Both columns share one size so they read as a pair.
            size, space = _roomy([(box, paras) for _, box, paras in columns], theme, roomy=roomy)
            frames += [
                Frame(name, box, paras, size, math.ceil(low), space=space) for name, box, paras in columns
            ]
            return Plan(layout, title, tuple(frames), decorations=rule)
        if layout is Layout.TABLE:
            assert slide.table is not None
            table = plan_table(slide.table.header, slide.table.rows, area, theme)
            return Plan(layout, title, tuple(frames), table=table, decorations=rule)
        assert slide.quote is not None
        quote_box = geo.Box(area.x + 0.5, area.y, area.w - 1.0, area.h - 0.9)
        quote_text = " ".join(unquoted(slide.quote.text).split())
        opening, closing = quote_marks(quote_text)
        frames.append(
            _frame(
                "quote",
                quote_box,
                (Para.of(f"{opening}{quote_text}{closing}", "quote", theme.heading_font, False, theme.text),),
                low,
                theme.heading_size,
                anchor="middle",
            )
        )
        attribution = " ".join(slide.quote.attribution.split())
        if attribution:
            box = geo.Box(quote_box.x, area.y + area.h - 0.85, quote_box.w, 0.85)
            para = Para.of(f"\u2014 {attribution}", "attribution", theme.body_font, False, theme.muted)
            frames.append(_frame("attribution", box, (para,), low, high, align="right"))
        return Plan(layout, title, tuple(frames), decorations=rule)

    if layout is Layout.CHART:
        if not lead_paras:
            return Plan(layout, title, chart=geo.CONTENT, decorations=rule)
        chart_box, text_box = geo.split_horizontal(geo.CONTENT, 0.62)
        return Plan(
            layout,
            title,
            (_roomy_frame("body", text_box, lead_paras, theme, roomy),),
            chart=chart_box,
            decorations=rule,
        )

    if layout is Layout.IMAGE_TEXT:
        show_picture = slide.image is not None if has_image is None else has_image and slide.image is not None
        if show_picture and not lead_paras:
            # Nothing beside it: the picture gets the whole area (cropped less).
            return Plan(layout, title, (), picture=geo.CONTENT, decorations=rule)
        if show_picture:
            picture_box, text_box = geo.split_horizontal(geo.CONTENT, 0.45)
            frames_ = (_roomy_frame("body", text_box, lead_paras, theme, roomy),) if lead_paras else ()
            return Plan(layout, title, frames_, picture=picture_box, decorations=rule)
        text_box = geo.Box(geo.CONTENT.x + 0.35, geo.CONTENT.y, geo.CONTENT.w - 0.35, geo.CONTENT.h)
        frames_ = (_roomy_frame("body", text_box, lead_paras, theme, roomy),) if lead_paras else ()
        return Plan(layout, title, frames_, decorations=(*rule, geo.SIDE_BAR))

    if slide.code is not None and code_lines(slide.code):
        return _plan_code(slide.code, theme, title, lead_paras)
    frames_ = (_content_frame(geo.CONTENT, lead_paras, theme, roomy),) if lead_paras else ()
    return Plan(Layout.BULLETS, title, frames_, decorations=rule)


def code_size_range(theme: Theme) -> tuple[float, float]:
    """Code is set a little smaller than the body (monospace runs wide), never below 12 pt."""
    return max(12.0, theme.min_body_size - 2), max(12.0, theme.body_size - 2)


def _code_height(rows: tuple[str, ...], size: float, width: float, wrap: bool) -> float | None:
    """Points the lines need inside the panel. Code does not wrap (a wrapped line loses its
    indentation): None when some line is wider than `width`, unless `wrap` allows it as a last resort."""
    face = font_file(MONOSPACE)
    total = 0.0
    for row in rows:
        if text_width(row, face, size) <= width:
            total += line_height(face, size)
        elif not wrap:
            return None
        else:
            # Measured without its indentation, so one line more than the words alone need.
            total += wrapped_height(row, face, size, width) + line_height(face, size)
    return total


def _code_panel(rows: tuple[str, ...], area: geo.Box, size: float, wrap: bool) -> geo.Box | None:
    """The panel for `rows` at `size` at the top of `area`, or None when it does not fit."""
    height = _code_height(rows, size, (area.w - 2 * geo.CODE_PAD_X) * 72.0, wrap)
    if height is None:
        return None
    panel_h = height / 72.0 + 2 * geo.CODE_PAD_Y
    return geo.Box(area.x, area.y, area.w, round(panel_h, 4)) if panel_h <= area.h else None


def _plan_code(code: CodeBlock, theme: Theme, title: Frame, lead: tuple[Para, ...]) -> Plan:
    """The slide's text, then its code on a panel below: as large as both fit, text not smaller."""
    rows = code_lines(code)
    fill = role_colour(theme, "code_panel")
    color = theme.text
    rule = (geo.TITLE_RULE,)
    area = geo.CONTENT
    low, high = theme.min_body_size, theme.body_size
    code_low, code_high = code_size_range(theme)
    sizes = [(float(size), False) for size in _sizes(code_low, code_high)] + [(code_low, True)]
    if not lead:
        for size, wrap in sizes:
            panel = _code_panel(rows, area, size, wrap)
            if panel is not None:
                return Plan(
                    Layout.BULLETS, title, code=CodePlan(panel, rows, size, color, fill), decorations=rule
                )
        return Plan(Layout.BULLETS, title, code=CodePlan(area, rows, None, color, fill), decorations=rule)
    gap = 0.25
    fallback: Plan | None = None
    for size, wrap in sizes:
        probe = _code_panel(rows, area, size, wrap)
        if probe is None:
            continue
        text_area = geo.Box(area.x, area.y, area.w, round(area.h - probe.h - gap, 4))
        if text_area.h < 0.5:
            continue
        text_size = _choose([(text_area, lead)], low, high)
        if text_size is None:
            continue
        # The text box is as tall as its text, and the panel follows it.
        needed = text_height(lead, text_area, text_size) / 72.0 + 2 * geo.INSET_Y
        text_box = geo.Box(area.x, area.y, area.w, round(min(text_area.h, needed + 0.05), 4))
        panel = geo.Box(area.x, round(text_box.y + text_box.h + gap, 4), area.w, probe.h)
        body = Frame("body", text_box, lead, text_size, math.ceil(low))
        plan = Plan(
            Layout.BULLETS, title, (body,), code=CodePlan(panel, rows, size, color, fill), decorations=rule
        )
        if text_size >= size:
            return plan
        fallback = fallback or plan
    if fallback is not None:
        return fallback
    body = _frame("body", area, lead, low, high)
    return Plan(
        Layout.BULLETS, title, (body,), code=CodePlan(area, rows, None, color, fill), decorations=rule
    )
