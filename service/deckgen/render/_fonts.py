"""Text measurement with the metrics of the fonts PowerPoint will draw with.

Themes name PowerPoint fonts; each maps to a vendored, metric-compatible open font whose advance
widths are the same, so what fits here fits in PowerPoint and LibreOffice too. Other names (a
brand's fonts) are measured with the closest vendored font, widened by `UNKNOWN_FONT_SCALE`.

A brand font is installed on the user's machine but rarely on ours: it is measured as the wider of
the vendored font widened by `UNKNOWN_FONT_SCALE` and the font fontconfig substitutes here (which
LibreOffice draws PDFs and previews with).

The vendored fonts have no Japanese, Chinese, Korean, Arabic or Hebrew glyphs. Characters a font
lacks are measured with the font the file names for their script (`east_asian_font`,
`complex_script_font`) when fontconfig finds it, else with whatever fontconfig offers for the
script, else with a conservative estimate per character. Lines holding such characters are as tall
as the fallback font's line.

Line breaking follows what PowerPoint and LibreOffice do, erring towards more lines: words break at
spaces, East Asian text between characters except where Japanese line-breaking rules (kinsoku)
forbid it, and a word wider than the line anywhere.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

__all__ = [
    "FONT_DIR",
    "breaks_words",
    "UNKNOWN_FONT_SCALE",
    "Face",
    "complex_script_font",
    "east_asian_font",
    "font_file",
    "has_cjk",
    "has_complex_script",
    "line_height",
    "text_width",
    "wrap",
    "wrapped_height",
    "wrapped_height_mixed",
]

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
    "courier new": "LiberationMono",
    "courier": "LiberationMono",
    "liberation mono": "LiberationMono",
}
# Words in a font's name that say it has serifs (and whose sans variants say "sans").
_SERIF_HINTS = (
    "serif",
    "times",
    "georgia",
    "garamond",
    "palatino",
    "baskerville",
    "bodoni",
    "didot",
    "caslon",
    "minion",
    "merriweather",
    "playfair",
    "lora",
    "charter",
    "constantia",
    "cochin",
    "schoolbook",
    "antiqua",
    "bookman",
    "rockwell",
    "slab",
    "sabon",
    "perpetua",
    "goudy",
    "roman",
    "mincho",
)

UNKNOWN_FONT_SCALE = 1.15
"""A font we have no metrics for may be this much wider than the vendored one measuring it: enough
for Arial, Helvetica, Roboto, Open Sans / Noto Sans and Georgia next to Carlito or Caladea; not for
very wide designs (Verdana, Montserrat)."""
_UNKNOWN_LINE_FACTOR = 1.36
"""Line height of an unknown font, in ems: as tall as the tallest common UI fonts (Noto Sans)."""

WIDTH_SAFETY = 1.03
"""Widths are inflated a little: renderers differ in kerning and sub-pixel positioning."""
_LINE_FACTOR = 1.22
"""PowerPoint's single spacing for Calibri/Arial/Cambria is 1.15-1.22 x the size; take the largest."""


@dataclass(frozen=True, slots=True)
class Face:
    """A font as the fitter measures it: a vendored file and how much the real font may exceed it."""

    path: str
    """A font file; a string, not a Path, because faces key hot caches and Path hashes slowly."""
    scale: float = 1.0
    """Widths are multiplied by this: 1 for metric-compatible fonts."""
    line_factor: float = _LINE_FACTOR
    """Line height at least this many ems."""
    bold: bool = False
    alternate: str | None = None
    """Another font the text may be drawn with (fontconfig's substitute for an unknown name)."""


def _looks_serif(name: str) -> bool:
    lowered = name.lower()
    return "sans" not in lowered and any(hint in lowered for hint in _SERIF_HINTS)


@lru_cache(maxsize=256)
def font_file(name: str, bold: bool = False) -> Face:
    """How text in the font called `name` is measured."""
    weight = "Bold" if bold else "Regular"
    family = _COMPATIBLE.get(name.strip().lower())
    if family is not None:
        return Face(str(FONT_DIR / f"{family}-{weight}.ttf"), bold=bold)
    # Unknown: the vendored font of the same kind, with room for a wider design and taller lines.
    family = "Caladea" if _looks_serif(name) else "Carlito"
    pattern = _fc_escape(name.strip())
    found = _fc_match(f"{pattern}:bold" if bold else pattern) if pattern else None
    alternate = str(found[1]) if found is not None and found[1].suffix.lower() in (".ttf", ".otf") else None
    path = str(FONT_DIR / f"{family}-{weight}.ttf")
    return Face(path, UNKNOWN_FONT_SCALE, _UNKNOWN_LINE_FACTOR, bold, alternate)


# ---------------------------------------------------------------------------------------------------
# Scripts the vendored fonts do not cover

_CJK_RANGES = (
    ("\u1100", "\u11ff"),  # Hangul Jamo
    ("\u2e80", "\u2fdf"),  # CJK radicals
    ("\u3000", "\u303f"),  # CJK symbols and punctuation
    ("\u3040", "\u30ff"),  # Hiragana, Katakana
    ("\u3100", "\u31ff"),  # Bopomofo, Hangul compatibility, Katakana extensions
    ("\u3200", "\u4dbf"),  # enclosed CJK, CJK extension A
    ("\u4e00", "\u9fff"),  # CJK unified ideographs
    ("\uac00", "\ud7af"),  # Hangul syllables
    ("\uf900", "\ufaff"),  # CJK compatibility ideographs
    ("\ufe30", "\ufe4f"),  # CJK compatibility forms
    ("\uff00", "\uffef"),  # half- and full-width forms
)
_CJK = re.compile("[" + "".join(f"{a}-{b}" for a, b in _CJK_RANGES) + "]")
_ARABIC = re.compile(r"[\u0600-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")

_EAST_ASIAN_FONTS = {
    "ja": "Noto Sans CJK JP",
    "zh": "Noto Sans CJK SC",
    "zh-tw": "Noto Sans CJK TC",
    "zh-hk": "Noto Sans CJK HK",
    "ko": "Noto Sans CJK KR",
}
_FC_LANGUAGE = {"Noto Sans CJK SC": "zh-cn", "Noto Sans CJK TC": "zh-tw", "Noto Sans CJK HK": "zh-hk"}
_ESTIMATE_EM = {"cjk": 1.0, "arabic": 0.65, "hebrew": 0.65, "other": 1.0}
"""Per-character widths when no installed font has the glyph: ideographs are square, and Arabic
and Hebrew letters are narrower than this in every common font."""


_AUTOSPACE_EM = 0.25


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def has_complex_script(text: str) -> bool:
    return _ARABIC.search(text) is not None or _HEBREW.search(text) is not None


def east_asian_font(language: str) -> str:
    """The East Asian typeface named for runs with CJK characters, by the deck's language."""
    tag = language.strip().lower().replace("_", "-")
    return _EAST_ASIAN_FONTS.get(tag) or _EAST_ASIAN_FONTS.get(tag.split("-")[0]) or _EAST_ASIAN_FONTS["ja"]


def complex_script_font(text: str) -> str:
    """The complex-script typeface named for runs of right-to-left text."""
    return "Noto Sans Hebrew" if _HEBREW.search(text) and not _ARABIC.search(text) else "Noto Sans Arabic"


def _script(char: str) -> str:
    if _CJK.match(char):
        return "cjk"
    if _ARABIC.match(char):
        return "arabic"
    if _HEBREW.match(char):
        return "hebrew"
    return "other"


def _fc_escape(name: str) -> str:
    """`name` as a fontconfig pattern family: its syntax characters escaped."""
    return re.sub(r"([\\\-:,=])", r"\\\1", name)


@lru_cache(maxsize=64)
def _fc_match(pattern: str) -> tuple[str, Path] | None:
    """(family, file) fontconfig picks for `pattern`; None without fontconfig or a readable file."""
    if any(ord(char) < 32 or ord(char) == 127 for char in pattern):
        return None  # a name from a file we did not check; an argument cannot hold a NUL anyway
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family[0]}|%{file}", pattern], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, file = found.partition("|")
    path = Path(file) if file else None
    return (family, path) if path is not None and path.is_file() else None


def _installed(family: str, bold: bool) -> str | None:
    """The file of `family` when it is installed (fontconfig substitutes silently; refuse that)."""
    found = _fc_match(f"{family}:bold" if bold else family)
    return str(found[1]) if found is not None and found[0].lower() == family.lower() else None


@lru_cache(maxsize=16)
def _fallbacks(script: str, bold: bool) -> tuple[str, ...]:
    """Installed fonts to measure `script` with, best first: the family the file names, then any
    font fontconfig offers for the language."""
    if script == "cjk":
        named = list(dict.fromkeys(_EAST_ASIAN_FONTS.values()))
        languages = ["ja", "zh-cn", "ko"]
    elif script == "arabic":
        named, languages = ["Noto Sans Arabic"], ["ar"]
    elif script == "hebrew":
        named, languages = ["Noto Sans Hebrew"], ["he"]
    else:
        return ()
    paths = [_installed(family, bold) for family in named]
    for language in languages:
        found = _fc_match(f":lang={language}:bold" if bold else f":lang={language}")
        paths.append(str(found[1]) if found is not None else None)
    return tuple(dict.fromkeys(path for path in paths if path is not None))


@lru_cache(maxsize=512)
def _font(path: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _glyph(path: str, char: str) -> tuple[float, tuple[int, int], bytes]:
    """What the font draws for `char`: its advance and its bitmap at a fixed size."""
    font = _font(path, 50.0)
    mask = font.getmask(char)
    return font.getlength(char), mask.size, bytes(mask)


@lru_cache(maxsize=32)
def _notdef(path: str) -> tuple[float, tuple[int, int], bytes]:
    return _glyph(path, "\U0010fffd")


@lru_cache(maxsize=16384)
def _missing(path: str, char: str) -> bool:
    """True when the font has no glyph for `char`: Pillow then draws the .notdef box. Bitmaps are
    compared, not just sizes: some digits are as wide and tall as .notdef."""
    if char.isspace() or not char.isprintable():
        return False
    return _glyph(path, char) == _notdef(path)


_VENDORED_FAMILIES = {"Carlito": "Carlito", "Caladea": "Caladea", "LiberationSans": "Liberation Sans"}
_BLOCK_FALLBACKS: dict[tuple[str, bool, int], str | None] = {}


def _block_fallback(path: str, bold: bool, char: str) -> str | None:
    """The font fontconfig substitutes for `char` in the face's family (as LibreOffice does for a
    missing glyph), looked up once per 128-character block: Caladea has no Cyrillic or Greek."""
    key = (path, bold, ord(char) >> 7)
    if key not in _BLOCK_FALLBACKS:
        family = _VENDORED_FAMILIES.get(Path(path).stem.split("-")[0], "")
        found = _fc_match(f"{family}:charset={ord(char):x}{':bold' if bold else ''}")
        usable = found is not None and found[1].suffix.lower() in (".ttf", ".otf", ".ttc")
        _BLOCK_FALLBACKS[key] = str(found[1]) if found is not None and usable else None
    font = _BLOCK_FALLBACKS[key]
    return font if font is not None and not _missing(font, char) else None


@lru_cache(maxsize=16384)
def _measured_by(path: str, bold: bool, char: str) -> str | None:
    """The font `char` is measured with: the face's own, a fallback that has it, or None (estimate)."""
    if not _missing(path, char):
        return path
    script = _script(char)
    if script == "other":
        return _block_fallback(path, bold, char)
    return next((font for font in _fallbacks(script, bold) if not _missing(font, char)), None)


def _segments(text: str, face: Face) -> list[tuple[str | None, str]]:
    """`text` cut into runs measured with one font each (None: estimated per character)."""
    segments: list[tuple[str | None, str]] = []
    for char in text:
        font = _measured_by(face.path, face.bold, char)
        if segments and segments[-1][0] == font:
            segments[-1] = (font, segments[-1][1] + char)
        else:
            segments.append((font, char))
    return segments


@lru_cache(maxsize=131072)
def text_width(text: str, face: Face, size: float) -> float:
    """Width in points of `text` set in `face` at `size` points, with a safety margin."""
    if not text:
        return 0.0
    if text.isascii():
        # The common case, and every vendored font covers ASCII.
        return _primary_width(text, face, size) * WIDTH_SAFETY
    width = 0.0
    segments = _segments(text, face)
    for index, (font, run) in enumerate(segments):
        previous = segments[index - 1][1][-1] if index else ""
        if previous and not previous.isspace() and has_cjk(run[0]) != has_cjk(previous):
            # LibreOffice puts a little space between East Asian and Western text (autospace).
            width += _AUTOSPACE_EM * size
        if font is None:
            width += sum(_ESTIMATE_EM[_script(char)] for char in run) * size
        elif font == face.path:
            width += _primary_width(run, face, size)
        else:
            # A fallback font's widths are its own: the brand font's margin does not apply.
            width += _em_length(font, run) * size
    return width * WIDTH_SAFETY


def _primary_width(run: str, face: Face, size: float) -> float:
    width = _em_length(face.path, run) * size * face.scale
    if face.alternate is not None and not any(_missing(face.alternate, char) for char in run):
        width = max(width, _em_length(face.alternate, run) * size)
    return width


# Text is laid out unhinted (raqm), so its width grows with the size in proportion, within 0.1 %:
# each run is measured once, at this size, whatever sizes fitting and growing a slide then try.
_EM_SIZE = 1000.0


@lru_cache(maxsize=131072)
def _em_length(path: str, run: str) -> float:
    """Width of `run` set in the font at `path`, in ems."""
    return _font(path, _EM_SIZE).getlength(run) / _EM_SIZE


@lru_cache(maxsize=256)
def _em_height(path: str) -> float:
    ascent, descent = _font(path, 1000.0).getmetrics()
    return (ascent + descent) / 1000.0


def line_height(face: Face, size: float, text: str = "") -> float:
    """Height in points of one line of `text` in `face`: the tallest font on the line decides."""
    ems = max(face.line_factor, 1.05 * _em_height(face.path))
    if face.alternate is not None:
        ems = max(ems, 1.05 * _em_height(face.alternate))
    if text and not text.isascii():
        for font, _ in _segments(text, face):
            if font is not None and font != face.path:
                ems = max(ems, 1.05 * _em_height(font))
            elif font is None:
                # No installed font: as tall as the CJK and Arabic fonts we know (1.45 em and more).
                ems = max(ems, 1.55)
    return size * ems


# ---------------------------------------------------------------------------------------------------
# Line breaking

# Written out as characters (not escapes) so the lists can be read; ruff flags look-alikes.
_NO_START = frozenset(
    "、。，．,.:;：；!?！？)]}）］｝〕〉》」』】〙〗〟’”｠»"  # noqa: RUF001
    "ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻‐゠–〜～"  # noqa: RUF001
    "?!‼⁇⁈⁉・:;/…‥"
)
"""Characters a Japanese line may not start with (kinsoku), roughly JIS X 4051's list."""
_NO_END = frozenset("([{（［｛〔〈《「『【〘〖〝‘“｟«")  # noqa: RUF001
"""Characters a Japanese line may not end with."""


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    space_before: bool


def _pieces(word: str) -> list[str]:
    """A space-free word cut where East Asian text may break: between CJK characters.

    Latin text stays glued to the CJK characters around it (renderers differ about breaking there;
    not breaking errs towards more lines), and kinsoku characters stay with their neighbour.
    """
    if not has_cjk(word):
        return [word]
    pieces: list[str] = []
    for char in word:
        glue = bool(pieces) and (
            char in _NO_START
            or pieces[-1][-1] in _NO_END
            or not _CJK.match(char)
            or not _CJK.match(pieces[-1][-1])
        )
        if glue:
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


@lru_cache(maxsize=16384)
def _units(text: str) -> tuple[_Unit, ...]:
    if not has_cjk(text):
        return tuple(_Unit(word, index > 0) for index, word in enumerate(text.split()))
    units: list[_Unit] = []
    for index, word in enumerate(text.split()):
        units += [_Unit(piece, index > 0 and n == 0) for n, piece in enumerate(_pieces(word))]
    return tuple(units)


def _break_word(word: str, face: Face, size: float, width: float) -> list[str]:
    """Character wrap of a word wider than the line, as renderers do for unbreakable text."""
    pieces: list[str] = []
    start = 0
    while start < len(word):
        end = start + 1
        while end < len(word) and text_width(word[start : end + 1], face, size) <= width:
            end += 1
        pieces.append(word[start:end])
        start = end
    return pieces


@lru_cache(maxsize=65536)
def wrapped_height(text: str, face: Face, size: float, width: float) -> float:
    """Height in points of `text` wrapped to `width` (see `wrap`, `line_height`)."""
    return sum(line_height(face, size, line) for line in _wrap(text, face, size, width))


@lru_cache(maxsize=16384)
def wrapped_height_mixed(pieces: tuple[tuple[str, Face], ...], size: float, width: float) -> float:
    """Height in points of one paragraph whose runs are set in different faces (bold words, code),
    wrapped greedily at spaces; each line as tall as the tallest face on it."""
    faces = {face for _, face in pieces}
    text = "".join(chunk for chunk, _ in pieces)
    if len(faces) == 1:
        return wrapped_height(text, pieces[0][1], size, width)
    if has_cjk(text):
        # East Asian breaking rules are the single-face wrapper's; measure all in the widest face.
        widest = max(faces, key=lambda face: text_width(text, face, size))
        return wrapped_height(text, widest, size, width)
    words: list[list[tuple[str, Face]]] = [[]]
    for chunk, face in pieces:
        for part in re.split(r"(\s+)", chunk):
            if part.isspace():
                words.append([])
            elif part:
                words[-1].append((part, face))
    space = max(text_width(" ", face, size) for face in faces)
    heights: list[float] = []
    line_width, line_faces = 0.0, set[Face]()
    for word in (word for word in words if word):
        word_width = sum(text_width(part, face, size) for part, face in word)
        word_faces = {face for _, face in word}
        if line_faces and line_width + space + word_width <= width:
            line_width += space + word_width
            line_faces |= word_faces
            continue
        if line_faces:
            heights.append(max(line_height(face, size) for face in line_faces))
        # A word wider than the line breaks anywhere: the lines it fills, then its rest.
        full = int(word_width // width) if word_width > width else 0
        heights += [max(line_height(face, size) for face in word_faces)] * full
        line_width, line_faces = word_width - full * width, word_faces
    heights.append(max(line_height(face, size) for face in line_faces or faces))
    return sum(heights)


def breaks_words(text: str, face: Face, size: float, width: float) -> bool:
    """True when some word of `text` is wider than `width` and must break mid-word."""
    return any(text_width(unit.text, face, size) > width for unit in _units(text))


def wrap(text: str, face: Face, size: float, width: float) -> list[str]:
    """Greedy line breaking of `text` into lines no wider than `width` points; at least one line."""
    return list(_wrap(text, face, size, width))


# A line with one more word is about as wide as the line plus the word after a space: kerning and
# shaping around the space move it by less than a tenth of an em in our fonts. Only a line that
# close to the limit needs measuring whole, which costs in proportion to its length.
_NEAR_EM = 0.5


@lru_cache(maxsize=65536)
def _wrap(text: str, face: Face, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    current = ""
    current_width = 0.0
    near = width - _NEAR_EM * size
    # Measuring every word with its line was most of a slide's fitting when its words were new. A
    # face with an alternate is as wide as the wider of two fonts, which does not add up by words.
    additive = face.alternate is None
    for unit in _units(text):
        spaced = bool(current) and unit.space_before
        candidate = f"{current} {unit.text}" if spaced else current + unit.text
        estimate = (
            current_width + text_width(f" {unit.text}", face, size)
            if additive and spaced and candidate.isascii()
            else None
        )
        candidate_width = (
            estimate if estimate is not None and estimate < near else text_width(candidate, face, size)
        )
        if candidate_width <= width:
            current, current_width = candidate, candidate_width
            continue
        if current:
            lines.append(current)
        current, current_width = unit.text, text_width(unit.text, face, size)
        if current_width > width:
            *full, current = _break_word(unit.text, face, size, width)
            lines.extend(full)
            current_width = text_width(current, face, size)
    if current or not lines:
        lines.append(current)
    return tuple(lines)
