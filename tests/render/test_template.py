"""A user's .pptx/.potx as the template: layout mapping by placeholder type, and decks drawn with it.

Templates are built here from python-pptx's default template (a real PowerPoint template with 11
layouts): renamed and reordered (German names), re-coloured, stripped of body layouts, with slides
of its own, or retyped as a .potx.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.oxml.ns import qn

from deckgen.domain import (
    Bullet,
    Column,
    Deck,
    ImageRef,
    Layout,
    Slide,
    Statistic,
    Step,
    Table,
)
from deckgen.render.template import TemplateError, TemplateInfo, inspect_template, render_with_template
from deckgen.render.template._renderer import _quote

from .decks import IMAGE_URI, every_layout_deck, png

_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
# An Any alias: python-pptx leaves RGBColor's constructor unannotated.
_RGB: Any = RGBColor
_BACKGROUND = _RGB(0x12, 0x34, 0x56)
_GERMAN = {
    "Title Slide": "Titelfolie",
    "Title and Content": "Titel und Inhalt",
    "Section Header": "Abschnittsüberschrift",
    "Two Content": "Zwei Inhalte",
    "Comparison": "Vergleich",
    "Title Only": "Nur Titel",
    "Blank": "Leer",
    "Content with Caption": "Inhalt mit Überschrift",
    "Picture with Caption": "Bild mit Überschrift",
    "Title and Vertical Text": "Titel und vertikaler Text",
    "Vertical Title and Text": "Vertikaler Titel und Text",
}
_POTX_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
_PPTX_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


# -- building templates --------------------------------------------------------------------------------


def _save(prs: Any) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _open(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def default_template() -> bytes:
    return _save(Presentation())


def _drop_layouts(prs: Any, keep: Callable[[Any], bool]) -> None:
    for layout in list(prs.slide_layouts):
        if not keep(layout):
            prs.slide_layouts.remove(layout)


def _types(layout: Any) -> set[PP_PLACEHOLDER]:
    return {placeholder.placeholder_format.type for placeholder in layout.placeholders}


def custom_template() -> bytes:
    """German layout names in reverse order, a dark blue background, Cambria titles at 40 pt, and a
    "picture with caption" layout whose text area is roomy enough for bullets."""
    prs = Presentation()
    master = prs.slide_master
    for layout in master.slide_layouts:
        layout.name = _GERMAN[layout.name]
    id_list = master._element.find(qn("p:sldLayoutIdLst"))
    for entry in list(id_list)[::-1]:
        id_list.append(entry)  # appending an existing child moves it: the order is reversed
    master.background.fill.solid()
    master.background.fill.fore_color.rgb = _BACKGROUND
    title_style = master._element.find(qn("p:txStyles")).find(qn("p:titleStyle"))
    run_style = title_style.find(qn("a:lvl1pPr")).find(qn("a:defRPr"))
    run_style.set("sz", "4000")
    run_style.find(qn("a:latin")).set("typeface", "Cambria")
    picture_layout = master.slide_layouts.get_by_name("Bild mit Überschrift")
    for placeholder in picture_layout.placeholders:
        kind = placeholder.placeholder_format.type
        if kind == PP_PLACEHOLDER.TITLE:
            placeholder.left, placeholder.top, placeholder.width, placeholder.height = (
                457200,
                274638,
                8229600,
                1143000,
            )
        elif kind == PP_PLACEHOLDER.PICTURE:
            placeholder.left, placeholder.top, placeholder.width, placeholder.height = (
                457200,
                1600200,
                4000000,
                4525963,
            )
        elif kind == PP_PLACEHOLDER.BODY:
            placeholder.left, placeholder.top, placeholder.width, placeholder.height = (
                4686800,
                1600200,
                4000000,
                4525963,
            )
    return _save(prs)


def without_body_layouts() -> bytes:
    prs = Presentation()
    _drop_layouts(prs, lambda layout: not _types(layout) & {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT})
    return _save(prs)


def minimal_template() -> bytes:
    """Only "Title and Content" and "Title Only": every other layout falls back."""
    prs = Presentation()
    _drop_layouts(prs, lambda layout: layout.name in ("Title and Content", "Title Only"))
    return _save(prs)


def as_potx(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "[Content_Types].xml":
                assert _PPTX_TYPE in content
                content = content.replace(_PPTX_TYPE, _POTX_TYPE)
            target.writestr(entry, content)
    return out.getvalue()


def with_slides() -> bytes:
    prs = Presentation()
    for text in ("Old cover", "Old content"):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = text
        slide.notes_slide.notes_text_frame.text = f"{text} notes"
    return _save(prs)


# -- decks -----------------------------------------------------------------------------------------------


def full_deck() -> Deck:
    """Every layout, with notes on some slides."""
    base = every_layout_deck()
    extra = (
        Slide(
            Layout.AGENDA,
            "Agenda",
            bullets=(Bullet("The market"), Bullet("Prices", 1), Bullet("The technology"), Bullet("Outlook")),
            notes="Keep it short.",
        ),
        Slide(
            Layout.TIMELINE,
            "Roadmap",
            body="Three phases.",
            steps=(
                Step("Pilot plants", "2024", "Two sites in Spain"),
                Step("Scale-up", "2026", "Ten sites"),
                Step("Export", "2028"),
            ),
        ),
        Slide(
            Layout.STATISTIC,
            "In numbers",
            statistics=(
                Statistic("42 %", "of new capacity", "worldwide, 2023"),
                Statistic("3.2 TW", "installed by 2030"),
            ),
        ),
        Slide(
            Layout.TWO_COLUMNS,
            "Without headings",
            left=Column(bullets=(Bullet("Left point"),)),
            right=Column(bullets=(Bullet("Right point"),)),
        ),
    )
    return Deck(base.title, base.slides + extra, subtitle=base.subtitle, author=base.author, tags=base.tags)


Rendered = tuple[TemplateInfo, Deck, Any, list[str]]


@pytest.fixture(scope="module", params=["default", "custom"])
def rendered(request: pytest.FixtureRequest) -> Rendered:
    template = default_template() if request.param == "default" else custom_template()
    deck = full_deck()
    data, warnings = render_with_template(deck, template, {IMAGE_URI: png()})
    return inspect_template(template), deck, _open(data), warnings


def _placeholders(slide: Any, *types: PP_PLACEHOLDER) -> list[Any]:
    return [shape for shape in slide.placeholders if shape.placeholder_format.type in types]


def _body(slide: Any) -> Any:
    (body,) = _placeholders(slide, PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
    return body


def _paragraphs(shape: Any) -> list[tuple[str, int]]:
    return [(paragraph.text, paragraph.level) for paragraph in shape.text_frame.paragraphs]


# -- inspecting ------------------------------------------------------------------------------------------


def test_the_default_template_serves_every_layout() -> None:
    info = inspect_template(default_template())
    assert info.layouts == tuple(Layout)
    assert info.problems == ()
    assert len(info.layout_names) == 11
    assert (info.slide_width, info.slide_height) == (9144000, 6858000)
    assert info.layout_for[Layout.TITLE] == "Title Slide"
    assert info.layout_for[Layout.SECTION] == "Section Header"
    assert info.layout_for[Layout.BULLETS] == "Title and Content"
    assert info.layout_for[Layout.TWO_COLUMNS] == "Two Content"
    assert info.layout_for[Layout.IMAGE_TEXT] == "Content with Caption"
    assert info.layout_for[Layout.CLOSING] == "Title Slide"
    for layout in (
        Layout.TABLE,
        Layout.CHART,
        Layout.QUOTE,
        Layout.AGENDA,
        Layout.TIMELINE,
        Layout.STATISTIC,
    ):
        assert info.layout_for[layout] == "Title and Content"


def test_layouts_are_mapped_by_placeholder_type_not_by_name_or_order() -> None:
    info = inspect_template(custom_template())
    assert info.layout_names == tuple(_GERMAN.values())[::-1]
    assert info.layouts == tuple(Layout)
    assert info.layout_for[Layout.TITLE] == "Titelfolie"
    assert info.layout_for[Layout.SECTION] == "Abschnittsüberschrift"
    assert info.layout_for[Layout.BULLETS] == "Titel und Inhalt"
    assert info.layout_for[Layout.TWO_COLUMNS] == "Zwei Inhalte"
    # Its picture layout now has room for text beside the picture, and a picture placeholder wins.
    assert info.layout_for[Layout.IMAGE_TEXT] == "Bild mit Überschrift"


def test_a_template_without_body_layouts_says_precisely_what_is_missing() -> None:
    with pytest.raises(TemplateError) as raised:
        inspect_template(without_body_layouts())
    assert raised.value.missing == [
        "a layout with a title placeholder and a body placeholder, needed for bullet slides"
    ]
    assert str(raised.value) == (
        "the template has no layout with a title placeholder and a body placeholder, needed for bullet slides"
    )
    with pytest.raises(TemplateError):
        render_with_template(full_deck(), without_body_layouts(), {})


def test_a_template_without_titles_lacks_both_essentials() -> None:
    prs = Presentation()
    _drop_layouts(prs, lambda layout: layout.name == "Blank")
    with pytest.raises(TemplateError) as raised:
        inspect_template(_save(prs))
    assert raised.value.missing == [
        "a layout with a title placeholder",
        "a layout with a title placeholder and a body placeholder, needed for bullet slides",
    ]
    assert "no layout with a title placeholder, and no layout with a title placeholder and a body" in str(
        raised.value
    )


@pytest.mark.parametrize(
    "data",
    [b"", b"not a presentation at all", b"PK\x03\x04broken", b"\x89PNG\r\n\x1a\n" + b"\0" * 64],
    ids=["empty", "text", "broken-zip", "png"],
)
def test_unreadable_files_are_rejected(data: bytes) -> None:
    with pytest.raises(TemplateError) as raised:
        inspect_template(data)
    assert str(raised.value).startswith("the file is not a readable PowerPoint file")
    assert raised.value.missing == []


def test_a_zip_that_is_not_a_presentation_is_rejected() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(TemplateError, match="not a readable PowerPoint file"):
        inspect_template(buffer.getvalue())


def test_a_potx_is_accepted_and_a_pptx_comes_out() -> None:
    potx = as_potx(default_template())
    with pytest.raises(ValueError, match="not a PowerPoint file"):
        _open(potx)  # why the content type is rewritten before python-pptx sees the package
    assert inspect_template(potx).layouts == tuple(Layout)
    data, _ = render_with_template(
        Deck("Deck", (Slide(Layout.BULLETS, "One", bullets=(Bullet("a"),)),)), potx
    )
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    assert _PPTX_TYPE in types and _POTX_TYPE not in types
    assert _open(data).slides[0].shapes.title.text == "One"


def test_missing_layouts_are_reported_and_fall_back_to_bullets() -> None:
    info = inspect_template(minimal_template())
    assert set(info.layouts) == set(Layout) - {Layout.SECTION, Layout.TWO_COLUMNS, Layout.IMAGE_TEXT}
    assert info.layout_for[Layout.TITLE] == "Title Only"
    assert info.layout_for[Layout.SECTION] == "Title and Content"
    problems = " ".join(info.problems)
    assert "section slides are drawn on the bullets layout" in problems
    assert "two-column slides" in problems and "image slides" in problems


# -- rendering -------------------------------------------------------------------------------------------


def test_slides_use_the_template_layouts(rendered: Rendered) -> None:
    info, deck, prs, _ = rendered
    assert len(prs.slides) == len(deck.slides)
    comparison = {"Comparison", "Vergleich"}
    for index, (source, slide) in enumerate(zip(deck.slides, prs.slides, strict=True)):
        # Columns with headings use the layout with a heading area over each column.
        expected = comparison if index == 3 else {info.layout_for[source.layout]}
        assert slide.slide_layout.name in expected, source.title


def test_the_template_master_and_its_styles_are_kept(rendered: Rendered) -> None:
    info, _, prs, _ = rendered
    assert len(prs.slide_masters) == 1
    assert tuple(layout.name for layout in prs.slide_layouts) == info.layout_names
    if info.layout_names[0] == "Vertikaler Titel und Text":  # the custom template
        assert prs.slide_master.background.fill.fore_color.rgb == _BACKGROUND
        style = prs.slide_master._element.find(qn("p:txStyles")).find(qn("p:titleStyle"))
        assert (
            style.find(qn("a:lvl1pPr")).find(qn("a:defRPr")).find(qn("a:latin")).get("typeface") == "Cambria"
        )
    for slide in prs.slides:
        # No slide paints its own background over the master's.
        assert slide._element.find(qn("p:cSld")).find(qn("p:bg")) is None
        for shape in slide.placeholders:
            if not shape.has_text_frame:
                continue
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    assert run.font.name is None, shape.name
                    assert run._r.find(qn("a:rPr")).find(qn("a:solidFill")) is None, shape.name


def test_every_title_placeholder_holds_the_slide_title(rendered: Rendered) -> None:
    _, deck, prs, _ = rendered
    for source, slide in zip(deck.slides, prs.slides, strict=True):
        (title,) = _placeholders(slide, *_TITLES)
        assert title.text_frame.text == source.title
        assert slide.shapes[0].shape_id == title.shape_id  # read first


def test_bullets_land_in_the_body_placeholder_with_their_levels(rendered: Rendered) -> None:
    _, deck, prs, _ = rendered
    source = deck.slides[2]
    body = _body(prs.slides[2])
    assert _paragraphs(body) == [(source.body, 0)] + [(b.text, b.level) for b in source.bullets]
    first = body.text_frame.paragraphs[0]._p
    assert first.find(qn("a:pPr")).find(qn("a:buNone")) is not None  # the body text is not a bullet
    agenda = _body(prs.slides[12])
    assert _paragraphs(agenda) == [(b.text, b.level) for b in deck.slides[12].bullets]
    numbering = [p._p.find(qn("a:pPr")) for p in agenda.text_frame.paragraphs]
    assert [n is not None and n.find(qn("a:buAutoNum")) is not None for n in numbering] == [
        True,
        False,
        True,
        True,
    ]


def test_covers_columns_and_quotes_fill_their_placeholders(rendered: Rendered) -> None:
    _, deck, prs, _ = rendered
    (subtitle,) = _placeholders(prs.slides[0], PP_PLACEHOLDER.SUBTITLE)
    assert subtitle.text_frame.text == deck.slides[0].subtitle
    assert _body(prs.slides[1]).text_frame.text == deck.slides[1].subtitle
    texts = sorted(
        (shape.left, shape.top, shape.text_frame.text)
        for shape in _placeholders(prs.slides[3], PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)
    )
    assert [text for _, _, text in texts] == [
        "Utility scale",
        "Lowest cost per kWh\nNeeds grid connection",
        "Rooftop",
        "Close to demand, higher cost per watt.",
    ]
    plain = sorted(
        (shape.left, shape.text_frame.text) for shape in _placeholders(prs.slides[15], PP_PLACEHOLDER.OBJECT)
    )
    assert [text for _, text in plain] == ["Left point", "Right point"]
    assert prs.slides[15].slide_layout.name in ("Two Content", "Zwei Inhalte")
    quote = _body(prs.slides[5]).text_frame.text
    assert (
        quote
        == "\u201cThe cheapest electricity in history is now solar.\u201d\n\u2014 IEA, World Energy Outlook"
    )


def test_no_empty_placeholder_remains(rendered: Rendered) -> None:
    _, _, prs, _ = rendered
    for index, slide in enumerate(prs.slides):
        for shape in slide.placeholders:
            assert not shape.has_text_frame or shape.text_frame.text.strip(), (index, shape.name)


def test_pictures_fill_their_area_and_keep_their_alt_text(rendered: Rendered) -> None:
    info, deck, prs, _ = rendered
    slide = prs.slides[6]
    (picture,) = [shape for shape in slide.shapes if shape._element.tag == qn("p:pic")]
    assert deck.slides[6].image is not None
    assert picture._element.nvPicPr.cNvPr.get("descr") == deck.slides[6].image.alt_text
    assert _body(slide).text_frame.text == "Bifacial modules\nSingle-axis trackers"
    if info.layout_for[Layout.IMAGE_TEXT] == "Bild mit Überschrift":
        # Inserted into the template's picture placeholder, cropped to fill it.
        assert picture.is_placeholder and picture.placeholder_format.type == PP_PLACEHOLDER.PICTURE
    else:
        assert picture.shape_type == MSO_SHAPE_TYPE.PICTURE
    # Cropped, not stretched: the visible part of the 800 x 300 picture has the frame's proportions.
    visible = (800 * (1 - picture.crop_left - picture.crop_right)) / (
        300 * (1 - picture.crop_top - picture.crop_bottom)
    )
    assert picture.crop_left > 0
    assert visible == pytest.approx(picture.width / picture.height, rel=0.01)


def test_tables_charts_and_free_shapes_sit_in_the_content_area(rendered: Rendered) -> None:
    _, deck, prs, _ = rendered
    (table,) = [shape for shape in prs.slides[4].shapes if shape.has_table]
    cells = [[cell.text for cell in row.cells] for row in table.table.rows]
    source = deck.slides[4].table
    assert source is not None
    assert cells == [list(source.header), *(list(row) for row in source.rows)]
    for index in (7, 8, 9, 10):
        charts = [shape for shape in prs.slides[index].shapes if shape.has_chart]
        assert len(charts) == 1
        assert charts[0]._element.nvGraphicFramePr.cNvPr.get("descr")
    # The chart slide with bullets keeps them in the body placeholder, beside the chart.
    body = _body(prs.slides[10])
    assert body.text_frame.text == "China leads by far" and body.left > charts[0].left
    steps = [shape.text_frame.text for shape in prs.slides[13].shapes if shape.name == "Step"]
    assert steps == ["2024\nPilot plants\nTwo sites in Spain", "2026\nScale-up\nTen sites", "2028\nExport"]
    assert _body(prs.slides[13]).text_frame.text == "Three phases."
    stats = [shape.text_frame.text for shape in prs.slides[14].shapes if shape.name == "Statistic"]
    assert stats == ["42 %\nof new capacity\nworldwide, 2023", "3.2 TW\ninstalled by 2030"]
    width, height = prs.slide_width, prs.slide_height
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.left + shape.width <= width, shape.name
            assert shape.top >= 0 and shape.top + shape.height <= height, shape.name


def test_speaker_notes_and_sources_are_written(rendered: Rendered) -> None:
    _, _, prs, _ = rendered
    assert prs.slides[0].notes_slide.notes_text_frame.text == "Welcome everyone."
    notes = prs.slides[2].notes_slide.notes_text_frame.text
    assert notes == "Mention the learning rate.\n\nSources: iea-report.pdf \u2014 section 2.1; notes.md"
    assert prs.slides[12].notes_slide.notes_text_frame.text == "Keep it short."


def test_the_deck_fits_without_warnings_and_renders_deterministically(rendered: Rendered) -> None:
    info, deck, _, warnings = rendered
    assert warnings == []
    template = default_template() if info.layout_names[0] == "Title Slide" else custom_template()
    first, _ = render_with_template(deck, template, {IMAGE_URI: png()})
    again, _ = render_with_template(deck, template, {IMAGE_URI: png()})
    assert first == again


def test_text_too_long_shrinks_then_autofits_and_warns() -> None:
    bullets = tuple(
        Bullet(f"Point {i}: " + "a rather long sentence about solar power " * 3) for i in range(6)
    )
    shrink = Slide(Layout.BULLETS, "Shrunk", bullets=bullets[:3])
    overflow = Slide(Layout.BULLETS, "Overflow", bullets=bullets * 3)
    data, warnings = render_with_template(Deck("Long", (shrink, overflow)), default_template())
    prs = _open(data)
    shrunk = _body(prs.slides[0])
    sizes = {run.font.size.pt for p in shrunk.text_frame.paragraphs for run in p.runs}
    assert len(sizes) == 1 and 12 <= sizes.pop() < 32  # below the template's 32 pt, above the floor
    assert shrunk.text_frame._txBody.bodyPr.find(qn("a:normAutofit")) is None
    crowded = _body(prs.slides[1])
    assert len(crowded.text_frame.paragraphs) == 18  # nothing is cut
    sizes = {run.font.size.pt for p in crowded.text_frame.paragraphs for run in p.runs}
    assert sizes == {12.0}
    scale = crowded.text_frame._txBody.bodyPr.find(qn("a:normAutofit")).get("fontScale")
    assert scale is not None and int(scale) < 100000
    assert len(warnings) == 1
    assert warnings[0].startswith("slide 2 ('Overflow'): the text is set at") and "autofit" in warnings[0]


def test_a_long_table_continues_on_the_next_slide() -> None:
    rows = tuple((f"Row {i}", ("many words in this cell " * 14).strip(), str(i)) for i in range(8))
    slide = Slide(Layout.TABLE, "Long table", table=Table(("Name", "Text", "N"), rows), notes="Table notes")
    data, warnings = render_with_template(Deck("Tables", (slide,)), default_template())
    prs = _open(data)
    assert len(prs.slides) >= 2
    shown = []
    for page in prs.slides:
        assert page.shapes.title.text == "Long table"
        (table,) = [shape for shape in page.shapes if shape.has_table]
        texts = [[cell.text for cell in row.cells] for row in table.table.rows]
        assert texts[0] == ["Name", "Text", "N"]  # the header repeats
        shown += texts[1:]
        assert table.top + table.height <= prs.slide_height
    assert shown == [list(row) for row in rows]
    assert prs.slides[0].notes_slide.notes_text_frame.text == "Table notes"
    more = len(prs.slides) - 1
    assert warnings == [
        f"slide 1 ('Long table'): the table is too long for one slide and continues on {more} more"
    ]


def test_fallbacks_on_a_minimal_template_lose_no_content() -> None:
    deck = Deck(
        "Minimal",
        (
            Slide(Layout.TITLE, "Cover", subtitle="The subtitle"),
            Slide(Layout.SECTION, "Section", subtitle="Part one"),
            Slide(
                Layout.TWO_COLUMNS,
                "Columns",
                left=Column("Left", (Bullet("l1"),)),
                right=Column("Right", (Bullet("r1", 1),)),
            ),
            Slide(
                Layout.IMAGE_TEXT,
                "Picture",
                bullets=(Bullet("Beside it"),),
                image=ImageRef(IMAGE_URI, "Panels"),
            ),
        ),
    )
    data, warnings = render_with_template(deck, minimal_template(), {IMAGE_URI: png()})
    assert warnings == []
    prs = _open(data)
    cover, section, columns, picture = prs.slides
    assert cover.slide_layout.name == "Title Only"
    assert [shape.text_frame.text for shape in cover.shapes if shape.name == "Subtitle"] == ["The subtitle"]
    assert section.slide_layout.name == "Title and Content"
    assert _body(section).text_frame.text == "Part one"
    assert _paragraphs(_body(columns)) == [("Left", 0), ("l1", 0), ("Right", 0), ("r1", 1)]
    (image,) = [shape for shape in picture.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    body = _body(picture)
    assert image._element.nvPicPr.cNvPr.get("descr") == "Panels"
    assert body.text_frame.text == "Beside it" and body.left >= image.left + image.width


def test_a_missing_picture_is_reported_and_its_text_kept() -> None:
    slide = Slide(
        Layout.IMAGE_TEXT, "No picture", bullets=(Bullet("Still here"),), image=ImageRef("gone.png", "x")
    )
    data, warnings = render_with_template(Deck("Deck", (slide,)), default_template(), {})
    prs = _open(data)
    assert prs.slides[0].slide_layout.name == "Title and Content"
    assert _body(prs.slides[0]).text_frame.text == "Still here"
    assert warnings == [
        "slide 1 ('No picture'): the picture 'gone.png' is missing or not a PNG, JPEG, GIF, BMP or TIFF "
        "image; the slide shows its text only"
    ]


def test_the_template_slides_are_not_copied() -> None:
    template = with_slides()
    info = inspect_template(template)
    assert any("2 slide(s) are not copied" in problem for problem in info.problems)
    data, _ = render_with_template(
        Deck("New", (Slide(Layout.BULLETS, "Fresh", bullets=(Bullet("x"),)),)), template
    )
    prs = _open(data)
    assert [slide.shapes.title.text for slide in prs.slides] == ["Fresh"]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sum(name.startswith("ppt/slides/slide") for name in names) == 1
    assert sum(name.startswith("ppt/notesSlides/") and name.endswith(".xml") for name in names) == 0


def test_an_introduction_above_two_columns_gets_a_band_of_its_own() -> None:
    slide = Slide(
        Layout.TWO_COLUMNS,
        "Columns",
        body="Both have their place.",
        left=Column(bullets=(Bullet("Left"),)),
        right=Column(bullets=(Bullet("Right"),)),
    )
    data, warnings = render_with_template(Deck("Deck", (slide,)), default_template())
    assert warnings == []
    page = _open(data).slides[0]
    assert [shape.name for shape in page.shapes][:2] == ["Title 1", "Introduction"]
    (intro,) = [shape for shape in page.shapes if shape.name == "Introduction"]
    assert intro.text_frame.text == "Both have their place."
    columns = _placeholders(page, PP_PLACEHOLDER.OBJECT)
    assert sorted(shape.text_frame.text for shape in columns) == ["Left", "Right"]
    assert all(shape.top >= intro.top + intro.height for shape in columns)
    assert all(shape.top + shape.height <= 1600200 + 4525963 for shape in columns)  # the layout's bottom


def test_vertical_text_layouts_are_never_used() -> None:
    prs = Presentation()
    _drop_layouts(prs, lambda layout: layout.name in ("Title and Content", "Title and Vertical Text"))
    info = inspect_template(_save(prs))
    # Its horizontal title alone does not make "Title and Vertical Text" a title-only layout.
    assert set(info.layout_for.values()) == {"Title and Content"}
    assert Layout.TITLE not in info.layouts


def _body_at(points: int) -> bytes:
    """The default template with its body text at `points` (and the levels below a little smaller)."""
    prs = Presentation()
    body_style = prs.slide_master._element.find(qn("p:txStyles")).find(qn("p:bodyStyle"))
    for level in range(1, 4):
        body_style.find(qn(f"a:lvl{level}pPr")).find(qn("a:defRPr")).set(
            "sz", str((points - 2 * level) * 100)
        )
    return _save(prs)


def test_a_sparse_slide_uses_its_room_within_the_type_scale() -> None:
    sparse = Slide(
        Layout.BULLETS,
        "Four points",
        bullets=tuple(Bullet(t) for t in ("Rents fell by 4%", "Vacancies rose", "Yields held", "Loans grew")),
    )
    full = Slide(
        Layout.BULLETS,
        "Six points",
        bullets=tuple(Bullet(f"Point {i}: " + "words in a line " * 12) for i in range(6)),
    )
    data, warnings = render_with_template(Deck("Room", (sparse, full)), _body_at(20))
    assert warnings == []
    prs = _open(data)
    roomy, crowded = _body(prs.slides[0]), _body(prs.slides[1])
    sizes = {run.font.size.pt for p in roomy.text_frame.paragraphs for run in p.runs}
    (size,) = sizes
    assert 18 < size <= 18 * 1.3  # larger than the template's 18 pt, within a step of the type scale
    first, second, *_ = roomy.text_frame.paragraphs
    assert first.space_before is None and second.space_before is not None
    assert size / 2 <= second.space_before.pt <= size * 1.5  # spread, by at most about a line
    # A full slide never grows: the template's sizes (or smaller), its own spacing.
    assert all(
        run.font.size is None or run.font.size.pt <= 18
        for p in crowded.text_frame.paragraphs
        for run in p.runs
    )
    assert all(p.space_before is None for p in crowded.text_frame.paragraphs)


def test_closing_takeaways_are_a_list_on_the_bullets_layout_and_a_closing_line_stays_centred() -> None:
    takeaways = Slide(
        Layout.CLOSING, "Key takeaways", bullets=(Bullet("Rents fell"), Bullet("Vacancies rose"))
    )
    thanks = Slide(Layout.CLOSING, "Thank you", subtitle="Questions?")
    data, _ = render_with_template(Deck("End", (takeaways, thanks)), default_template())
    prs = _open(data)
    assert _paragraphs(_body(prs.slides[0])) == [("Rents fell", 0), ("Vacancies rose", 0)]
    (subtitle,) = _placeholders(prs.slides[1], PP_PLACEHOLDER.SUBTITLE)
    assert subtitle.text_frame.text == "Questions?"


def test_a_quote_written_with_its_marks_fills_its_placeholder_with_one_pair() -> None:
    (para,) = _quote("\u201cA check that never fails proves nothing.\u201d", "")
    assert para.text == "\u201cA check that never fails proves nothing.\u201d"
