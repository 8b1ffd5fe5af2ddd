"""Sparse slides use their room, in both writers: a lone sentence or two is a statement (larger than
body text, unbulleted, in the middle of the body area) and a few short bullets grow and spread, so no
slide is a small block under its title over an empty band. Measured where LibreOffice drew the words."""

from __future__ import annotations

import asyncio
import io
import os
from typing import Any

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from deckgen.domain import Bullet, Deck, Layout, Slide
from deckgen.providers.export import LibreOfficeExporter, export_available
from deckgen.render import get_theme, render_pptx
from deckgen.render.template import render_with_template
from tests.render.pdf_text import page_words

pytestmark = pytest.mark.skipif(
    not export_available() and not os.environ.get("CI"),
    reason="LibreOffice/poppler not installed: run `make system-deps`",
)

_EMU_PER_PT = 12700
_MAX_EMPTY_BAND = 0.5
"""The largest share of the body area's height that may be left empty in one horizontal band."""
_TEMPLATE_BODY = 20.0

_SPARSE = (
    Slide(Layout.BULLETS, "Office closed", bullets=(Bullet("Please take your laptops home on Thursday."),)),
    Slide(
        Layout.BULLETS,
        "Who books my flights?",
        bullets=(
            Bullet("The travel desk books every flight that costs more than €300."),
            Bullet("Cheaper flights you may book yourself on the company card."),
        ),
    ),
    Slide(
        Layout.BULLETS,
        "Action items",
        bullets=(
            Bullet("Mei: find the cause of the memory failures by Friday."),
            Bullet("Jonas: write the migration plan."),
        ),
    ),
    Slide(
        Layout.BULLETS,
        "Status",
        bullets=(
            Bullet("The migration finished two days ahead of plan."),
            Bullet("Build times are back to eleven minutes."),
            Bullet("Staging ran out of memory twice."),
        ),
    ),
    Slide(Layout.CLOSING, "Key takeaways", bullets=(Bullet("Revenue grew in every region."),)),
)
_FULL = Slide(
    Layout.BULLETS,
    "Six points",
    bullets=tuple(Bullet(f"Point {i}: " + "words in a line " * 10) for i in range(6)),
)
_DECK = Deck("Sparse slides", (Slide(Layout.TITLE, "Sparse slides"), *_SPARSE, _FULL), slide_numbers=False)


def _template(points: float) -> bytes:
    """python-pptx's default template with its body text at `points` (the levels below smaller)."""
    prs: Any = Presentation()
    body_style = prs.slide_master._element.find(qn("p:txStyles")).find(qn("p:bodyStyle"))
    for level in range(1, 4):
        body_style.find(qn(f"a:lvl{level}pPr")).find(qn("a:defRPr")).set(
            "sz", str(round((points - 2 * (level - 1)) * 100))
        )
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


async def _pdfs(files: list[bytes]) -> list[bytes]:
    exporter = LibreOfficeExporter(profiles=1)
    try:
        return [await exporter.pdf(data) for data in files]
    finally:
        await exporter.aclose()


def _body(slide: Any) -> Any:
    return next(
        shape for shape in slide.placeholders if shape.placeholder_format.idx == 1 or shape.name == "Body"
    )


def _empty_band(words: list[Any], box: tuple[float, float]) -> float:
    """The tallest horizontal band of the body box `(top, bottom)` (points) holding no word, as a
    share of the box's height."""
    top, bottom = box
    spans = sorted((max(w.y0, top), min(w.y1, bottom)) for w in words if w.y1 > top and w.y0 < bottom)
    largest, reached = 0.0, top
    for upper, lower in spans:
        largest = max(largest, upper - reached)
        reached = max(reached, lower)
    return max(largest, bottom - reached) / (bottom - top)


def _sizes(shape: Any) -> set[float]:
    return {run.font.size.pt for p in shape.text_frame.paragraphs for run in p.runs if run.font.size}


def _bulleted(shape: Any) -> bool:
    return any(p._p.find(f"{qn('a:pPr')}/{qn('a:buNone')}") is None for p in shape.text_frame.paragraphs)


@pytest.fixture(scope="module")
def drawn() -> dict[str, tuple[bytes, bytes, float]]:
    """Per writer: the PPTX, its PDF and the body size the slides start from."""
    files = {
        "default": (render_pptx(_DECK, get_theme("default")), get_theme("default").body_size),
        "midnight": (render_pptx(_DECK, get_theme("midnight")), get_theme("midnight").body_size),
        "template": (render_with_template(_DECK, _template(_TEMPLATE_BODY))[0], _TEMPLATE_BODY),
    }
    pdfs = asyncio.run(_pdfs([pptx for pptx, _ in files.values()]))
    return {name: (pptx, pdf, body) for (name, (pptx, body)), pdf in zip(files.items(), pdfs, strict=True)}


@pytest.mark.parametrize("writer", ["default", "midnight", "template"])
def test_sparse_slides_leave_no_empty_band_and_set_text_above_body_size(
    drawn: dict[str, tuple[bytes, bytes, float]], writer: str
) -> None:
    pptx, pdf, body_size = drawn[writer]
    prs: Any = Presentation(io.BytesIO(pptx))
    pages = page_words(pdf)
    problems = []
    for number in range(2, 2 + len(_SPARSE)):
        slide, words = prs.slides[number - 1], pages[number - 1]
        body = _body(slide)
        box = (body.top / _EMU_PER_PT, (body.top + body.height) / _EMU_PER_PT)
        band = _empty_band(words, box)
        if band > _MAX_EMPTY_BAND:
            problems.append(f"slide {number}: {band:.0%} of the body area is one empty band")
        sizes = _sizes(body)
        if not sizes or min(sizes) <= body_size:
            problems.append(f"slide {number}: text at {sorted(sizes)} pt, not above the body size")
    assert problems == []


@pytest.mark.parametrize("writer", ["default", "template"])
def test_a_statement_is_unbulleted_a_short_list_keeps_its_bullets_and_a_full_slide_is_unchanged(
    drawn: dict[str, tuple[bytes, bytes, float]], writer: str
) -> None:
    pptx, _, body_size = drawn[writer]
    prs: Any = Presentation(io.BytesIO(pptx))
    lone, pair, labelled, listed, takeaway, full = (_body(prs.slides[n]) for n in range(1, 7))
    bulleted = [_bulleted(shape) for shape in (lone, pair, labelled, listed, takeaway)]
    assert bulleted == [False, False, True, True, False]
    # A statement, and a list of two or three short items, grow to the top of the type scale's body range.
    assert min(_sizes(lone)) >= max(_sizes(listed)) > body_size
    assert all(size <= body_size for size in _sizes(full))
    assert _bulleted(full)
