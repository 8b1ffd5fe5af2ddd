"""The PPTX writer: draws each slide's plan with python-pptx.

Every slide uses the "Title Only" layout of python-pptx's default template so that its title is a
real title placeholder (what screen readers and outlines use), moved to the plan's box; everything
else is drawn as free shapes at the plan's exact positions. Shapes are added in reading order:
title, introduction, the visual (table, chart or picture), text, then decorations and the logo last.

The deck's brand is laid over the theme first (`apply_brand`); slides are fitted, then given unique
titles (continuations "(2/3)", repeats "(2)"). Right-to-left decks are drawn mirrored, their
paragraphs marked rtl; runs with East Asian or complex-script text name a font that has the glyphs.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import replace
from typing import Any, cast

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.parts.slide import NotesMasterPart, NotesSlidePart, SlidePart
from pptx.shapes.shapetree import SlideShapeFactory
from pptx.util import Emu, Inches, Pt

from deckgen.domain import Chart, ChartType, Deck, Layout, Slide, Theme
from deckgen.render import _geometry as geo
from deckgen.render._brand import apply_brand
from deckgen.render._code import add_code_panel
from deckgen.render._contrast import NON_TEXT, adjust_for_contrast, mix, role_colour
from deckgen.render._fit import fit_slide
from deckgen.render._fonts import complex_script_font, east_asian_font, has_cjk, has_complex_script
from deckgen.render._layout import MONOSPACE, effective_layout
from deckgen.render._markdown import Span, link_target, plain
from deckgen.render._plan import (
    Frame,
    Para,
    Plan,
    TablePlan,
    mirror,
    plan_slide,
    text_height,
    title_fits,
)
from deckgen.render._shared import (
    CHART_TYPES,
    KeptParts,
    chart_data,
    chart_description,
    crop_to_frame,
    fixed_body,
    image_size,
    mark_decorative,
    norm,
    notes_text,
    save_deck,
    start_at_zero,
)
from deckgen.render._shared import escape_attribute as _attr

__all__ = ["chart_description", "is_rtl", "render_pptx", "unique_titles"]

_TITLE_ONLY_LAYOUT = 5
_XML_ANCHORS = {"top": "t", "middle": "ctr", "bottom": "b"}
_NO_TABLE_STYLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"


def _rgb(hex_colour: str) -> RGBColor:
    rgb: Any = RGBColor  # unannotated constructor in python-pptx
    return cast("RGBColor", rgb(*(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))))


def _set_box(shape: Any, box: geo.Box) -> None:
    """The shape element's `a:xfrm` as python-pptx's left, top, width and height setters write it,
    without their four searches for the transform."""
    sp_pr = shape.find(qn("p:spPr"))
    xfrm = sp_pr.find(qn("a:xfrm"))
    if xfrm is None:
        xfrm = sp_pr.makeelement(qn("a:xfrm"), {})
        sp_pr.insert(0, xfrm)
    off = xfrm.find(qn("a:off"))
    if off is None:
        off = xfrm.makeelement(qn("a:off"), {})
        xfrm.insert(0, off)
    ext = xfrm.find(qn("a:ext"))
    if ext is None:
        ext = xfrm.makeelement(qn("a:ext"), {})
        off.addnext(ext)
    x, y, cx, cy = box.emu()
    off.set("x", str(x))
    off.set("y", str(y))
    ext.set("cx", str(cx))
    ext.set("cy", str(cy))


def _fill_background(page: Any, colour: str) -> None:
    """A solid background, as python-pptx's `background.fill.solid()` and its colour write it."""
    c_sld = page._element.find(qn("p:cSld"))
    for old in c_sld.findall(qn("p:bg")):
        c_sld.remove(old)
    bg = c_sld.makeelement(qn("p:bg"), {})
    bg_pr = _sub(bg, "p:bgPr")
    _sub(_sub(bg_pr, "a:solidFill"), "a:srgbClr", val=str(_rgb(colour)))
    _sub(bg_pr, "a:effectLst")
    c_sld.insert(0, bg)


_RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "yi", "ps"})


def is_rtl(language: str) -> bool:
    return language.split("-")[0].lower() in _RTL_LANGUAGES


def _sub(parent: Any, tag: str, **attributes: str) -> Any:
    """A child element appended to `parent`; cheaper than python-pptx's OxmlElement."""
    element = parent.makeelement(qn(tag), attributes)
    parent.append(element)
    return element


_XML_ALIGN = {"left": "l", "center": "ctr", "right": "r"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _write_para(
    p: Any,
    para: Para,
    size: float,
    first: bool,
    align: str,
    language: str,
    part: Any = None,
    space: float = 0.35,
) -> None:
    """One styled run in `paragraph`, written as XML directly: python-pptx's property setters cost
    more than the rest of rendering together."""
    for old in p.findall(qn("a:pPr")):
        p.remove(old)
    p_pr = p.makeelement(qn("a:pPr"), {})
    p.insert(0, p_pr)
    if is_rtl(language):
        # Right-to-left scripts read from the right edge: mirror the alignment too.
        p_pr.set("rtl", "1")
        align = {"left": "right", "right": "left"}.get(align, align)
    margin, indent = geo.bullet_indent(para.level) if para.bullet else (0.0, 0.0)
    p_pr.set("marL", str(Inches(margin)))
    p_pr.set("indent", str(Inches(indent)))
    if para.bullet and para.level:
        p_pr.set("lvl", str(para.level))
    p_pr.set("algn", _XML_ALIGN[align])
    has_east_asian = has_cjk(para.text)
    if has_east_asian:
        # Break East Asian text between characters, but never push punctuation past the margin.
        p_pr.set("eaLnBrk", "1")
        p_pr.set("hangingPunct", "0")
    _sub(_sub(p_pr, "a:lnSpc"), "a:spcPct", val="100000")
    before = 0 if first else round(space * size * 100)
    _sub(_sub(p_pr, "a:spcBef"), "a:spcPts", val=str(before))
    _sub(_sub(p_pr, "a:spcAft"), "a:spcPts", val="0")
    if para.bullet:
        _sub(_sub(p_pr, "a:buClr"), "a:srgbClr", val=para.color)
        _sub(p_pr, "a:buFont", typeface="Arial")
        _sub(p_pr, "a:buChar", char="\u2022" if para.level != 1 else "\u2013")
    else:
        _sub(p_pr, "a:buNone")
    for span in para.runs:
        run = _write_run(p, para, span, size, language, has_east_asian, part)
        end = p.find(qn("a:endParaRPr"))
        if end is not None:
            end.addprevious(run)
        else:
            p.append(run)


def _write_run(
    p: Any, para: Para, span: Span, size: float, language: str, east_asian: bool, part: Any
) -> Any:
    run = p.makeelement(qn("a:r"), {})
    r_pr = _sub(run, "a:rPr", lang=language, sz=str(round(size * 100)))
    r_pr.set("b", "1" if para.bold or span.bold else "0")
    r_pr.set("i", "1" if span.italic else "0")
    link = link_target(span.link) if part is not None else ""
    if link:
        # Underlined in the text's own colour: a link colour of the viewer's might not be readable here.
        r_pr.set("u", "sng")
    _sub(_sub(r_pr, "a:solidFill"), "a:srgbClr", val=para.color)
    _sub(r_pr, "a:latin", typeface=MONOSPACE if span.code else para.font)
    # Name fonts that have the glyphs (the ones the fitter measured with), so PowerPoint and
    # LibreOffice do not fall back to boxes or to a font of other widths.
    if east_asian:
        _sub(r_pr, "a:ea", typeface=east_asian_font(language))
    if has_complex_script(span.text):
        _sub(r_pr, "a:cs", typeface=complex_script_font(span.text))
    if link:
        r_id = part.relate_to(link, RT.HYPERLINK, is_external=True)
        _sub(r_pr, "a:hlinkClick", **{qn("r:id"): r_id})
    _sub(run, "a:t").text = _CONTROL.sub("\ufffd", span.text)
    return run


def _write_frame(tx_body: Any, frame: Frame, language: str, part: Any = None) -> None:
    """`frame` drawn in a shape's `p:txBody`."""
    # A plan that does not fit never reaches here (slides are fitted first); the minimum is a fallback.
    size = frame.size if frame.size is not None else frame.min_size
    fixed_body(tx_body, geo.INSET_X, geo.INSET_Y).set("anchor", _XML_ANCHORS[frame.anchor])
    first = tx_body.find(qn("a:p"))
    if first is not None and len(first) == 0 and not first.attrib and all(_as_text(p) for p in frame.paras):
        # Parsed from text at once: building the same paragraphs element by element costs twice.
        paras = "".join(
            _para_xml(para, size, index == 0, frame.align, language, part, frame.space)
            for index, para in enumerate(frame.paras)
        )
        parsed = parse_xml(f"<a:txBody {_NAMESPACES}>{paras}</a:txBody>")
        first.addprevious(parsed[0])
        tx_body.remove(first)
        tx_body.extend(parsed[:])
        return
    for index, para in enumerate(frame.paras):
        p = first if index == 0 and first is not None else _sub(tx_body, "a:p")
        _write_para(p, para, size, index == 0, frame.align, language, part, frame.space)


_NAMESPACES = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _as_text(para: Para) -> bool:
    """`_para_xml` writes this paragraph as `_write_para` would: an empty run's `a:t` would be
    parsed back without its text and written `<a:t/>`, not `<a:t></a:t>`."""
    return all(span.text for span in para.runs)


def _para_xml(
    para: Para, size: float, first: bool, align: str, language: str, part: Any, space: float
) -> str:
    """The `a:p` `_write_para` writes into an empty paragraph, as text: the same elements and
    attributes, in the same order, escaped as lxml escapes them."""
    attributes = ""
    if is_rtl(language):
        attributes = ' rtl="1"'
        align = {"left": "right", "right": "left"}.get(align, align)
    margin, indent = geo.bullet_indent(para.level) if para.bullet else (0.0, 0.0)
    attributes += f' marL="{Inches(margin)}" indent="{Inches(indent)}"'
    if para.bullet and para.level:
        attributes += f' lvl="{para.level}"'
    attributes += f' algn="{_XML_ALIGN[align]}"'
    east_asian = has_cjk(para.text)
    if east_asian:
        attributes += ' eaLnBrk="1" hangingPunct="0"'
    before = 0 if first else round(space * size * 100)
    if para.bullet:
        char = "\u2022" if para.level != 1 else "\u2013"
        bullet = (
            f'<a:buClr><a:srgbClr val="{_attr(para.color)}"/></a:buClr><a:buFont typeface="Arial"/>'
            f'<a:buChar char="{char}"/>'
        )
    else:
        bullet = "<a:buNone/>"
    runs = "".join(_run_xml(para, span, size, language, east_asian, part) for span in para.runs)
    return (
        f'<a:p><a:pPr{attributes}><a:lnSpc><a:spcPct val="100000"/></a:lnSpc>'
        f'<a:spcBef><a:spcPts val="{before}"/></a:spcBef><a:spcAft><a:spcPts val="0"/></a:spcAft>'
        f"{bullet}</a:pPr>{runs}</a:p>"
    )


def _run_xml(para: Para, span: Span, size: float, language: str, east_asian: bool, part: Any) -> str:
    link = link_target(span.link) if part is not None else ""
    bold = "1" if para.bold or span.bold else "0"
    italic = "1" if span.italic else "0"
    xml = f'<a:r><a:rPr lang="{_attr(language)}" sz="{round(size * 100)}" b="{bold}" i="{italic}"'
    if link:
        xml += ' u="sng"'
    font = MONOSPACE if span.code else para.font
    xml += (
        f'><a:solidFill><a:srgbClr val="{_attr(para.color)}"/></a:solidFill>'
        f'<a:latin typeface="{_attr(font)}"/>'
    )
    if east_asian:
        xml += f'<a:ea typeface="{_attr(east_asian_font(language))}"/>'
    if has_complex_script(span.text):
        xml += f'<a:cs typeface="{_attr(complex_script_font(span.text))}"/>'
    if link:
        xml += f'<a:hlinkClick r:id="{_attr(part.relate_to(link, RT.HYPERLINK, is_external=True))}"/>'
    text = _CONTROL.sub("\ufffd", span.text).translate(_ESCAPES)
    return f"{xml}</a:rPr><a:t>{text}</a:t></a:r>"


_ANY_PH = f"*/{qn('p:nvPr')}/{qn('p:ph')}"
_C_NV_PR = f"*/{qn('p:cNvPr')}"


def _text_body(shape: Any) -> Any:
    """A shape element's `p:txBody`, added if it has none (as python-pptx's `text_frame` does)."""
    found = shape.find(qn("p:txBody"))
    return found if found is not None else shape.get_or_add_txBody()


def _add_decoration(shapes: Any, box: geo.Box, colour: str) -> None:
    shape = shapes.add_shape(MSO_SHAPE.RECTANGLE, *(Emu(v) for v in box.emu()))
    shape.name = "Decoration"
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(colour)
    shape.line.fill.background()
    shape.shadow.inherit = False
    mark_decorative(shape)


def _add_table(shapes: Any, plan: TablePlan, theme: Theme, language: str) -> None:
    size = plan.size if plan.size is not None else theme.min_body_size
    rows = (plan.header, *plan.rows)
    x, y, _, _ = plan.box.emu()
    widths = [round(w * geo.EMU_PER_INCH) for w in plan.col_widths]
    heights = [round(h * geo.EMU_PER_INCH) for h in plan.row_heights]
    frame = shapes.add_table(len(rows), len(widths), Emu(x), Emu(y), Emu(sum(widths)), Emu(sum(heights)))
    frame.name = "Table"
    table = frame.table
    table._tbl.tblPr.find(qn("a:tableStyleId")).text = _NO_TABLE_STYLE
    table.first_row = True
    table.horz_banding = True
    for index, width in enumerate(widths):
        table.columns[index].width = Emu(width)
    for index, height in enumerate(heights):
        table.rows[index].height = Emu(height)
    band = role_colour(theme, "table_band")
    if is_rtl(language):
        # Columns run from the right, like the text in them.
        table._tbl.tblPr.set("rtl", "1")
    for r, cells in enumerate(rows):
        header = r == 0
        fill = theme.primary if header else (band if r % 2 == 0 else theme.background)
        colour = theme.background if header else theme.text
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(geo.CELL_INSET_X)
            cell.margin_top = cell.margin_bottom = Inches(geo.CELL_INSET_Y)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
            lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()] or [""]
            text_frame = cell.text_frame
            text_frame.word_wrap = True
            for index, line in enumerate(lines):
                paragraph = text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph()
                para = Para.of(line, "cell", plan.font, header, colour)
                _write_para(paragraph._p, para, size, True, "left", language, shapes.part)


def _palette(theme: Theme) -> list[str]:
    """Series colours, each distinguishable from the background (WCAG 2.1 SC 1.4.11, 3:1)."""
    base = [theme.primary, theme.accent, theme.muted, theme.text]
    colours = base + [mix(colour, theme.background, 0.45) for colour in base]
    return [adjust_for_contrast(colour, theme.background, NON_TEXT) for colour in colours]


def _fill_chart_area(graph: Any, colour: str) -> None:
    """The chart's own background: without one, a renderer may draw white under light labels."""
    chart_space = graph._chartSpace
    sp_pr = parse_xml(
        f'<c:spPr xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>'
    )
    chart_space.find(qn("c:chart")).addnext(sp_pr)


def _add_chart(shapes: Any, box: geo.Box, chart: Chart, theme: Theme, context: str) -> None:
    frame = shapes.add_chart(CHART_TYPES[chart.type], *(Emu(v) for v in box.emu()), chart_data(chart))
    frame.name = "Chart"
    frame._element.xpath("./p:nvGraphicFramePr/p:cNvPr")[0].set("descr", chart_description(chart, context))
    graph = frame.chart
    start_at_zero(graph, chart)
    _fill_chart_area(graph, theme.background)
    graph.font.size = Pt(14)
    graph.font.name = theme.body_font
    graph.font.color.rgb = _rgb(theme.text)
    palette = _palette(theme)
    plot = graph.plots[0]
    if chart.type is ChartType.PIE:
        plot.vary_by_categories = True
        for index, point in enumerate(plot.series[0].points):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(palette[index % len(palette)])
            point.format.line.color.rgb = _rgb(theme.background)
    else:
        plot.vary_by_categories = False
        for index, series in enumerate(plot.series):
            colour = _rgb(palette[index % len(palette)])
            if chart.type is ChartType.LINE:
                series.format.line.color.rgb = colour
                series.format.line.width = Pt(2.5)
                series.smooth = False
                series.marker.format.fill.solid()
                series.marker.format.fill.fore_color.rgb = colour
            else:
                series.format.fill.solid()
                series.format.fill.fore_color.rgb = colour
        grid = _rgb(mix(theme.background, theme.muted, 0.35))
        graph.value_axis.major_gridlines.format.line.color.rgb = grid
        for axis in (graph.value_axis, graph.category_axis):
            axis.format.line.color.rgb = grid
            axis.tick_labels.font.color.rgb = _rgb(theme.text)
    graph.has_legend = chart.type is ChartType.PIE or len(chart.series) > 1
    if graph.has_legend:
        graph.legend.position = XL_LEGEND_POSITION.BOTTOM
        graph.legend.include_in_layout = False
        graph.legend.font.color.rgb = _rgb(theme.text)
    graph.has_title = bool(chart.title.strip())
    if graph.has_title:
        graph.chart_title.text_frame.text = norm(plain(chart.title))
        title_font = graph.chart_title.text_frame.paragraphs[0].runs[0].font
        title_font.size = Pt(18)
        title_font.bold = True
        title_font.name = theme.heading_font
        title_font.color.rgb = _rgb(theme.text)


def _add_picture(shapes: Any, box: geo.Box, data: bytes, size: tuple[int, int], alt_text: str) -> None:
    x, y, cx, cy = box.emu()
    picture = shapes.add_picture(io.BytesIO(data), Emu(x), Emu(y), Emu(cx), Emu(cy))
    picture.name = "Picture"
    crop_to_frame(picture, size, cx, cy)
    picture._element.nvPicPr.cNvPr.set("descr", alt_text)


_CONTINUED = " (cont.)"


def _continues(title: str, base: str) -> bool:
    """`title` is the fitter's title for a continuation of a slide titled `base`."""
    if not title.endswith(_CONTINUED):
        return False
    head = title.removesuffix(_CONTINUED)
    # A title too long to take the suffix was shortened: "Opening words… (cont.)".
    return head == base or (head.endswith("\u2026") and base.startswith(head[:-1]) and len(head) > 1)


def _suffixed(title: str, suffix: str, layout: Layout, theme: Theme) -> str:
    """`title` with `suffix` appended, words coming off its end while the result would not fit."""
    base = title
    candidate = f"{base} {suffix}"
    while not title_fits(candidate, layout, theme) and " " in base:
        base = base.rsplit(" ", 1)[0].rstrip(" \u2026")
        candidate = f"{base}\u2026 {suffix}"
    return candidate


def unique_titles(slides: list[Slide], theme: Theme, fallback: str = "") -> list[Slide]:
    """Slides whose titles are all different (screen readers list slides by title).

    Continuation slides made by fitting ("Title (cont.)") become "Title (2/3)", "Title (3/3)"; a
    title still repeated gets " (2)", " (3)"…; an empty title becomes `fallback` (the deck's title).
    Words come off a title's end where the suffix would not fit its box.
    """
    titles = [norm(slide.title) or norm(fallback) or "Slide" for slide in slides]
    index = 0
    while index < len(titles):
        base = titles[index]
        end = index + 1
        while end < len(titles) and _continues(titles[end], base):
            end += 1
        count = end - index
        for part in range(1, count):
            slide = slides[index + part]
            titles[index + part] = _suffixed(base, f"({part + 1}/{count})", effective_layout(slide), theme)
        if count == 1 and base.endswith(_CONTINUED):
            # A topic begun on a slide it shared with another, going on over several: its first part
            # is that slide ("Model outputs (2/4)", not "Model outputs (cont.) (2)").
            while end < len(titles) and titles[end] == base:
                end += 1
            if end - index > 1:
                head, count = base.removesuffix(_CONTINUED), end - index + 1
                for part in range(index, end):
                    layout = effective_layout(slides[part])
                    titles[part] = _suffixed(head, f"({part - index + 2}/{count})", layout, theme)
        index = end
    seen: set[str] = set()
    # A later slide's own title is not given to an earlier repeat: "Results (2)" stays that slide's.
    taken = {title.casefold() for title in titles}
    result = []
    for slide, title in zip(slides, titles, strict=True):
        number = 1
        unique = title
        while unique.casefold() in seen or (number > 1 and unique.casefold() in taken):
            number += 1
            unique = _suffixed(title, f"({number})", effective_layout(slide), theme)
        seen.add(unique.casefold())
        result.append(slide if unique == slide.title else replace(slide, title=unique))
    return result


def _add_logo(shapes: Any, data: bytes, size: tuple[int, int]) -> None:
    """The logo inside the corner box, right-aligned, its aspect ratio kept."""
    box = geo.LOGO
    scale = min(box.w / size[0], box.h / size[1])
    width, height = size[0] * scale, size[1] * scale
    placed = geo.Box(box.x + box.w - width, box.y + (box.h - height) / 2, width, height)
    picture = shapes.add_picture(io.BytesIO(data), *(Emu(v) for v in placed.emu()))
    picture.name = "Logo"
    picture._element.nvPicPr.cNvPr.set("descr", "Logo")


_FRAME_PLACEHOLDERS = {
    # deckgen layout -> (python-pptx default template layout, {plan frame: placeholder idx})
    Layout.TITLE: (0, {"subtitle": 1}),
    Layout.CLOSING: (0, {"subtitle": 1}),
    Layout.SECTION: (2, {"subtitle": 1}),
    Layout.TWO_COLUMNS: (3, {"left": 1, "right": 2}),
}
_CONTENT_LAYOUT = 1
"""Title and Content: the body text of every other layout goes in its body placeholder."""
_FOOTER_SIZE = 12.0
_FOOTER_MIN_SIZE = 10.0


def _slide_layout(plan: Plan) -> tuple[int, dict[str, int]]:
    """The default template's layout a plan is drawn on, and which frame fills which placeholder:
    real placeholders, so that a user editing the deck finds title, text and columns where
    PowerPoint puts them (outline view, layout reset, accessibility checker)."""
    names = {frame.name for frame in plan.frames}
    if plan.layout in _FRAME_PLACEHOLDERS:
        index, mapping = _FRAME_PLACEHOLDERS[plan.layout]
        if names & set(mapping):
            return index, mapping
    for name in ("body", "lead"):
        if name in names:
            return _CONTENT_LAYOUT, {name: 1}
    return _TITLE_ONLY_LAYOUT, {}


def _bottom_placeholder(page: Any, kind: str, name: str, box: geo.Box) -> Any:
    """A footer or slide-number placeholder (`kind` "ftr" or "sldNum") on `page`, tied to its
    layout's, at `box`: python-pptx does not copy these from the layout."""
    idx = _layout_idx(page.slide_layout, kind)
    ph = f'<p:ph type="{kind}" sz="quarter"' + (f' idx="{idx}"/>' if idx is not None else "/>")
    x, y, cx, cy = box.emu()
    element = parse_xml(
        '<p:sp xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<p:nvSpPr><p:cNvPr id="{page.shapes._next_shape_id}" name="{name}"/>'
        '<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>'
        f"<p:nvPr>{ph}</p:nvPr></p:nvSpPr>"
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm></p:spPr>'
        "<p:txBody><a:bodyPr/><a:lstStyle/><a:p/></p:txBody></p:sp>"
    )
    page.shapes._spTree.append(element)
    return SlideShapeFactory(element, page.shapes)


def _layout_idx(layout: Any, kind: str) -> str | None:
    """The idx of the layout's placeholder of `kind`, which a slide's placeholder inherits from."""
    key = (id(layout.part), kind)
    if key not in _LAYOUT_IDX:
        found = layout._element.xpath(f"./p:cSld/p:spTree/p:sp/p:nvSpPr/p:nvPr/p:ph[@type='{kind}']")
        _LAYOUT_IDX[key] = found[0].get("idx") if found else None
    return _LAYOUT_IDX[key]


_LAYOUT_IDX: dict[tuple[int, str], str | None] = {}


def _add_footer(page: Any, text: str, box: geo.Box, theme: Theme, language: str) -> None:
    shape = _bottom_placeholder(page, "ftr", "Footer", box)
    para = Para.of(" ".join(text.split()), "footer", theme.body_font, False, theme.muted)
    size = next(
        (
            float(points)
            for points in range(int(_FOOTER_SIZE), int(_FOOTER_MIN_SIZE) - 1, -1)
            if text_height((para,), box, points) <= box.inner_height_pt
        ),
        None,
    )
    if size is None:
        # One line at the smallest size: the footer's end gives way, marked by an ellipsis.
        words = para.text.split()
        while len(words) > 1 and text_height((para,), box, _FOOTER_MIN_SIZE) > box.inner_height_pt:
            words.pop()
            para = Para(" ".join(words) + "\u2026", "footer", para.font, False, para.color)
        size = _FOOTER_MIN_SIZE
    _write_frame(
        _text_body(shape._element), Frame("footer", box, (para,), size, size, anchor="middle"), language
    )


def _add_slide_number(page: Any, number: int, box: geo.Box, theme: Theme, language: str) -> None:
    shape = _bottom_placeholder(page, "sldNum", "Slide Number", box)
    para = Para(str(number), "number", theme.body_font, False, theme.muted)
    frame = Frame("number", box, (para,), _FOOTER_SIZE, _FOOTER_SIZE, anchor="middle", align="right")
    _write_frame(_text_body(shape._element), frame, language)
    # A field: PowerPoint renumbers it when slides are moved; the text is what it shows until then.
    run = shape.text_frame.paragraphs[0]._p.find(qn("a:r"))
    run.tag = qn("a:fld")
    run.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
    run.set("type", "slidenum")


class _Pages:
    """New slides, notes pages and repeated shapes of one presentation. python-pptx builds each slide
    from its layout (or the notes master) by parsing a skeleton and cloning placeholder after
    placeholder, and each shape through a dozen property setters; the result is the same for every
    page of a layout and every decoration, footer and slide number but for an id, a position, a
    colour or a text, so the first is kept and later ones are copies of it with those set. New
    slides, notes pages and decorations do not depend on the deck: those are kept for every deck
    of the thread (`_Template`); footers and slide numbers, fitted to the deck's theme, for one deck."""

    def __init__(self, prs: Any, template: _Template) -> None:
        self._prs = prs
        self._template = template
        self._slides = template.slides
        self._notes_count = 0
        self._bottom: dict[tuple[str, str, int], Any] = {}

    def slide(self, layout_index: int) -> Any:
        prs = self._prs
        layout = prs.slide_layouts[layout_index]
        kept = self._slides.get(layout_index)
        if kept is None:
            page = prs.slides.add_slide(layout)
            self._slides[layout_index] = deepcopy(page._element)
            return page
        # What Slides.add_slide does, with the copy in place of a fresh skeleton and its clones.
        presentation_part = prs.part
        slide_part = SlidePart(
            presentation_part._next_slide_partname, CT.PML_SLIDE, presentation_part.package, deepcopy(kept)
        )
        slide_part.relate_to(layout.part, RT.SLIDE_LAYOUT)
        prs.slides._sldIdLst.add_sldId(presentation_part.relate_to(slide_part, RT.SLIDE))
        return slide_part.slide

    def decoration(self, shapes: Any, box: geo.Box, colour: str) -> None:
        """A decoration as `_add_decoration` draws it: after the first, a copy with its own id,
        position and colour."""
        kept = self._template.decoration
        if kept is None:
            _add_decoration(shapes, box, colour)
            self._template.decoration = deepcopy(shapes._spTree[-1])
            return
        shape = deepcopy(kept)
        shape.nvSpPr.cNvPr.set("id", str(shapes._next_shape_id))
        xfrm = shape.spPr.xfrm
        x, y, cx, cy = box.emu()
        xfrm.off.set("x", str(x))
        xfrm.off.set("y", str(y))
        xfrm.ext.set("cx", str(cx))
        xfrm.ext.set("cy", str(cy))
        shape.spPr.find(qn("a:solidFill"))[0].set("val", str(_rgb(colour)))
        shapes._spTree.append(shape)

    def bottom(self, page: Any, layout_index: int, kind: str, text: str, draw: Callable[[], None]) -> None:
        """A footer or slide number showing `text`: `draw` makes the first of its kind on a layout
        (the text fitted, the field marked), later ones are copies with their own id and text."""
        key = (kind, text if kind == "ftr" else "", layout_index)
        kept = self._bottom.get(key)
        if kept is None:
            draw()
            self._bottom[key] = deepcopy(page.shapes._spTree[-1])
            return
        shape = deepcopy(kept)
        shape.nvSpPr.cNvPr.set("id", str(page.shapes._next_shape_id))
        if kind == "sldNum":
            shape.find(f"{qn('p:txBody')}/{qn('a:p')}/{qn('a:fld')}/{qn('a:t')}").text = text
        page.shapes._spTree.append(shape)

    def notes(self, page: Any, text: str) -> None:
        template = self._template
        slide_part = page.part
        package = slide_part.package
        if self._notes_count == 0:
            # What PresentationPart.notes_master_part does for the first notes page, with the
            # template's notes master (and its theme).
            presentation_part = package.presentation_part
            presentation_part.relate_to(template.notes_master, RT.NOTES_MASTER)
            presentation_part.__dict__["notes_master_part"] = template.notes_master
        if template.notes_page is None:
            notes_slide = page.notes_slide
            assert notes_slide.part.partname == "/ppt/notesSlides/notesSlide1.xml"
            template.notes_page = deepcopy(notes_slide._element)
        else:
            # What SlidePart.notes_slide does for a slide without notes, from the copy.
            # python-pptx's next_partname walks every part for the first free number: the template
            # has no notes pages, so the next is one more than those added.
            part = NotesSlidePart(
                PackURI(f"/ppt/notesSlides/notesSlide{self._notes_count + 1}.xml"),
                CT.PML_NOTES_SLIDE,
                package,
                deepcopy(template.notes_page),
            )
            part.relate_to(template.notes_master, RT.NOTES_MASTER)
            part.relate_to(slide_part, RT.SLIDE)
            slide_part.relate_to(part, RT.NOTES_SLIDE)
            notes_slide = part.notes_slide
        self._notes_count += 1
        _write_notes(notes_slide._element, text)


_NOTES_ESCAPED = re.compile(r"[\x00-\x08\x0B-\x1F]")
_PH_PATH = f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}"


def _write_notes(notes_page: Any, text: str) -> None:
    """The notes placeholder's text, as python-pptx's `notes_text_frame.text = text` writes it: a
    paragraph a line, a break for a vertical tab, control characters escaped ("_x0007_")."""
    sp_tree = notes_page.find(qn("p:cSld")).find(qn("p:spTree"))
    bodies = (
        sp.find(qn("p:txBody"))
        for sp in sp_tree.iterchildren(qn("p:sp"))
        if (ph := sp.find(_PH_PATH)) is not None and ph.get("type") == "body"
    )
    tx_body = next(bodies, None)
    if tx_body is None:
        return
    for old in tx_body.findall(qn("a:p")):
        tx_body.remove(old)
    for line in text.split("\n"):
        p = _sub(tx_body, "a:p")
        for index, piece in enumerate(line.split("\v")):
            if index:
                _sub(p, "a:br")
            if piece:
                escaped = _NOTES_ESCAPED.sub(lambda match: f"_x{ord(match.group()):04X}_", piece)
                _sub(_sub(p, "a:r"), "a:t").text = escaped


def _draw(
    pages: _Pages,
    slide: Slide,
    theme: Theme,
    images: Mapping[str, bytes],
    language: str,
    logo: tuple[bytes, tuple[int, int]] | None = None,
    footer: str = "",
    number: int | None = None,
) -> None:
    picture_bytes = images.get(slide.image.uri) if slide.image is not None else None
    picture_size = image_size(picture_bytes)
    plan: Plan = plan_slide(slide, theme, has_image=picture_size is not None)
    if is_rtl(language):
        # Right-to-left decks read from the right: columns, steps and rules are mirrored.
        plan = mirror(plan)
    layout_index, placeholders = _slide_layout(plan)
    page = pages.slide(layout_index)
    _fill_background(page, theme.background)
    shapes = page.shapes
    # The slide's title (the first placeholder of idx 0) and other placeholders by idx, found
    # without python-pptx's shape proxies.
    title: Any = None
    holders: dict[int, Any] = {}
    for element in shapes._spTree.iterchildren():
        ph = element.find(_ANY_PH)
        if ph is None:
            continue
        idx = int(ph.get("idx", "0"))
        if idx == 0 and title is None:
            title = element
        else:
            holders[idx] = element
    _set_box(title, plan.title.box)
    _write_frame(_text_body(title), plan.title, language, page.part)
    used = {placeholders[frame.name] for frame in plan.frames if frame.name in placeholders}
    for idx, element in holders.items():
        if idx not in used:
            # An empty placeholder shows "Click to add text" in PowerPoint.
            element.getparent().remove(element)
    # From here on shapes are only added, each taking its id from `_next_shape_id`: python-pptx can
    # count on from the highest id instead of searching the slide for it for every new shape.
    shapes.turbo_add_enabled = True

    def add_frame(frame: Frame) -> None:
        idx = placeholders.get(frame.name)
        if idx is not None and idx in holders:
            element = holders[idx]
            _set_box(element, frame.box)
        else:
            element = shapes.add_textbox(*(Emu(v) for v in frame.box.emu()))._element
        element.find(_C_NV_PR).set("name", frame.name.capitalize())
        _write_frame(_text_body(element), frame, language, page.part)

    for frame in plan.frames:
        if frame.name == "lead":
            add_frame(frame)
    if plan.table is not None:
        _add_table(shapes, plan.table, theme, language)
    if plan.chart is not None and slide.chart is not None:
        _add_chart(shapes, plan.chart, slide.chart, theme, slide.title)
    if plan.picture is not None and slide.image is not None and picture_bytes and picture_size:
        # A picture is never silent for screen readers: the slide's title when nothing describes it.
        alt_text = norm(plain(slide.image.alt_text)) or f"Picture: {norm(plain(slide.title))}"
        _add_picture(shapes, plan.picture, picture_bytes, picture_size, alt_text)
    for frame in plan.frames:
        if frame.name != "lead":
            add_frame(frame)
    if plan.code is not None:
        code = plan.code
        add_code_panel(shapes, code.box, code.lines, code.size or 12.0, code.color, code.fill)
    for index, box in enumerate(plan.decorations):
        pages.decoration(
            shapes, box, theme.accent if index == 0 else mix(theme.accent, theme.background, 0.2)
        )
    footer_box, number_box = geo.footer_boxes(logo is not None)
    if footer.strip():
        pages.bottom(
            page, layout_index, "ftr", footer, lambda: _add_footer(page, footer, footer_box, theme, language)
        )
    if number is not None:
        shown = number
        pages.bottom(
            page,
            layout_index,
            "sldNum",
            str(shown),
            lambda: _add_slide_number(page, shown, number_box, theme, language),
        )
    if logo is not None:
        _add_logo(shapes, *logo)
    notes = notes_text(slide)
    if notes:
        pages.notes(page, notes)


class _Template:
    """python-pptx's default template, opened once per thread (each thread its own: lxml trees are
    not shared between threads). Opening it parses a dozen parts, and so does a deep copy; but a deck
    only ever changes its presentation and document-properties parts, so a new deck copies those two
    and shares the masters, layouts, themes and the rest with the original, whose serialised and
    deflated bytes (`kept`) are written into every deck. The notes master (and its theme), made
    from python-pptx's default, is shared the same way by the decks with notes."""

    def __init__(self) -> None:
        original = Presentation()
        original.slide_width = Emu(12192000)
        original.slide_height = Emu(6858000)
        self.original = original
        package = original.part.package
        changed = {original.part, package.core_properties.part}
        self.kept = KeptParts()
        self.kept.parts.update(part for part in package.iter_parts() if part not in changed)
        # Made here, not by a deck's first notes page: it would hold on to that deck's package.
        notes_master: Any = NotesMasterPart  # unannotated constructors in python-pptx
        self.notes_master = notes_master.create_default(package)
        self.kept.parts.add(self.notes_master)
        self.kept.parts.update(related.target_part for related in self.notes_master.rels.values())
        self.notes_page: Any = None
        self.slides: dict[int, Any] = {}
        """A new slide of each layout, as python-pptx made it, and a decoration: see `_Pages`."""
        self.decoration: Any = None

    def blank(self) -> Any:
        """A new 16:9 presentation; the original is never drawn on."""
        return deepcopy(self.original, {id(part): part for part in self.kept.parts})


def _count_partnames(package: Any) -> None:
    """python-pptx names each new notes page, chart and workbook by walking every part of the
    package again (13 % of a 20-slide render). Here the names a prefix has taken are looked up once
    per deck and counted on from there; the names are the same: the lowest number past those taken."""
    taken: dict[str, set[str]] = {}

    def next_partname(template: str) -> PackURI:
        prefix = template[: (template % 42).find("42")]
        names = taken.get(prefix)
        if names is None:
            names = taken[prefix] = {
                str(p.partname) for p in package.iter_parts() if p.partname.startswith(prefix)
            }
        number = len(names) + 1
        while template % number in names:
            number += 1
        names.add(template % number)
        return PackURI(template % number)

    package.next_partname = next_partname


_templates = threading.local()


def _template() -> _Template:
    template: _Template | None = getattr(_templates, "template", None)
    if template is None:
        template = _templates.template = _Template()
    return template


def render_pptx(
    deck: Deck, theme: Theme, images: Mapping[str, bytes] | None = None, *, fitted: bool = False
) -> bytes:
    """A complete 16:9 .pptx of `deck`; slides that would overflow are split first, unless `fitted`
    says they already are the fitter's parts (as the pipeline's decks are), which fit as they are."""
    template = _template()
    prs = template.blank()
    _count_partnames(prs.part.package)
    images = images or {}
    # Brand colours and fonts replace the theme's, adjusted where they would be unreadable.
    theme, _ = apply_brand(theme, deck.brand)
    logo_bytes = images.get(deck.brand.logo_uri) if deck.brand is not None and deck.brand.logo_uri else None
    logo_size = image_size(logo_bytes)
    logo = (logo_bytes, logo_size) if logo_bytes and logo_size else None
    slides = list(deck.slides)
    if not fitted:
        slides = [part for slide in slides for part in fit_slide(slide, theme).slides]
    pages = _Pages(prs, template)
    for number, slide in enumerate(unique_titles(slides, theme, deck.title), start=1):
        # The title slide (a title layout opening the deck) carries neither: it is the cover.
        cover = number == 1 and effective_layout(slide) is Layout.TITLE
        footer = "" if cover else deck.footer
        shown = number if deck.slide_numbers and not cover else None
        _draw(pages, slide, theme, images, deck.language or "en", logo, footer, shown)
    return save_deck(prs, deck, template.kept)
