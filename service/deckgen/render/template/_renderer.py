"""Drawing a deck on a template: one or more pages per slide, placeholders first, free shapes where
the template has none (see the package for the rules)."""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from pptx.enum.chart import XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from deckgen.domain import Chart, ChartType, Deck, Layout, Slide, Statistic, Step, Table, unquoted
from deckgen.render import _geometry as geo
from deckgen.render._code import add_code_panel, code_lines
from deckgen.render._fonts import font_file, line_height, text_width
from deckgen.render._layout import (
    CENTRE_BELOW,
    MONOSPACE,
    agenda_numbered,
    column_shares,
    effective_layout,
    is_short_list,
    is_statement,
    pad,
    quote_marks,
    row_text_height,
)
from deckgen.render._layout import lines as _lines
from deckgen.render._markdown import plain
from deckgen.render._shared import (
    CHART_TYPES,
    chart_data,
    chart_description,
    crop_to_frame,
    image_size,
    mark_decorative,
    notes_text,
    save_deck,
    start_at_zero,
)
from deckgen.render.template._match import (
    _PICTURE_TYPES,
    _Area,
    _map,
    _Mapping,
    _Rect,
    _rect_of,
    _remove,
    _set_rect,
    _slide_size,
    _Use,
)
from deckgen.render.template._package import NOT_POWERPOINT as _NOT_POWERPOINT
from deckgen.render.template._package import TemplateError
from deckgen.render.template._package import open_template as _open
from deckgen.render.template._styles import (
    _BODY_FLOOR,
    _DEFAULT_INSETS,
    _EMU_PER_POINT,
    _GROW,
    _LEVELS,
    _STATEMENT_GROW,
    _TITLE_FLOOR,
    _column,
    _Fit,
    _fit,
    _Frame,
    _lead,
    _Para,
    _roomy,
    _Styles,
    _text_height,
    _write,
)

__all__ = ["render_with_template"]

_GAP = 0.02
"""Space between a placeholder shrunk to a band and what is drawn beside it, as a slide fraction."""
_CELL_INSETS = (91440, 91440, 45720, 45720)
"""python-pptx's table cell margins (lIns, rIns, tIns, bIns)."""
_FREE_TEXT_MAX = 24.0
_CODE_MAX = 20.0
_CODE_FLOOR = 10.0
_CODE_FILL = "F3F4F6"
_CODE_TEXT = "1F2937"
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
        self.footer = " ".join(plain(deck.footer).split())
        self.numbers = deck.slide_numbers
        self.on_cover = False
        """The page being drawn is the title slide: no footer, no number."""
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

    def fill(self, page: Any, shape: Any, paras: Sequence[_Para], what: str, roomy: bool = False) -> None:
        """`paras` in a placeholder; `roomy` text (a slide's only text) may use the room it has."""
        if shape is None or not paras:
            return
        frame = self.styles.on_slide(page, shape)
        if roomy:
            # The same rules as deckgen's own design (`_plan._content_frame`): a statement is
            # unbulleted and grows further; sparse text that leaves most of the area empty is centred.
            grow = _GROW
            numbered = any(para.numbered for para in paras)
            written = [(para.text, para.level) for para in paras]
            if not numbered and is_statement(written):
                paras = [replace(para, bullet=False, level=0) for para in paras]
                grow = _STATEMENT_GROW
            elif not numbered and is_short_list(written):
                grow = _STATEMENT_GROW
            fit, extra = _roomy(frame, paras, grow)
            _write(shape.text_frame, paras, fit, self.language, (frame, extra))
            sizes = fit.sizes if fit.sizes is not None else tuple(level.size for level in frame.levels)
            used = _text_height(paras, frame, sizes) + extra * (len(paras) - 1)
            if fit.sizes is not None and used < CENTRE_BELOW * frame.height:
                shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        else:
            fit = _fit([(frame, paras)], _BODY_FLOOR)
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
        if not self.on_cover:
            if self.footer:
                self.furniture(page, "ftr", self.footer)
            if self.numbers:
                self.furniture(page, "sldNum", str(len(self.prs.slides)))
        notes = notes_text(slide) if slide is not None else ""
        if notes:
            text_frame = page.notes_slide.notes_text_frame
            if text_frame is None:
                self.warn("the template's notes page has no body placeholder; the speaker notes are left out")
            else:
                text_frame.text = notes

    def furniture(self, page: Any, kind: str, text: str) -> None:
        """The footer or slide number (`kind` "ftr" or "sldNum") in the template's own placeholder,
        copied from the page's layout or else its master (python-pptx copies neither); a small text
        box in the bottom corner when the template has none."""
        path = f"./p:cSld/p:spTree/p:sp[p:nvSpPr/p:nvPr/p:ph[@type='{kind}']]"
        layout = page.slide_layout
        found = layout._element.xpath(path) or layout.slide_master._element.xpath(path)
        if found:
            element = copy.deepcopy(found[0])
            element.nvSpPr.cNvPr.set("id", str(page.shapes._next_shape_id))
            page.shapes._spTree.append(element)
            shape = page.shapes[-1]
            for paragraph in shape.text_frame._txBody.findall(qn("a:p"))[1:]:
                shape.text_frame._txBody.remove(paragraph)
            paragraph = shape.text_frame.paragraphs[0]
            for child in list(paragraph._p):
                if child.tag != qn("a:pPr"):
                    paragraph._p.remove(child)
        else:
            margin = round(0.05 * self.height)
            width = round((0.12 if kind == "sldNum" else 0.6) * self.width)
            x = self.width - margin - width if kind == "sldNum" else margin
            shape = self.textbox(
                page, _Rect(x, self.height - 2 * margin, width, margin * 2 - margin // 2), ""
            )
            shape.name = "Slide Number" if kind == "sldNum" else "Footer"
            paragraph = shape.text_frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.RIGHT if kind == "sldNum" else PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = text
        run._r.get_or_add_rPr().set("lang", self.language)
        if not found:
            run.font.size = Pt(12)
        if kind == "sldNum":
            # A field: PowerPoint renumbers it when slides move.
            run._r.tag = qn("a:fld")
            run._r.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
            run._r.set("type", "slidenum")

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
        layout = effective_layout(slide, picture is not None)
        served = layout in self.mapping.served
        use = self.mapping.uses[layout]
        self.on_cover = self.number == 1 and layout is Layout.TITLE
        rows = code_lines(slide.code) if slide.code is not None else ()
        if rows and layout is Layout.BULLETS:
            self.code(slide, use, rows)
            return
        if rows:
            # Code goes under the slide's text; a layout with more on it gets a page of its own after.
            self.number -= 1
            self.slide(replace(slide, code=None))
            self.number += 1
            self.code(Slide(Layout.BULLETS, slide.title), self.mapping.uses[Layout.BULLETS], rows)
            return
        if layout is Layout.CLOSING and slide.bullets:
            # Takeaways are a list to read, not centred lines in a subtitle's muted style.
            self.text(slide, self.mapping.uses[Layout.BULLETS], _lead(slide))
        elif layout in (Layout.TITLE, Layout.SECTION, Layout.CLOSING):
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
        self.fill(page, self.placeholder(page, use.text), paras, "text", roomy=True)
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
        alt_text = plain(slide.image.alt_text)
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
        crop_to_frame(picture, size, rect.w, rect.h)
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
        self.draw_chart(page, area, chart, slide.title)
        self.finish(page, slide)

    def draw_chart(self, page: Any, rect: _Rect, chart: Chart, context: str) -> None:
        frame = page.shapes.add_chart(
            CHART_TYPES[chart.type], Emu(rect.x), Emu(rect.y), Emu(rect.w), Emu(rect.h), chart_data(chart)
        )
        frame.name = "Chart"
        frame._element.nvGraphicFramePr.cNvPr.set("descr", chart_description(chart, context))
        graph = frame.chart
        start_at_zero(graph, chart)
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
            graph.chart_title.text_frame.text = " ".join(plain(chart.title).split())

    def table(self, slide: Slide, use: _Use, table: Table) -> None:
        width = max(len(table.header), *(len(row) for row in table.rows)) if table.rows else len(table.header)
        header = pad(table.header, width) if table.header else None
        rows = [pad(row, width) for row in table.rows]
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
        widths = [int(share * rect.w) for share in column_shares(cells)]
        widths[-1] += rect.w - sum(widths)
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

    def code(self, slide: Slide, use: _Use, rows: Sequence[str]) -> None:
        page = self.page(use, slide.title)
        area = self.content_area(page, use, _lead(slide))
        first = True
        while True:
            shown = self.draw_code(page, area, rows)
            self.finish(page, slide if first else None)
            rows, first = rows[shown:], False
            if not rows:
                return
            self.warn("the code is too long for one slide and continues on the next")
            page = self.page(use, slide.title)
            shape = self.placeholder(page, use.text)
            area = _rect_of(shape) if shape is not None else self.open_area(page)
            if shape is not None:
                _remove(shape)

    def draw_code(self, page: Any, rect: _Rect, rows: Sequence[str]) -> int:
        """Draws as many of `rows` as fit in `rect` (at least one) on a panel; returns how many.

        The size is the largest from the template's body size down to 10 pt at which every line fits
        unwrapped; at 10 pt the lines that do not fit go on."""
        face = font_file(MONOSPACE)
        pad_x, pad_y = round(geo.CODE_PAD_X * geo.EMU_PER_INCH), round(geo.CODE_PAD_Y * geo.EMU_PER_INCH)
        width_pt = (rect.w - 2 * pad_x) / _EMU_PER_POINT
        height_pt = (rect.h - 2 * pad_y) / _EMU_PER_POINT
        chosen, shown = _CODE_FLOOR, 1
        for size in _descending(min(self.body_size, _CODE_MAX), _CODE_FLOOR):
            chosen = size
            line = line_height(face, size)
            shown = max(1, min(len(rows), int(height_pt // line)))
            if shown == len(rows) and all(text_width(row, face, size) <= width_pt for row in rows):
                break
        if any(text_width(row, face, chosen) > width_pt for row in rows[:shown]):
            self.warn(f"a line of code is wider than the slide at {chosen:g} pt and wraps")
        used = round((shown * line_height(face, chosen) + 1) * _EMU_PER_POINT) + 2 * pad_y
        box = geo.Box(
            rect.x / geo.EMU_PER_INCH,
            rect.y / geo.EMU_PER_INCH,
            rect.w / geo.EMU_PER_INCH,
            min(rect.h, used) / geo.EMU_PER_INCH,
        )
        # A light panel of its own with dark text: readable on any template's background.
        add_code_panel(page.shapes, box, rows[:shown], chosen, _CODE_TEXT, _CODE_FILL)
        return shown

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
        mark_decorative(line)

    def dot(self, page: Any, x: int, y: int, size: int) -> None:
        dot = page.shapes.add_shape(MSO_SHAPE.OVAL, Emu(x), Emu(y), Emu(size), Emu(size))
        dot.name = "Marker"
        mark_decorative(dot)


def _quote(text: str, attribution: str) -> list[_Para]:
    words = " ".join(unquoted(text).split())
    opening, closing = quote_marks(words)
    paras = [_Para(f"{opening}{words}{closing}", bullet=False, italic=True)]
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


def _row_height(cells: tuple[str, ...], widths: Sequence[int], font: str, bold: bool, size: float) -> int:
    usable = [(width - _CELL_INSETS[0] - _CELL_INSETS[1]) / _EMU_PER_POINT for width in widths]
    text = row_text_height(cells, usable, font, bold, size)
    return round(text * _EMU_PER_POINT) + _CELL_INSETS[2] + _CELL_INSETS[3]


def _descending(top: float, floor: float) -> list[float]:
    sizes = [float(size) for size in range(int(top), int(floor) - 1, -1)]
    return sizes or [top]


_SECTIONS_EXT = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"


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
    return save_deck(prs, deck), renderer.warnings
