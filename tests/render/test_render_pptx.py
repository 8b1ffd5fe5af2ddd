from __future__ import annotations

import io
from typing import Any

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Inches

from deckgen.domain import (
    Brand,
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    Deck,
    ImageRef,
    Layout,
    Slide,
    Table,
    Theme,
)
from deckgen.render import get_theme, list_themes, render_pptx
from deckgen.render._plan import title_fits
from deckgen.render._pptx import chart_description, unique_titles
from deckgen.render.template import render_with_template

from .decks import IMAGE_URI, every_layout_deck, png
from .overflow import find_overflows

THEMES = list_themes()
_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)


def _template() -> bytes:
    buffer = io.BytesIO()
    Presentation().save(buffer)
    return buffer.getvalue()


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
        # Title and closing slides are drawn on the "Title Slide" layout, whose title is centred.
        cover = source.layout in (Layout.TITLE, Layout.CLOSING)
        expected = PP_PLACEHOLDER.CENTER_TITLE if cover else PP_PLACEHOLDER.TITLE
        assert title.placeholder_format.type == expected
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


def test_twenty_slide_deck_renders_every_slide() -> None:
    # How fast is measured by bench/render.py and bench/load.py (render), not by a timed test.
    base = every_layout_deck().slides
    deck = Deck("Twenty", tuple(base[i % len(base)] for i in range(20)))
    data = render_pptx(deck, THEMES[0], {IMAGE_URI: png()})
    assert len(_open(data).slides) == 20


# ---------------------------------------------------------------------------------------------------
# Alt text, pictures, titles, brand


def _chart(kind: ChartType = ChartType.COLUMN, alt_text: str = "", title: str = "") -> Chart:
    return Chart(
        kind,
        ("Q1", "Q2", "Q3"),
        (ChartSeries("Revenue", (4.2, 5.1, 6.0)), ChartSeries("Cost", (3.0, 3.5, 3.9))),
        title=title,
        alt_text=alt_text,
    )


def test_chart_alt_text_describes_the_data_when_none_is_given() -> None:
    described = chart_description(_chart(), "Revenue by quarter")
    assert described == (
        "Column chart: Revenue by quarter. Revenue: Q1 4.2, Q2 5.1, Q3 6. Cost: Q1 3, Q2 3.5, Q3 3.9"
    )
    assert chart_description(_chart(title="Own title"), "Slide").startswith("Column chart: Own title.")
    single = Chart(ChartType.PIE, ("A", "B"), (ChartSeries("Share", (0.7, 0.3)),))
    assert chart_description(single) == "Pie chart. A 0.7, B 0.3"
    assert chart_description(_chart(alt_text="  Revenue  doubled  ")) == "Revenue doubled"
    many = Chart(ChartType.LINE, tuple(f"Month {n}" for n in range(200)), (ChartSeries("x", (1.0,) * 200),))
    long = chart_description(many)
    assert len(long) <= 400 and long.endswith("\u2026")


def test_the_chart_frame_carries_its_alt_text_and_its_own_background() -> None:
    theme = get_theme("midnight")
    deck = Deck("d", (Slide(Layout.CHART, "Revenue by quarter", chart=_chart()),))
    frame = next(s for s in _open(render_pptx(deck, theme)).slides[0].shapes if s.has_chart)
    assert (
        frame._element.xpath("./p:nvGraphicFramePr/p:cNvPr")[0]
        .get("descr")
        .startswith("Column chart: Revenue by quarter.")
    )
    fill = frame.chart._chartSpace.find(f"{qn('c:spPr')}/{qn('a:solidFill')}/{qn('a:srgbClr')}")
    assert fill is not None and fill.get("val") == theme.background


def _axis_minimum(frame: Any) -> str | None:
    """The value axis's fixed minimum (`c:valAx/c:scaling/c:min`), None when the viewer picks it."""
    found = frame.chart._chartSpace.xpath("./c:chart/c:plotArea/c:valAx/c:scaling/c:min")
    return found[0].get("val") if found else None


@pytest.mark.parametrize("writer", ["theme", "template"])
def test_bars_and_columns_of_positive_values_start_at_zero(writer: str) -> None:
    """Throughput of 3,600-4,500 drawn from an axis starting near 3,600 makes the differences look
    many times their size: bars and columns of non-negative values are measured from zero."""

    def chart(kind: ChartType, *values: float) -> Chart:
        return Chart(kind, ("A", "B", "C"), (ChartSeries("Requests/s", values),))

    charts = (
        chart(ChartType.COLUMN, 3600, 4100, 4500),
        chart(ChartType.BAR, 3600, 4100, 4500),
        chart(ChartType.LINE, 3600, 4100, 4500),
        chart(ChartType.COLUMN, -20, 15, 40),
    )
    deck = Deck("d", tuple(Slide(Layout.CHART, f"Chart {i}", chart=c) for i, c in enumerate(charts)))
    data = render_pptx(deck, THEMES[0]) if writer == "theme" else render_with_template(deck, _template())[0]
    frames = [next(s for s in page.shapes if s.has_chart) for page in _open(data).slides]
    assert [_axis_minimum(frame) for frame in frames] == ["0.0", "0.0", None, None]


@pytest.mark.parametrize(("size", "sides"), [((1600, 300), "left_right"), ((300, 1600), "top_bottom")])
def test_pictures_are_cropped_to_their_frame_never_stretched(size: tuple[int, int], sides: str) -> None:
    slide = Slide(Layout.IMAGE_TEXT, "Picture", body="Beside it.", image=ImageRef("p.png", "A picture"))
    page = _open(render_pptx(Deck("d", (slide,)), THEMES[0], {"p.png": png(*size)})).slides[0]
    picture = next(s for s in page.shapes if s.shape_type == 13)
    left, right, top, bottom = picture.crop_left, picture.crop_right, picture.crop_top, picture.crop_bottom
    assert (left > 0) is (sides == "left_right") and (top > 0) is (sides == "top_bottom")
    assert left == pytest.approx(right) and top == pytest.approx(bottom)
    visible = (size[0] * (1 - left - right)) / (size[1] * (1 - top - bottom))
    assert visible == pytest.approx(picture.width / picture.height, rel=1e-3)


def test_a_picture_without_alt_text_is_described_by_its_slide() -> None:
    slide = Slide(Layout.IMAGE_TEXT, "Our new plant", image=ImageRef("p.png", " "))
    page = _open(render_pptx(Deck("d", (slide,)), THEMES[0], {"p.png": png()})).slides[0]
    picture = next(s for s in page.shapes if s.shape_type == 13)
    assert picture._element.nvPicPr.cNvPr.get("descr") == "Picture: Our new plant"


def test_titles_are_made_unique() -> None:
    theme = THEMES[0]
    slides = [
        Slide(Layout.BULLETS, "Plan"),
        Slide(Layout.BULLETS, "Plan (cont.)"),
        Slide(Layout.BULLETS, "Plan (cont.)"),
        Slide(Layout.BULLETS, "Plan"),
        Slide(Layout.BULLETS, "  "),
        Slide(Layout.BULLETS, "Deck"),
        Slide(Layout.BULLETS, "Other (cont.)"),
    ]
    titles = [s.title for s in unique_titles(slides, theme, "Deck")]
    assert titles == ["Plan", "Plan (2/3)", "Plan (3/3)", "Plan (2)", "Deck", "Deck (2)", "Other (cont.)"]
    # A topic begun on a slide shared with another ("Outputs and model outputs") that goes on over
    # several slides: magika's model README gave "Model outputs (cont.) (2)", "… (cont.) (3)".
    slides = [Slide(Layout.BULLETS, "Outputs and model outputs")] + [
        Slide(Layout.TABLE, "Model outputs (cont.)") for _ in range(3)
    ]
    titles = [s.title for s in unique_titles(slides, theme)]
    assert titles == [
        "Outputs and model outputs",
        "Model outputs (2/4)",
        "Model outputs (3/4)",
        "Model outputs (4/4)",
    ]
    long = "A very long title " * 4
    shortened = unique_titles([Slide(Layout.BULLETS, long), Slide(Layout.BULLETS, long)], theme)[1].title
    assert shortened.endswith("(2)") and title_fits(shortened, Layout.BULLETS, theme)


def test_the_title_placeholder_is_the_first_shape_on_every_slide(rendered: tuple[Theme, bytes]) -> None:
    _, data = rendered
    for slide in _open(data).slides:
        first = slide.shapes[0]
        assert first.is_placeholder and first.placeholder_format.type in _TITLES


def test_brand_fonts_are_written_as_given_and_colours_applied() -> None:
    brand = Brand(primary="0B5FFF", heading_font="Georgia", body_font="Open Sans")
    deck = Deck("d", (Slide(Layout.BULLETS, "Branded", bullets=(Bullet("Body text"),)),), brand=brand)
    page = _open(render_pptx(deck, THEMES[0])).slides[0]
    title = page.shapes.title.text_frame.paragraphs[0].runs[0].font
    body = next(s for s in page.shapes if s.name == "Body").text_frame.paragraphs[0].runs[0].font
    assert (title.name, str(title.color.rgb), body.name) == ("Georgia", "0B5FFF", "Open Sans")
    assert find_overflows(render_pptx(deck, THEMES[0])) == []


def test_a_slide_split_twice_numbers_all_its_parts() -> None:
    theme = THEMES[0]
    rows = tuple((f"row {i}", " ".join(["cell"] * 30)) for i in range(20))
    slide = Slide(
        Layout.TABLE, "Lead and table", body=" ".join(["word"] * 400), table=Table(("a", "b"), rows)
    )
    data = render_pptx(Deck("d", (slide,)), theme)
    titles = [s.shapes.title.text_frame.text for s in _open(data).slides]
    count = len(titles)
    assert count > 2
    assert titles == ["Lead and table"] + [f"Lead and table ({n}/{count})" for n in range(2, count + 1)]
