"""What makes a rendered deck presentable, read back from the .pptx (and its PDF) alone.

design_problems(pptx, deck) -> [problem]: empty when
- no run shows a raw Markdown marker (`**`, a backtick, `](`), code runs (monospace) aside: they
  show code as written, `__init__.py` and `**kwargs` included;
- every code panel is set in one monospace font, and its lines are the deck's code lines with
  their indentation;
- every slide but the title slide carries a slide-number field with its number (unless the deck
  turned numbers off) and the deck's footer;
- the text of bullets, columns and subtitles sits in placeholders of the slide's layout.
area_used(pptx, pdf) -> [(slide, words, share)]: how much of the content area under the title each
content slide covers with what it shows (the box around its words in the PDF, charts, tables,
pictures, code panels; title and footer left out), and how many words it shows there.
"""

from __future__ import annotations

import io
import re
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.oxml.ns import qn

from deckgen.domain import Deck, Layout
from deckgen.render._code import code_lines
from deckgen.render._markdown import plain
from tests.render.pdf_text import page_words

__all__ = ["RAW_MARKDOWN", "area_used", "design_problems"]

RAW_MARKDOWN = re.compile(r"\*\*|__\w|`|\]\(")
_MONOSPACE = {"Courier New"}
_IN_PLACEHOLDERS = ("Body", "Left", "Right", "Subtitle")
_EMU_PER_PT = 12700


def _runs(shape: Any) -> list[Any]:
    frames = [shape.text_frame] if shape.has_text_frame else []
    if getattr(shape, "has_table", False) and shape.has_table:
        frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
    return [run for frame in frames for paragraph in frame.paragraphs for run in paragraph.runs]


def _numbers(slide: Any) -> list[str]:
    fields = [
        field
        for shape in slide.placeholders
        if shape.placeholder_format.type == PP_PLACEHOLDER.SLIDE_NUMBER
        for field in shape._element.iter(qn("a:fld"))
        if field.get("type") == "slidenum"
    ]
    return ["".join(t.text or "" for t in field.iter(qn("a:t"))) for field in fields]


def _footers(slide: Any) -> list[str]:
    return [
        shape.text_frame.text
        for shape in slide.placeholders
        if shape.placeholder_format.type == PP_PLACEHOLDER.FOOTER
    ]


def design_problems(pptx: bytes, deck: Deck) -> list[str]:
    prs = Presentation(io.BytesIO(pptx))
    found: list[str] = []
    expected_code = [line for s in deck.slides if s.code is not None for line in code_lines(s.code)]
    drawn_code: list[str] = []
    for number, slide in enumerate(prs.slides, start=1):
        where = f"slide {number}"
        for shape in slide.shapes:
            for run in _runs(shape) if shape.name != "Code" else ():
                if RAW_MARKDOWN.search(run.text) and run.font.name not in _MONOSPACE:
                    found.append(f"{where} {shape.name}: raw Markdown in {run.text[:40]!r}")
            if shape.name == "Code":
                fonts = {run.font.name for run in _runs(shape)}
                if not fonts <= _MONOSPACE:
                    found.append(f"{where}: code set in {sorted(fonts)}")
                drawn_code += [paragraph.text for paragraph in shape.text_frame.paragraphs]
            elif shape.name in _IN_PLACEHOLDERS and not shape.is_placeholder:
                found.append(f"{where}: {shape.name} text in a free text box, not a placeholder")
        cover = number == 1 and deck.slides[0].layout is Layout.TITLE
        numbers, footers = _numbers(slide), _footers(slide)
        if cover:
            if numbers or footers:
                found.append(f"{where}: the title slide has a number or a footer")
            continue
        if deck.slide_numbers and numbers != [str(number)]:
            found.append(f"{where}: slide number {numbers}, expected [{number}]")
        footer = " ".join(plain(deck.footer).split())
        if footer and (len(footers) != 1 or not footer.startswith(footers[0].rstrip("\u2026"))):
            found.append(f"{where}: footer {footers}, expected {footer!r}")
    if drawn_code != expected_code:
        found.append("the code panels do not show the deck's code lines with their indentation")
    return found


def _shape_box(shape: Any) -> tuple[float, float, float, float]:
    return (
        shape.left / _EMU_PER_PT,
        shape.top / _EMU_PER_PT,
        (shape.left + shape.width) / _EMU_PER_PT,
        (shape.top + shape.height) / _EMU_PER_PT,
    )


def area_used(pptx: bytes, pdf: bytes) -> list[tuple[int, int, float]]:
    """(slide number, words shown, share of the content area covered) for every content slide."""
    prs: Any = Presentation(io.BytesIO(pptx))
    pages = page_words(pdf)
    result = []
    height = prs.slide_height / _EMU_PER_PT
    for number, (slide, words) in enumerate(zip(prs.slides, pages, strict=False), start=1):
        if slide.slide_layout.name in ("Title Slide", "Section Header"):
            continue
        title = slide.shapes.title
        top = (title.top + title.height) / _EMU_PER_PT if title is not None else 0.0
        bottom = height - 0.45 * 72
        boxes = [(w.x0, w.y0, w.x1, w.y1) for w in words if w.y0 >= top and w.y1 <= bottom]
        for shape in slide.shapes:
            shown = shape.shape_type == MSO_SHAPE_TYPE.PICTURE and shape.name != "Logo"
            shown = shown or shape.name == "Code" or getattr(shape, "has_chart", False)
            shown = shown or getattr(shape, "has_table", False)
            if shown:
                boxes.append(_shape_box(shape))
        count = len(boxes)
        if not boxes:
            result.append((number, 0, 0.0))
            continue
        left, upper = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, lower = max(b[2] for b in boxes), max(b[3] for b in boxes)
        margin = 0.6 * 72
        content = (prs.slide_width / _EMU_PER_PT - 2 * margin) * (bottom - top)
        result.append((number, count, round((right - left) * (lower - upper) / content, 3)))
    return result
