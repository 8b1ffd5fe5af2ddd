"""The quality gate on real output: LibreOffice draws the corpus to PDF in every theme, and the
words land inside their boxes, one page per slide, with every font embedded."""

from __future__ import annotations

import asyncio
import io
import os
from dataclasses import replace
from typing import Any

import pytest
from pptx import Presentation
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Inches, Pt

from deckgen.domain import Deck, Theme
from deckgen.providers.export import LibreOfficeExporter, export_available
from deckgen.render import get_theme, list_themes, render_pptx
from tests.render.corpus import BRANDS, assets, corpus
from tests.render.design import area_used, design_problems
from tests.render.pdf_text import fonts_not_embedded, words_outside_text_boxes

pytestmark = pytest.mark.skipif(
    not export_available() and not os.environ.get("CI"),
    reason="LibreOffice/poppler not installed: run `make system-deps`",
)


def one_deck_per_theme() -> list[tuple[Theme, Deck, bytes]]:
    """The Latin corpus as one file per theme (one LibreOffice run each keeps this quick), plus the
    branded, Japanese and Arabic decks in a light and a dark theme."""
    decks = dict(corpus())
    latin = replace(
        decks["technical"],
        slides=tuple(
            s
            for name in ("every-layout", "long", "long-layouts", "edge", "technical")
            for s in decks[name].slides
        ),
    )
    themes = list_themes()
    result = [(theme, latin, render_pptx(latin, theme, assets())) for theme in themes]
    branded = dict(corpus(brand=True))["every-layout+brand"]
    # Brand fonts this machine lacks: LibreOffice substitutes, the fitter measured for that.
    refonted = replace(decks["every-layout"], brand=BRANDS["pale-brand"])
    for theme in (get_theme("default"), get_theme("midnight")):
        for deck in (branded, refonted, decks["japanese"], decks["arabic"]):
            result.append((theme, deck, render_pptx(deck, theme, assets())))
    return result


async def _export_all() -> list[tuple[str, Deck, bytes, bytes]]:
    exporter = LibreOfficeExporter(profiles=2)
    try:
        rendered = one_deck_per_theme()
        pdfs = await asyncio.gather(*(exporter.pdf(pptx) for _, _, pptx in rendered))
    finally:
        await exporter.aclose()
    return [
        (f"{theme.id}/{deck.title}", deck, pptx, pdf)
        for (theme, deck, pptx), pdf in zip(rendered, pdfs, strict=True)
    ]


@pytest.fixture(scope="module")
def exported() -> list[tuple[str, Deck, bytes, bytes]]:
    # Converted once for the module: LibreOffice is the slow part of this suite.
    return asyncio.run(_export_all())


def test_words_stay_inside_their_boxes_on_one_page_per_slide(
    exported: list[tuple[str, Deck, bytes, bytes]],
) -> None:
    problems = [
        f"{name}: {p}" for name, _, pptx, pdf in exported for p in words_outside_text_boxes(pptx, pdf)
    ]
    assert problems == []


def test_every_font_is_embedded(exported: list[tuple[str, Deck, bytes, bytes]]) -> None:
    assert {name: fonts_not_embedded(pdf) for name, _, _, pdf in exported if fonts_not_embedded(pdf)} == {}


def test_decks_are_numbered_footed_in_placeholders_and_free_of_markdown(
    exported: list[tuple[str, Deck, bytes, bytes]],
) -> None:
    """No raw Markdown, code monospace with its indentation, slide numbers and the footer on every
    slide but the title slide, body text in placeholders (`design.design_problems`)."""
    problems = [f"{name}: {p}" for name, deck, pptx, _ in exported for p in design_problems(pptx, deck)]
    assert problems == []


_MIN_AREA = 0.15
"""Share of the content area a content slide with at least `_MIN_WORDS` words covers, at least."""
_MIN_WORDS = 12


def test_content_slides_use_their_area(exported: list[tuple[str, Deck, bytes, bytes]]) -> None:
    sparse = [
        f"{name} slide {number}: {words} words cover {share:.0%}"
        for name, _, pptx, pdf in exported
        for number, words, share in area_used(pptx, pdf)
        if words >= _MIN_WORDS and share < _MIN_AREA
    ]
    assert sparse == []


def _overflowing_pptx() -> bytes:
    prs: Any = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
    box.text_frame.word_wrap = True
    box.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    box.text_frame.text = " ".join(["overflowing"] * 60)
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(28)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def test_the_check_catches_text_that_really_overflows() -> None:
    async def convert() -> bytes:
        exporter = LibreOfficeExporter(profiles=1)
        try:
            return await exporter.pdf(_overflowing_pptx())
        finally:
            await exporter.aclose()

    pptx = _overflowing_pptx()
    problems = words_outside_text_boxes(pptx, asyncio.run(convert()))
    assert problems and all("outside every text box" in p for p in problems)
