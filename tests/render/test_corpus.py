"""The quality corpus in every theme: nothing overflows, overlaps or leaves the slide; every picture
and chart is described; titles are unique and read first; scripts and brand are honoured."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pptx import Presentation

from deckgen.domain import Deck, Theme
from deckgen.render import list_themes, render_pptx
from tests.render.corpus import assets, corpus
from tests.render.overflow import find_overflows

THEMES = list_themes()
_DECORATIVE = "decorative"


def _render(theme: Theme, deck: Deck) -> Any:
    return Presentation(io.BytesIO(render_pptx(deck, theme, assets())))


def _box(shape: Any) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.left + shape.width, shape.top + shape.height


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _kind(shape: Any) -> str | None:
    """What a shape shows, or None for decorations (which may sit under text by design)."""
    if _DECORATIVE in shape._element.xml:
        return None
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return "chart"
    if getattr(shape, "has_table", False) and shape.has_table:
        return "table"
    if shape.shape_type == 13:
        return "picture"
    if shape.has_text_frame and shape.text_frame.text.strip():
        return "text"
    return None


def problems_of(prs: Any) -> list[str]:
    found = [f"slide {o.slide + 1} {o.shape}: {o.problem}" for o in find_overflows(_save(prs))]
    titles: list[str] = []
    for number, slide in enumerate(prs.slides, start=1):
        shapes = list(slide.shapes)
        title = slide.shapes.title
        if title is None or shapes[0].shape_id != title.shape_id:
            found.append(f"slide {number}: the title is not first in reading order")
        else:
            titles.append(title.text_frame.text)
        shown = [(shape, kind) for shape in shapes if (kind := _kind(shape)) is not None]
        for index, (shape, kind) in enumerate(shown):
            if kind in ("picture", "chart"):
                descr = shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr", "")
                if not descr.strip():
                    found.append(f"slide {number}: {kind} {shape.name} has no alt text")
            for other, other_kind in shown[index + 1 :]:
                if "text" in (kind, other_kind) and _overlap(_box(shape), _box(other)):
                    found.append(f"slide {number}: {shape.name} overlaps {other.name}")
    duplicates = {t for t in titles if titles.count(t) > 1}
    if duplicates:
        found.append(f"titles used more than once: {sorted(duplicates)}")
    return found


def _save(prs: Any) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("theme", THEMES, ids=[t.id for t in THEMES])
def test_the_corpus_is_clean_in_every_theme(theme: Theme) -> None:
    for name, deck in corpus():
        prs = _render(theme, deck)
        assert problems_of(prs) == [], name


def test_brand_logo_sits_on_every_slide_without_touching_content() -> None:
    for name, deck in corpus(brand=True):
        prs = _render(THEMES[0], deck)
        assert problems_of(prs) == [], name
        for slide in prs.slides:
            logos = [s for s in slide.shapes if s.name == "Logo"]
            assert len(logos) == 1, name
            assert logos[0]._element.xpath("./*[1]/p:cNvPr")[0].get("descr") == "Logo"


def test_long_items_continue_and_nothing_is_lost() -> None:
    _, deck = corpus()[1]
    prs = _render(THEMES[0], deck)
    text = "\n".join(
        shape.text_frame.text for slide in prs.slides for shape in slide.shapes if shape.has_text_frame
    )
    source = deck.slides
    assert all(step.title in text for step in source[1].steps)
    assert all(statistic.value in text for statistic in source[2].statistics)
    agenda = [s for s in prs.slides if s.shapes.title.text_frame.text.startswith("A long agenda")]
    assert len(agenda) >= 2, "sixteen two-line agenda items cannot fit on one slide"
    assert "1.  Topic 0" in "\n".join(s.text_frame.text for s in agenda[0].shapes if s.has_text_frame)


def test_scripts_get_fonts_that_have_their_glyphs_and_arabic_reads_right_to_left() -> None:
    decks = dict(corpus())
    japanese = _render(THEMES[0], decks["japanese"])
    xml = "".join(shape._element.xml for slide in japanese.slides for shape in slide.shapes)
    assert '<a:ea typeface="Noto Sans CJK JP"/>' in xml
    prs = _render(THEMES[0], decks["arabic"])
    paragraphs = [
        p
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
    ]
    assert paragraphs and all(
        p._p.pPr is not None and p._p.pPr.get("rtl") == "1" for p in paragraphs if p.runs
    )
