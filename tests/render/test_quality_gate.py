"""The quality gate on real output: LibreOffice draws the corpus to PDF in every theme, and the
words land inside their boxes, one page per slide, with every font embedded."""

from __future__ import annotations

import asyncio
import io
import os
from typing import Any

import pytest
from pptx import Presentation
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Inches, Pt

from deckgen.domain import Deck, Theme
from deckgen.providers.export import LibreOfficeExporter, export_available
from deckgen.render import list_themes, render_pptx
from tests.render.corpus import assets, corpus
from tests.render.pdf_text import fonts_not_embedded, words_outside_text_boxes

pytestmark = pytest.mark.skipif(
    not export_available() and not os.environ.get("CI"),
    reason="LibreOffice/poppler not installed: run `make system-deps`",
)


def one_deck_per_theme() -> list[tuple[Theme, Deck, bytes]]:
    """Every corpus deck in one file per theme: one LibreOffice run per theme keeps this quick."""
    decks = [deck for _, deck in corpus()] + [deck for _, deck in corpus(brand=True)][:1]
    result = []
    for theme in list_themes():
        for deck in decks:
            result.append((theme, deck, render_pptx(deck, theme, assets())))
    return result


async def _export_all() -> list[tuple[str, bytes, bytes]]:
    exporter = LibreOfficeExporter(profiles=2)
    try:
        rendered = one_deck_per_theme()
        pdfs = await asyncio.gather(*(exporter.pdf(pptx) for _, _, pptx in rendered))
    finally:
        await exporter.aclose()
    return [
        (f"{theme.id}/{deck.title}", pptx, pdf)
        for (theme, deck, pptx), pdf in zip(rendered, pdfs, strict=True)
    ]


@pytest.fixture(scope="module")
def exported() -> list[tuple[str, bytes, bytes]]:
    # Converted once for the module: LibreOffice is the slow part of this suite.
    return asyncio.run(_export_all())


def test_words_stay_inside_their_boxes_on_one_page_per_slide(
    exported: list[tuple[str, bytes, bytes]],
) -> None:
    problems = [f"{name}: {p}" for name, pptx, pdf in exported for p in words_outside_text_boxes(pptx, pdf)]
    assert problems == []


def test_every_font_is_embedded(exported: list[tuple[str, bytes, bytes]]) -> None:
    assert {name: fonts_not_embedded(pdf) for name, _, pdf in exported if fonts_not_embedded(pdf)} == {}


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
