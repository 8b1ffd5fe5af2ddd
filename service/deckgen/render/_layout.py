"""Layout rules both PPTX writers (the theme renderer and the template renderer) follow alike.

Which layout a slide is drawn as, how a table's width is shared among its columns and how tall a
row of cells must be, how an agenda is numbered, and which quotation marks a script takes. Units are
the caller's: widths come back as shares of 1, heights in points.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from deckgen.domain import Bullet, Layout, Slide
from deckgen.render._fonts import font_file, has_cjk, has_complex_script, wrapped_height, wrapped_height_mixed
from deckgen.render._markdown import Span, spans

__all__ = [
    "CENTRE_BELOW",
    "MONOSPACE",
    "ROW_PAD_PT",
    "agenda_numbered",
    "column_shares",
    "effective_layout",
    "is_short_list",
    "is_statement",
    "lines",
    "number_agenda",
    "pad",
    "quote_marks",
    "row_text_height",
    "spans_height",
]

MONOSPACE = "Courier New"
"""Code is set in Courier New: every system has it or Liberation Mono, its metric twin, which is
what the fitter measures with."""

ROW_PAD_PT = 4.0
"""Added to the tallest cell of a table row, so descenders and rounding never touch the border."""


def effective_layout(slide: Slide, has_picture: bool | None = None) -> Layout:
    """The layout `slide` is drawn as: its own, or bullets when what that layout shows is missing.

    `has_picture` False (the picture's bytes are unusable) draws a picture slide as bullets; None
    leaves the picture slide to the writer, which may draw a stand-in.
    """
    layout = slide.layout
    chart = slide.chart
    missing = (
        (layout is Layout.TABLE and (slide.table is None or not (slide.table.header or slide.table.rows)))
        or (layout is Layout.TWO_COLUMNS and slide.left is None and slide.right is None)
        or (layout is Layout.QUOTE and slide.quote is None)
        or (layout is Layout.CHART and (chart is None or not any(s.values for s in chart.series)))
        or (layout is Layout.TIMELINE and not slide.steps)
        or (layout is Layout.STATISTIC and not slide.statistics)
        or (layout is Layout.AGENDA and not slide.bullets)
        or (layout is Layout.IMAGE_TEXT and has_picture is False)
    )
    return Layout.BULLETS if missing else layout


STATEMENT_CHARS = 200
"""A statement is short: at most this many characters in all (about two lines at heading size)."""
CENTRE_BELOW = 0.8
"""Sparse text that, grown and spread, still covers less than this share of its area's height is
centred in it vertically: a short block under the title leaves the rest of the slide an empty band.
Generous, so that sparse slides of one deck sit alike rather than some centred and some not."""


_LABELLED = re.compile(r"^[^\s:]+(?:\s[^\s:]+){0,2}:\s")
"""An item led by a short label ("Mei: find the cause…"): one of a list, however few there are."""


def is_statement(paragraphs: Sequence[tuple[str, int]]) -> bool:
    """Whether a slide's only text, `(text, level)` paragraphs, reads as a statement rather than a
    list: one or two short top-level sentences. Designers set those as lead text (larger, unbulleted,
    in the middle of the slide); a bullet in front of a lone sentence marks a list of one."""
    texts = [" ".join(text.split()) for text, _ in paragraphs]
    return (
        0 < len(paragraphs) <= 2
        and all(level == 0 for _, level in paragraphs)
        and all(texts)
        and sum(len(text) for text in texts) <= STATEMENT_CHARS
        and (len(texts) == 1 or not any(_LABELLED.match(text) for text in texts))
    )


SHORT_ITEM_CHARS = 110
"""An item of a short list fits about a line at heading size."""


def is_short_list(paragraphs: Sequence[tuple[str, int]]) -> bool:
    """Two or three short top-level items: a list, bulleted, but sparse enough to be set as large as
    a statement rather than at body size with most of the slide empty."""
    return 2 <= len(paragraphs) <= 3 and all(
        level == 0 and len(" ".join(text.split())) <= SHORT_ITEM_CHARS for text, level in paragraphs
    )


def lines(text: str) -> list[str]:
    """The non-empty lines of `text`, each with its whitespace collapsed."""
    return [line for line in (" ".join(part.split()) for part in text.splitlines()) if line]


def pad(row: Sequence[str], width: int) -> tuple[str, ...]:
    return tuple(row) + ("",) * (width - len(row))


def column_shares(rows: Sequence[Sequence[str]]) -> tuple[float, ...]:
    """Each column's share of a table's width, by the length of its longest cell (damped, bounded)."""
    count = max(len(row) for row in rows)
    weights = [
        min(max(max((len(row[c]) if c < len(row) else 0) for row in rows), 8), 48) ** 0.8
        for c in range(count)
    ]
    total = sum(weights)
    return tuple(weight / total for weight in weights)


def spans_height(runs: Sequence[Span], font: str, bold: bool, size: float, width: float) -> float:
    """Points one paragraph of `runs` needs `width` points wide: each run measured in its own face
    (bold runs bold, code monospace), markers never."""
    if all(not (run.bold or run.code) for run in runs):
        return wrapped_height("".join(run.text for run in runs), font_file(font, bold), size, width)
    pieces = tuple(
        (run.text, font_file(MONOSPACE if run.code else font, bold or run.bold)) for run in runs if run.text
    )
    return wrapped_height_mixed(pieces, size, width)


def row_text_height(
    cells: Sequence[str], widths_pt: Sequence[float], font: str, bold: bool, size: float
) -> float:
    """Points the tallest cell's text of a row needs in columns `widths_pt` wide (inside the cell
    margins), plus `ROW_PAD_PT`; the cell margins are the writer's to add."""
    tallest = 0.0
    for text, width in zip(cells, widths_pt, strict=False):
        height = sum(spans_height(spans(line), font, bold, size, width) for line in (lines(text) or [""]))
        tallest = max(tallest, height)
    return tallest + ROW_PAD_PT


_NUMBERED = re.compile(r"\d{1,3}[.)]\s")


def agenda_numbered(bullets: Sequence[Bullet]) -> bool:
    """Whether an agenda's items carry their numbers already (written so, or numbered by fitting)."""
    return any(b.level == 0 and _NUMBERED.match(" ".join(b.text.split()) + " ") for b in bullets)


def number_agenda(bullets: Sequence[Bullet], start: int = 1) -> tuple[Bullet, ...]:
    """Top-level bullets prefixed "1. ", "2. "…; sub-bullets as they are."""
    result: list[Bullet] = []
    count = start - 1
    for bullet in bullets:
        if bullet.level == 0:
            count += 1
            bullet = Bullet(f"{count}. {' '.join(bullet.text.split())}", 0)
        result.append(bullet)
    return tuple(result)


def quote_marks(text: str) -> tuple[str, str]:
    """Quotation marks for the script of `text`: corner brackets for East Asian text, guillemets
    for Arabic script, curly quotes otherwise."""
    if has_cjk(text):
        return "\u300c", "\u300d"
    if has_complex_script(text) and not any("\u0590" <= char <= "\u05ff" for char in text):
        return "\u00ab", "\u00bb"
    return "\u201c", "\u201d"
