"""An independent overflow checker for .pptx files.

It shares nothing with deckgen.render's measuring code: it reads what the file says (box sizes,
insets, margins, explicit font names and sizes, spacing), re-wraps every paragraph greedily with
Pillow and the vendored metric-compatible fonts, and reports text taller than its box.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont
from pptx import Presentation
from pptx.util import Emu

__all__ = ["Overflow", "find_overflows"]

FONT_DIR = Path(__file__).resolve().parents[2] / "service" / "deckgen" / "render" / "fonts"
_FAMILIES = {"calibri": "Carlito", "cambria": "Caladea", "arial": "LiberationSans"}
_LINE = 1.2
_TOLERANCE_PT = 0.5


@dataclass(frozen=True)
class Overflow:
    slide: int
    shape: str
    text: str
    problem: str


@lru_cache(maxsize=128)
def _font(name: str, bold: bool, size: float) -> ImageFont.FreeTypeFont:
    family = _FAMILIES[name.lower()]
    return ImageFont.truetype(str(FONT_DIR / f"{family}-{'Bold' if bold else 'Regular'}.ttf"), size)


def _count_lines(text: str, font: ImageFont.FreeTypeFont, width: float) -> int:
    lines, line = 0, ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if font.getlength(trial) <= width:
            line = trial
            continue
        if line:
            lines += 1
        line = ""
        for char in word:
            if line and font.getlength(line + char) > width:
                lines += 1
                line = ""
            line += char
    return lines + 1 if line or lines == 0 else lines


def _emu_pt(value: Any) -> float:
    return Emu(int(value)).pt


def _paragraphs_height(text_frame: Any, width_pt: float, where: str, problems: list[str]) -> float:
    total = 0.0
    for paragraph in text_frame.paragraphs:
        runs = [run for run in paragraph.runs if run.text]
        if not runs:
            continue
        sizes = [run.font.size for run in runs]
        names = [run.font.name for run in runs]
        if any(size is None for size in sizes) or any(name is None for name in names):
            problems.append(f"{where}: a run without an explicit font size or name")
            continue
        size = max(s.pt for s in sizes)
        font = _font(names[0], bool(runs[0].font.bold), size)
        p_pr = paragraph._p.pPr
        margin = _emu_pt(p_pr.get("marL", "0")) if p_pr is not None else 0.0
        spacing = paragraph.line_spacing
        factor = spacing if isinstance(spacing, float) else 1.0
        line_height = _LINE * size * factor if isinstance(spacing, float) or spacing is None else spacing.pt
        before = paragraph.space_before.pt if paragraph.space_before is not None else 0.0
        after = paragraph.space_after.pt if paragraph.space_after is not None else 0.0
        text = "".join(run.text for run in paragraph.runs)
        total += before + after + _count_lines(text, font, width_pt - margin) * line_height
    return total


def find_overflows(data: bytes) -> list[Overflow]:
    prs = Presentation(io.BytesIO(data))
    slide_w, slide_h = prs.slide_width, prs.slide_height
    found: list[Overflow] = []
    for index, slide in enumerate(prs.slides):
        for shape in slide.shapes:
            problems: list[str] = []
            if (
                shape.left < 0
                or shape.top < 0
                or shape.left + shape.width > slide_w
                or shape.top + shape.height > slide_h
            ):
                problems.append("outside the slide")
            if shape.has_text_frame and shape.text_frame.text.strip():
                frame = shape.text_frame
                width = _emu_pt(shape.width - frame.margin_left - frame.margin_right)
                height = _emu_pt(shape.height - frame.margin_top - frame.margin_bottom)
                if frame.word_wrap is not True:
                    problems.append("word wrap is off")
                needed = _paragraphs_height(frame, width, shape.name, problems)
                if needed > height + _TOLERANCE_PT:
                    problems.append(f"text needs {needed:.1f}pt, box has {height:.1f}pt")
            if getattr(shape, "has_table", False) and shape.has_table:
                table = shape.table
                total = 0.0
                for r, row in enumerate(table.rows):
                    needed_row = 0.0
                    for c, cell in enumerate(row.cells):
                        width = _emu_pt(table.columns[c].width - cell.margin_left - cell.margin_right)
                        text_h = _paragraphs_height(cell.text_frame, width, f"cell {r},{c}", problems)
                        needed_row = max(needed_row, text_h + _emu_pt(cell.margin_top + cell.margin_bottom))
                    if needed_row > _emu_pt(row.height) + _TOLERANCE_PT:
                        problems.append(f"row {r} needs {needed_row:.1f}pt, has {_emu_pt(row.height):.1f}pt")
                    total += max(needed_row, _emu_pt(row.height))
                if total > _emu_pt(shape.height) + _TOLERANCE_PT:
                    problems.append(f"table needs {total:.1f}pt, frame has {_emu_pt(shape.height):.1f}pt")
            found += [Overflow(index, shape.name, _text_of(shape)[:80], problem) for problem in problems]
    return found


def _text_of(shape: Any) -> str:
    return str(shape.text_frame.text) if shape.has_text_frame else ""
