from __future__ import annotations

import io
import time

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches

from deckgen.domain import Bullet, Deck, ImageRef, Layout, Slide, Theme
from deckgen.render import list_themes, render_pptx

from .decks import IMAGE_URI, every_layout_deck, png
from .overflow import find_overflows

THEMES = list_themes()


def _open(data: bytes):  # type: ignore[no-untyped-def]
    return Presentation(io.BytesIO(data))


@pytest.fixture(scope="module", params=THEMES, ids=[t.id for t in THEMES])
def rendered(request: pytest.FixtureRequest) -> tuple[Theme, bytes]:
    theme: Theme = request.param
    return theme, render_pptx(every_layout_deck(), theme, {IMAGE_URI: png()})


def test_every_layout_renders_with_its_content(rendered: tuple[Theme, bytes]) -> None:
    _, data = rendered
    deck = every_layout_deck()
    prs = _open(data)
    assert len(prs.slides) == len(deck.slides)
    assert (prs.slide_width, prs.slide_height) == (12192000, Inches(7.5))
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=1e-3)
    slides = list(prs.slides)
    for source, slide in zip(deck.slides, slides, strict=True):
        title = slide.shapes.title
        assert title is not None, source.title
        assert title.placeholder_format.type == PP_PLACEHOLDER.TITLE
        assert title.text_frame.text == source.title
        # The title comes first in reading order.
        assert slide.shapes[0].shape_id == title.shape_id

    bullets = slides[2]
    body = next(s for s in bullets.shapes if s.name == "Body")
    paragraphs = [(p.text, p.level) for p in body.text_frame.paragraphs]
    assert paragraphs == [("Three forces drive module prices down.", 0)] + [
        (b.text, b.level) for b in deck.slides[2].bullets
    ]
    notes = bullets.notes_slide.notes_text_frame.text
    assert notes.startswith("Mention the learning rate.")
    assert "Sources: iea-report.pdf \u2014 section 2.1; notes.md" in notes
    assert slides[0].notes_slide.notes_text_frame.text == "Welcome everyone."

    columns = [s.text_frame.text for s in slides[3].shapes if s.name in ("Left", "Right")]
    assert columns == [
        "Utility scale\nLowest cost per kWh\nNeeds grid connection",
        "Rooftop\nClose to demand, higher cost per watt.",
    ]

    table = next(s for s in slides[4].shapes if s.has_table).table
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    source_table = deck.slides[4].table
    assert source_table is not None
    assert cells == [list(source_table.header), *map(list, source_table.rows)]

    quote = " ".join(s.text_frame.text for s in slides[5].shapes if s.has_text_frame)
    assert "The cheapest electricity in history is now solar." in quote
    assert "IEA, World Energy Outlook" in quote

    pictures = [s for s in slides[6].shapes if s.shape_type == 13]
    assert len(pictures) == 1
    descr = pictures[0]._element.nvPicPr.cNvPr.get("descr")
    assert descr == "Rows of solar panels in a desert at noon"
    # An 800x300 picture in a taller frame is cropped at the sides, not stretched.
    assert pictures[0].crop_left > 0.1
    assert pictures[0].crop_left == pytest.approx(pictures[0].crop_right)

    charts = [next(s for s in slide.shapes if s.has_chart).chart for slide in slides[7:11]]
    assert [c.chart_type for c in charts] == [
        XL_CHART_TYPE.LINE_MARKERS,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        XL_CHART_TYPE.PIE,
        XL_CHART_TYPE.BAR_CLUSTERED,
    ]
    assert list(charts[0].plots[0].series[0].values) == [1.9, 0.6, 0.2, 0.1]
    assert [list(s.values) for s in charts[1].plots[0].series] == [
        [250.0, 120.0, 80.0],
        [900.0, 300.0, 200.0],
    ]
    assert list(charts[1].plots[0].categories) == ["Utility", "Commercial", "Residential"]
    assert charts[0].chart_title.text_frame.text == "Average module price"

    assert find_overflows(data) == []


def test_text_is_styled_explicitly(rendered: tuple[Theme, bytes]) -> None:
    theme, data = rendered
    prs = _open(data)
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text:
                continue
            assert shape.text_frame.word_wrap is True
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    assert run.font.size is not None
                    assert run.font.name in (theme.heading_font, theme.body_font)
                    assert theme.min_body_size <= run.font.size.pt <= theme.title_size * 1.2


def test_rendering_is_deterministic() -> None:
    theme = THEMES[0]
    deck = every_layout_deck()
    assert render_pptx(deck, theme, {IMAGE_URI: png()}) == render_pptx(deck, theme, {IMAGE_URI: png()})


def test_picture_slide_without_bytes_is_text_only() -> None:
    slide = Slide(
        Layout.IMAGE_TEXT,
        "Missing picture",
        bullets=(Bullet("Still readable"),),
        image=ImageRef("nowhere.png", "a picture"),
    )
    for images in (None, {"nowhere.png": b"not an image"}):
        prs = _open(render_pptx(Deck("d", (slide,)), THEMES[0], images))
        page = prs.slides[0]
        assert not [s for s in page.shapes if s.shape_type == 13]
        assert any(s.has_text_frame and s.text_frame.text == "Still readable" for s in page.shapes)


def test_twenty_slide_deck_renders_fast() -> None:
    base = every_layout_deck().slides
    deck = Deck("Speed", tuple(base[i % len(base)] for i in range(20)))
    theme = THEMES[0]
    render_pptx(deck, theme, {IMAGE_URI: png()})  # warm the font caches
    started = time.perf_counter()
    data = render_pptx(Deck("Speed 2", deck.slides), theme, {IMAGE_URI: png()})
    elapsed = time.perf_counter() - started
    assert len(_open(data).slides) == 20
    assert elapsed < 1.0
