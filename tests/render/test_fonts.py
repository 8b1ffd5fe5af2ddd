"""Measuring and breaking text: vendored metrics, brand fonts, East Asian and Arabic text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from deckgen.render import _fonts
from deckgen.render._fonts import (
    UNKNOWN_FONT_SCALE,
    breaks_words,
    complex_script_font,
    east_asian_font,
    font_file,
    line_height,
    text_width,
    wrap,
)

CALIBRI = font_file("Calibri")
JAPANESE = "製造規模の拡大により、モジュール価格は十年で九割近く下がりました。「発電コスト」も下がった。"
ARABIC = "انخفضت أسعار الألواح بنحو تسعين في المئة خلال عشر سنوات"
_NO_START = "、。」』）！？ー"  # noqa: RUF001


def test_theme_fonts_are_measured_with_their_metric_compatible_files() -> None:
    assert Path(font_file("Calibri").path).name == "Carlito-Regular.ttf"
    assert Path(font_file("cambria", bold=True).path).name == "Caladea-Bold.ttf"
    assert Path(font_file("Arial").path).name == "LiberationSans-Regular.ttf"
    assert font_file("Calibri").scale == 1.0


@pytest.mark.parametrize(
    ("name", "vendored"),
    [
        ("Georgia", "Caladea"),
        ("Times New Roman", "Caladea"),
        ("Source Serif Pro", "Caladea"),
        ("Helvetica Neue", "Carlito"),
        ("Open Sans", "Carlito"),
        ("Microsoft Sans Serif", "Carlito"),
    ],
)
def test_unknown_fonts_are_measured_with_the_closest_vendored_font_and_a_margin(
    name: str, vendored: str
) -> None:
    face = font_file(name)
    assert Path(face.path).name.startswith(vendored)
    assert face.scale == UNKNOWN_FONT_SCALE > 1.0
    known = font_file("Cambria" if vendored == "Caladea" else "Calibri")
    text = "Brand fonts are wider than we know"
    assert text_width(text, face, 20.0) >= text_width(text, known, 20.0) * UNKNOWN_FONT_SCALE
    assert line_height(face, 20.0) >= line_height(known, 20.0)


def test_digits_are_not_mistaken_for_missing_glyphs() -> None:
    # Some digits are exactly as wide and tall as the .notdef box; only their bitmaps differ.
    assert text_width("1,234,567,890 €", font_file("Calibri", True), 60.0) < 420


def test_japanese_breaks_between_characters_never_before_closing_punctuation() -> None:
    for width in (90.0, 120.0, 150.0, 200.0, 333.0):
        lines = wrap(JAPANESE, CALIBRI, 20.0, width)
        assert "".join(lines) == JAPANESE
        assert len(lines) > 1
        assert all(text_width(line, CALIBRI, 20.0) <= width for line in lines)
        assert not any(line[0] in _NO_START for line in lines[1:]), lines
        assert not any(line[-1] in "「『（" for line in lines[:-1]), lines  # noqa: RUF001


def test_latin_words_inside_japanese_are_not_broken() -> None:
    lines = wrap("設計はPython3の標準ライブラリで書かれています", CALIBRI, 20.0, 110.0)
    assert any("Python3" in line for line in lines)


def test_cjk_and_arabic_are_measured_with_a_font_that_has_their_glyphs() -> None:
    # At least the size of an ideograph each (they are square), however the vendored font fails.
    assert text_width("日本語の文章", CALIBRI, 20.0) >= 6 * 20.0
    assert text_width(ARABIC, CALIBRI, 20.0) > text_width("x" * 20, CALIBRI, 20.0)
    assert line_height(CALIBRI, 20.0, "日本語") > line_height(CALIBRI, 20.0, "Latin")


def test_without_a_font_for_the_script_the_estimate_is_conservative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fonts, "_fallbacks", lambda script, bold: ())
    _fonts._measured_by.cache_clear()
    _fonts.text_width.cache_clear()
    try:
        assert text_width("日本語", CALIBRI, 20.0) == pytest.approx(3 * 20.0 * _fonts.WIDTH_SAFETY)
        letters = [c for c in ARABIC if not c.isspace()]
        assert text_width(ARABIC, CALIBRI, 20.0) >= len(letters) * 0.65 * 20.0
        assert line_height(CALIBRI, 20.0, "日本語") >= 1.5 * 20.0
    finally:
        _fonts._measured_by.cache_clear()
        _fonts.text_width.cache_clear()


def test_script_fonts_are_named_by_language_and_script() -> None:
    assert east_asian_font("ja") == "Noto Sans CJK JP"
    assert east_asian_font("zh-TW") == "Noto Sans CJK TC"
    assert east_asian_font("ko") == "Noto Sans CJK KR"
    assert east_asian_font("en") == "Noto Sans CJK JP"
    assert complex_script_font(ARABIC) == "Noto Sans Arabic"
    assert complex_script_font("שלום") == "Noto Sans Hebrew"


def test_a_word_wider_than_the_line_is_reported_and_broken() -> None:
    assert breaks_words("Supercalifragilisticexpialidocious", CALIBRI, 20.0, 100.0)
    assert not breaks_words("short words only", CALIBRI, 20.0, 100.0)
    lines = wrap("Supercalifragilisticexpialidocious", CALIBRI, 20.0, 100.0)
    assert "".join(lines) == "Supercalifragilisticexpialidocious"
    assert all(text_width(line, CALIBRI, 20.0) <= 100.0 for line in lines)


def test_glyphs_a_theme_font_lacks_are_measured_with_the_font_that_draws_them() -> None:
    cambria = font_file("Cambria")  # Caladea has no Cyrillic or Greek
    cyrillic = "Солнечная энергетика"
    assert text_width(cyrillic, cambria, 20.0) > 0.4 * 20.0 * len(cyrillic)
    assert line_height(cambria, 20.0, cyrillic) >= line_height(cambria, 20.0, "Solar energy")


def _wrap_measuring_each_line(text: str, face: _fonts.Face, size: float, width: float) -> list[str]:
    """The greedy wrap, each candidate line measured whole: what `wrap` must give."""
    lines: list[str] = []
    current = ""
    for unit in _fonts._units(text):
        candidate = f"{current} {unit.text}" if current and unit.space_before else current + unit.text
        if text_width(candidate, face, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = unit.text
        if text_width(current, face, size) > width:
            *full, current = _fonts._break_word(current, face, size, width)
            lines.extend(full)
    return [*lines, current] if current or not lines else lines


def test_wrapping_word_by_word_breaks_lines_where_measuring_each_line_whole_does() -> None:
    # Lines are measured word by word and only near the limit whole: the breaks must not move.
    # Punctuation before a space and parentheses are what kerning and shaping change most.
    rng = random.Random(7)
    words = [
        "Latency",
        "(p95)",
        "budgets:",
        "outline,",
        "slides;",
        "render/storage",
        "—",
        "Alert",
        "on",
        "the",
        "p95,",
        "not",
        "the",
        "average.",
        "“Quoted”",
        "AVAIL",
        "WAVE",
        "To",
        "Ta",
        "fi",
        "fl",
        "2024-11-29",
        "/v1/chat/completions",
        "`SOURCE_UNREADABLE`",
        "naïve",
        "café",
        "東京",
        "مرحبا",
    ]
    faces = [font_file(name, bold=bold) for name in ("Calibri", "Cambria", "Arial") for bold in (False, True)]
    faces.append(font_file("Brand Sans Unknown"))  # scaled, with an alternate font
    for _ in range(800):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        face, size = rng.choice(faces), rng.choice((10.0, 14.0, 18.0, 24.0, 32.0, 44.0))
        # Half the lines are given exactly the width of one of their own prefixes, give or take a
        # hair: where a break is decided by the last hundredth of a point.
        prefix = " ".join(text.split()[: rng.randint(1, len(text.split()))])
        width = (
            text_width(prefix, face, size) + rng.choice((-0.01, 0.0, 0.01))
            if rng.random() < 0.5
            else rng.uniform(40, 700)
        )
        expected = _wrap_measuring_each_line(text, face, size, width)
        assert wrap(text, face, size, width) == expected, (text, face, size, width)
