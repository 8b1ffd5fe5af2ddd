"""An independent overflow checker for .pptx files.

It shares nothing with deckgen.render's measuring code: it reads what the file says (box sizes,
insets, margins, explicit font names and sizes, spacing, the East Asian and complex-script
typefaces of runs), re-wraps every paragraph greedily with Pillow, and reports text taller than
its box. Fonts:

- Calibri, Cambria, Arial and Courier New are measured with the vendored metric-compatible fonts;
- other names with the font fontconfig resolves them to on this machine (what LibreOffice draws
  with), else with Carlito widened by 15 %;
- characters those lack (Japanese, Arabic…) with the run's `a:ea` / `a:cs` typeface as fontconfig
  finds it (other scripts, such as Cyrillic in Cambria, with the font fontconfig picks for them in
  the same family), else 1 em each (0.65 em for Arabic and Hebrew letters); lines holding them are
  as tall as that font's ascent plus descent (1.45 em without one).

Line breaking is at spaces, and between CJK characters except before closing punctuation or small
kana and after opening brackets; a word wider than the line breaks anywhere.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.text.text import _Run
from pptx.util import Emu

__all__ = ["Overflow", "find_overflows"]

FONT_DIR = Path(__file__).resolve().parents[2] / "service" / "deckgen" / "render" / "fonts"
_FAMILIES = {
    "calibri": "Carlito",
    "cambria": "Caladea",
    "arial": "LiberationSans",
    "courier new": "LiberationMono",
}
_LINE = 1.2
_TOLERANCE_PT = 0.5
_UNKNOWN_SCALE = 1.15
_UNKNOWN_LINE = 1.45
_CJK_LANGS = ("ja", "zh", "ko")
_CJK = re.compile(
    r"[\u1100-\u11ff\u2e80-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_NO_LINE_START = set("、。，．：；！？）」』】〕〉》ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々・…")  # noqa: RUF001
_NO_LINE_END = set("（「『【〔〈《")  # noqa: RUF001


@dataclass(frozen=True)
class Overflow:
    slide: int
    shape: str
    text: str
    problem: str


@dataclass(frozen=True)
class _Measure:
    """How one run is measured: its main font (with a width factor) and its script fallbacks."""

    main: Path
    scale: float
    east_asian: Path | None
    complex_script: Path | None


@lru_cache(maxsize=64)
def _fontconfig(pattern: str) -> Path | None:
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{family[0]}|%{file}", pattern], capture_output=True, text=True, timeout=5
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, file = out.partition("|")
    if not file or not Path(file).is_file():
        return None
    requested = pattern.split(":")[0].replace("\\", "")
    # For a family name, only that family; for a language query (":lang=ja"), whatever it picks.
    return Path(file) if not requested or family.lower() == requested.lower() else None


@lru_cache(maxsize=32)
def _any_font_for(name: str, bold: bool) -> Path | None:
    """Whatever fontconfig substitutes for `name`: LibreOffice draws an unknown font with it."""
    escaped = re.sub(r"([\\\-:,=])", r"\\\1", name)
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{escaped}:bold" if bold else escaped],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out.endswith((".ttf", ".otf")) and Path(out).is_file() else None


def _main_font(name: str, bold: bool) -> tuple[Path, float]:
    family = _FAMILIES.get(name.lower())
    if family is not None:
        return FONT_DIR / f"{family}-{'Bold' if bold else 'Regular'}.ttf", 1.0
    substitute = _any_font_for(name, bold)
    if substitute is not None:
        return substitute, 1.0
    return FONT_DIR / f"Carlito-{'Bold' if bold else 'Regular'}.ttf", _UNKNOWN_SCALE


def _script_font(typeface: str | None, language: str, bold: bool) -> Path | None:
    if typeface:
        found = _fontconfig(f"{typeface}:bold" if bold else typeface)
        if found is not None:
            return found
    return _fontconfig(f":lang={language}")


@lru_cache(maxsize=256)
def _pil(path: Path, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


@lru_cache(maxsize=4096)
def _lacks(path: Path, char: str) -> bool:
    """The font draws .notdef for `char` (same advance and same bitmap)."""
    if char.isspace():
        return False
    font = _pil(path, 50.0)

    def drawn(text: str) -> tuple[float, tuple[int, int], bytes]:
        mask = font.getmask(text)
        return font.getlength(text), mask.size, bytes(mask)

    return drawn(char) == drawn("\U0010fffd")


def _fallback_for(char: str, measure: _Measure) -> Path | None:
    if _CJK.match(char):
        return measure.east_asian
    if _RTL.match(char):
        return measure.complex_script
    return _glyph_fallback(measure.main, char)


_BLOCK_FONTS: dict[tuple[Path, int], Path | None] = {}


def _glyph_fallback(main: Path, char: str) -> Path | None:
    """A font with `char` in the style of `main`, as LibreOffice finds one for a missing glyph;
    fontconfig is asked once per 128-character block."""
    key = (main, ord(char) >> 7)
    if key not in _BLOCK_FONTS:
        family = {"Carlito": "Carlito", "Caladea": "Caladea", "LiberationSans": "Liberation Sans"}.get(
            main.stem.split("-")[0], ""
        )
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{file}", f"{family}:charset={ord(char):x}"],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        _BLOCK_FONTS[key] = Path(out) if out and Path(out).is_file() else None
    found = _BLOCK_FONTS[key]
    return found if found is not None and not _lacks(found, char) else None


@lru_cache(maxsize=65536)
def _width(text: str, measure: _Measure, size: float) -> float:
    """Width of `text`: runs of characters the main font has, and runs it lacks, measured apart."""
    if text.isascii():
        return _pil(measure.main, size).getlength(text) * measure.scale
    runs: list[tuple[Path | None, str]] = []
    for char in text:
        font = measure.main if not _lacks(measure.main, char) else _fallback_for(char, measure)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    total = 0.0
    for font, run in runs:
        if font == measure.main:
            total += _pil(font, size).getlength(run) * measure.scale
        elif font is not None and not any(_lacks(font, c) for c in run):
            total += _pil(font, size).getlength(run)
        else:
            # No font here has them: ideographs are square, Arabic and Hebrew letters narrower.
            total += size * sum(0.65 if _RTL.match(c) else 1.0 for c in run)
    return total


def _line_height(line: str, measure: _Measure, size: float, factor: float) -> float:
    height = _LINE * size * factor
    for char in line:
        if not _lacks(measure.main, char):
            continue
        fallback = _fallback_for(char, measure)
        if fallback is not None:
            ascent, descent = _pil(fallback, 1000.0).getmetrics()
            height = max(height, (ascent + descent) / 1000.0 * size * factor)
        else:
            # Drawn with some font we cannot see: CJK and Arabic fonts run 1.4 to 2.1 em a line.
            height = max(height, _UNKNOWN_LINE * size * factor)
    return height


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(piece, glued): pieces between which a line may break; glued pieces follow without a space."""
    tokens: list[tuple[str, bool]] = []
    for word in text.split():
        pieces: list[str] = []
        for char in word:
            breakable = (
                pieces
                and (_CJK.match(char) or _CJK.match(pieces[-1][-1]))
                and char not in _NO_LINE_START
                and pieces[-1][-1] not in _NO_LINE_END
            )
            if breakable or not pieces:
                pieces.append(char)
            else:
                pieces[-1] += char
        tokens += [(piece, index > 0) for index, piece in enumerate(pieces)]
    return tokens


def _lines(text: str, measure: _Measure, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for piece, glued in _tokens(text):
        trial = line + piece if glued else (f"{line} {piece}" if line else piece)
        if _width(trial, measure, size) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        for char in piece:
            if line and _width(line + char, measure, size) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return lines


def _mixed_line_count(pieces: list[tuple[str, _Measure]], size: float, width: float) -> int:
    """Lines a paragraph of differently set runs takes, breaking greedily at spaces."""
    words: list[float] = [0.0]
    for text, measure in pieces:
        for index, part in enumerate(re.split(r"\s+", text)):
            if index:
                words.append(0.0)
            words[-1] += _width(part, measure, size)
    space = max(_width(" ", measure, size) for _, measure in pieces)
    count, line = 1, -1.0
    for word in (w for w in words if w > 0):
        if line >= 0 and line + space + word <= width:
            line += space + word
            continue
        if line >= 0:
            count += 1
        extra = int(word // width) if word > width else 0
        count += extra
        line = word - extra * width
    return count


def _emu_pt(value: Any) -> float:
    return Emu(int(value)).pt


def _measure_of(run: Any, language: str) -> _Measure:
    bold = bool(run.font.bold)
    main, scale = _main_font(run.font.name, bold)
    r_pr = run._r.find(qn("a:rPr"))
    ea = r_pr.find(qn("a:ea")) if r_pr is not None else None
    cs = r_pr.find(qn("a:cs")) if r_pr is not None else None
    lang = (r_pr.get("lang") if r_pr is not None else None) or language
    return _Measure(
        main,
        scale,
        _script_font(
            ea.get("typeface") if ea is not None else None, lang if lang[:2] in _CJK_LANGS else "ja", bold
        ),
        _script_font(cs.get("typeface") if cs is not None else None, "ar", bold),
    )


def _paragraphs_height(text_frame: Any, width_pt: float, where: str, problems: list[str]) -> float:
    total = 0.0
    for paragraph in text_frame.paragraphs:
        fields = [_Run(field, paragraph) for field in paragraph._p.findall(qn("a:fld"))]
        runs = [run for run in (*paragraph.runs, *fields) if run.text]
        if not runs:
            continue
        sizes = [run.font.size for run in runs]
        names = [run.font.name for run in runs]
        if any(size is None for size in sizes) or any(name is None for name in names):
            problems.append(f"{where}: a run without an explicit font size or name")
            continue
        size = max(s.pt for s in sizes)
        measure = _measure_of(runs[0], "en")
        p_pr = paragraph._p.pPr
        margin = _emu_pt(p_pr.get("marL", "0")) if p_pr is not None else 0.0
        spacing = paragraph.line_spacing
        factor = spacing if isinstance(spacing, float) else 1.0
        before = paragraph.space_before.pt if paragraph.space_before is not None else 0.0
        after = paragraph.space_after.pt if paragraph.space_after is not None else 0.0
        text = "".join(run.text for run in runs)
        styles = {(run.font.name, bool(run.font.bold)) for run in runs}
        if len(styles) > 1:
            # Runs in different fonts (bold words, code): each word measured in its runs' fonts.
            pieces = [(run.text, _measure_of(run, "en")) for run in runs]
            count = _mixed_line_count(pieces, size, width_pt - margin)
            tallest = max(_line_height(piece, m, size, factor) for piece, m in pieces)
            height = (
                spacing.pt if spacing is not None and not isinstance(spacing, float) else tallest
            ) * count
        elif spacing is not None and not isinstance(spacing, float):
            height = spacing.pt * len(_lines(text, measure, size, width_pt - margin))
        else:
            lines = _lines(text, measure, size, width_pt - margin)
            height = sum(_line_height(line, measure, size, factor) for line in lines)
        total += before + after + height
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
