"""Text measurement with the metrics of the fonts PowerPoint will draw with.

Themes name PowerPoint fonts; each maps to a vendored, metric-compatible open font whose advance
widths are the same, so what fits here fits in PowerPoint and LibreOffice too.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

__all__ = ["FONT_DIR", "font_file", "line_height", "text_width", "wrap"]

FONT_DIR = Path(__file__).parent / "fonts"

_COMPATIBLE = {
    "calibri": "Carlito",
    "calibri light": "Carlito",
    "carlito": "Carlito",
    "cambria": "Caladea",
    "caladea": "Caladea",
    "arial": "LiberationSans",
    "helvetica": "LiberationSans",
    "liberation sans": "LiberationSans",
}
# Unknown fonts are measured as Arial-compatible: it is the widest of the three, so the guess errs
# on the side of smaller text rather than overflow.
_UNKNOWN = "LiberationSans"
_FALLBACK = FONT_DIR / "LiberationSans-Regular.ttf"

WIDTH_SAFETY = 1.03
"""Widths are inflated a little: renderers differ in kerning and sub-pixel positioning."""
_LINE_FACTOR = 1.22
"""PowerPoint's single spacing for Calibri/Arial/Cambria is 1.15-1.22 x the size; take the largest."""


def font_file(name: str, bold: bool = False) -> Path:
    family = _COMPATIBLE.get(name.strip().lower(), _UNKNOWN)
    return FONT_DIR / f"{family}-{'Bold' if bold else 'Regular'}.ttf"


@lru_cache(maxsize=256)
def _font(path: Path, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


@lru_cache(maxsize=16)
def _notdef(path: Path) -> tuple[float, tuple[float, float, float, float]]:
    font = _font(path, 100.0)
    return font.getlength("\U0010fffd"), font.getbbox("\U0010fffd")


@lru_cache(maxsize=8192)
def _missing(path: Path, char: str) -> bool:
    """True when the font has no glyph for `char` (Pillow then measures the .notdef box)."""
    if char.isspace():
        return False
    font = _font(path, 100.0)
    return (font.getlength(char), font.getbbox(char)) == _notdef(path)


@lru_cache(maxsize=8)
def _system_font(language: str) -> Path | None:
    """A font fontconfig picks for `language` (ja, ar…), where installed; None without fontconfig."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", f":lang={language}"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(found) if found else None
    return path if path is not None and path.is_file() else None


def _script_fallbacks(text: str) -> list[Path]:
    fonts = []
    if any(
        "\u3000" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\uff00" <= char <= "\uffef"
        for char in text
    ):
        fonts.append(_system_font("ja"))
    if any("\u0590" <= char <= "\u08ff" or "\ufb1d" <= char <= "\ufeff" for char in text):
        fonts.append(_system_font("ar"))
    return [font for font in fonts if font is not None]


@lru_cache(maxsize=65536)
def text_width(text: str, path: Path, size: float) -> float:
    """Width in points of `text` set in the font file at `size` points, with a safety margin."""
    if not text:
        return 0.0
    width = _font(path, size).getlength(text)
    missing = [char for char in text if _missing(path, char)]
    if missing:
        # PowerPoint substitutes another font for glyphs the named one lacks; measure with the font
        # the system would use for that script, and never count less than a full em per glyph for
        # ideographs (their usual width) when no such font is installed.
        candidates = [_font(_FALLBACK, size).getlength(text)]
        candidates += [_font(font, size).getlength(text) for font in _script_fallbacks(text)]
        estimate = width + sum(size - _font(path, size).getlength(char) for char in missing)
        width = max(width, *candidates, estimate if not _script_fallbacks(text) else 0.0)
    return width * WIDTH_SAFETY


@lru_cache(maxsize=64)
def line_height(path: Path, size: float) -> float:
    ascent, descent = _font(path, 1000.0).getmetrics()
    return size * max(_LINE_FACTOR, 1.05 * (ascent + descent) / 1000.0)


def _break_word(word: str, path: Path, size: float, width: float) -> list[str]:
    """Hyphenless character wrap of a word wider than the line."""
    pieces: list[str] = []
    start = 0
    while start < len(word):
        end = start + 1
        while end < len(word) and text_width(word[start : end + 1], path, size) <= width:
            end += 1
        pieces.append(word[start:end])
        start = end
    return pieces


def wrap(text: str, path: Path, size: float, width: float) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `width` points; at least one line."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, path, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        if text_width(word, path, size) <= width:
            current = word
        else:
            *full, current = _break_word(word, path, size, width)
            lines.extend(full)
    if current or not lines:
        lines.append(current)
    return lines
