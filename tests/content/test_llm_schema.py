"""Parsing what a model wrote into slides: strict about the bounds, precise about what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from deckgen.content.llm._schema import (
    CONTENT_LAYOUTS,
    OUTLINE_SCHEMA,
    SLIDE_SCHEMA,
    ParsedSlide,
    parse_outline_item,
    parse_slide,
)
from deckgen.domain import (
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    Column,
    Layout,
    OutlineItem,
    Quote,
    SourceRef,
    Table,
    limits,
)

REFS = {
    "S1": SourceRef("intro-to-grpc.md", "An Introduction to gRPC"),
    "S2": SourceRef("intro-to-grpc.md", "An Introduction to gRPC > How messages travel"),
}


def parse(
    data: Any, *, speaker_notes: bool = True, wants_image: bool = False
) -> tuple[ParsedSlide | None, list[str]]:
    return parse_slide(data, REFS, speaker_notes=speaker_notes, wants_image=wants_image)


def ok(data: Any, **options: bool) -> ParsedSlide:
    parsed, problems = parse(data, **options)
    assert problems == []
    assert parsed is not None
    return parsed


def problems_of(data: Any, **options: bool) -> list[str]:
    parsed, problems = parse(data, **options)
    assert parsed is None
    assert problems
    return problems


# -- good slides ---------------------------------------------------------------------------------


def test_a_good_bullets_slide() -> None:
    parsed = ok(
        {
            "layout": "bullets",
            "title": "  Why   teams choose\ngRPC ",
            "subtitle": "In short",
            "bullets": [
                {"text": "One contract", "level": 0},
                {"text": "Generated on both sides", "level": 1},
                {"text": "Streaming built in"},
                "Plain strings are bullets too",
            ],
            "notes": "Start with the contract.",
            "sources": ["S1", "S2", "S1"],
            "table": {"header": ["ignored"], "rows": [["x"]]},
        }
    )
    slide = parsed.slide
    assert slide.layout is Layout.BULLETS
    assert slide.title == "Why teams choose gRPC"
    assert slide.subtitle == "In short"
    assert slide.bullets == (
        Bullet("One contract", 0),
        Bullet("Generated on both sides", 1),
        Bullet("Streaming built in", 0),
        Bullet("Plain strings are bullets too", 0),
    )
    assert slide.notes == "Start with the contract."
    assert slide.sources == (REFS["S1"], REFS["S2"])
    # Content for another layout is not carried onto the slide.
    assert slide.table is None
    assert parsed.image_prompt == ""


def test_a_body_alone_makes_a_bullets_slide_and_layout_names_are_forgiving() -> None:
    slide = ok({"layout": " Bullets ", "title": "T", "body": "Just a paragraph."}).slide
    assert slide.layout is Layout.BULLETS
    assert slide.body == "Just a paragraph."
    assert slide.bullets == ()


def test_a_good_two_columns_slide() -> None:
    slide = ok(
        {
            "layout": "two_columns",
            "title": "Pros and cons",
            "left": {"heading": "Pros", "bullets": ["Younger customers", {"text": "Margin", "level": 1}]},
            "right": {"heading": "Cons", "bullets": [{"text": "Cleaning costs", "level": 0}]},
        }
    ).slide
    assert slide.layout is Layout.TWO_COLUMNS
    assert slide.left == Column("Pros", (Bullet("Younger customers"), Bullet("Margin", 1)))
    assert slide.right == Column("Cons", (Bullet("Cleaning costs"),))


def test_a_good_table_slide() -> None:
    slide = ok(
        {
            "layout": "table",
            "title": "Call kinds",
            "table": {
                "header": ["Kind", "Client", "Server"],
                "rows": [["Unary", "one", "one"], ["Bidirectional", "many", " many "]],
            },
        }
    ).slide
    assert slide.table == Table(
        ("Kind", "Client", "Server"), (("Unary", "one", "one"), ("Bidirectional", "many", "many"))
    )


def test_a_good_chart_slide() -> None:
    slide = ok(
        {
            "layout": "chart",
            "title": "Revenue",
            "chart": {
                "type": "Column",
                "categories": ["Q1", "Q2", "Q3"],
                "series": [{"name": "Revenue", "values": [1, 2.5, 3]}, {"name": "Cost", "values": [1, 1, 1]}],
            },
        }
    ).slide
    assert slide.chart == Chart(
        ChartType.COLUMN,
        ("Q1", "Q2", "Q3"),
        (ChartSeries("Revenue", (1.0, 2.5, 3.0)), ChartSeries("Cost", (1.0, 1.0, 1.0))),
    )


def test_a_good_quote_slide() -> None:
    slide = ok(
        {
            "layout": "quote",
            "title": "On failure",
            "quote": {"text": "The network is reliable until you depend on it.", "attribution": "An SRE"},
        }
    ).slide
    assert slide.quote == Quote("The network is reliable until you depend on it.", "An SRE")


def test_image_text_keeps_its_prompt_and_other_layouts_drop_it() -> None:
    parsed = ok(
        {"layout": "image_text", "title": "T", "body": "Beside it.", "image_prompt": "a marsh at dawn"},
        wants_image=True,
    )
    assert parsed.image_prompt == "a marsh at dawn"
    bullets = ok({"layout": "bullets", "title": "T", "body": "x", "image_prompt": "unused"})
    assert bullets.image_prompt == ""


@pytest.mark.parametrize("layout", [Layout.SECTION, Layout.CLOSING])
def test_section_and_closing_need_only_a_title(layout: Layout) -> None:
    assert ok({"layout": layout.value, "title": "Next"}).slide.layout is layout


# -- problems ------------------------------------------------------------------------------------


def test_too_many_bullets() -> None:
    bullets = [f"point {i}" for i in range(limits.MAX_BULLETS + 1)]
    assert problems_of({"layout": "bullets", "title": "T", "bullets": bullets}) == [
        f"bullets: {limits.MAX_BULLETS + 1} bullets, at most {limits.MAX_BULLETS}"
    ]


def test_too_long_bullet_and_title() -> None:
    data = {
        "layout": "bullets",
        "title": "t" * (limits.MAX_TITLE_CHARS + 1),
        "bullets": ["ok", {"text": "x" * (limits.MAX_BULLET_CHARS + 1), "level": 0}],
    }
    assert problems_of(data) == [
        f"title: {limits.MAX_TITLE_CHARS + 1} characters, at most {limits.MAX_TITLE_CHARS}",
        f"bullets[1].text: {limits.MAX_BULLET_CHARS + 1} characters, at most {limits.MAX_BULLET_CHARS}",
    ]


@pytest.mark.parametrize("level", [3, -1, "1", 1.0, None])
def test_bad_bullet_level(level: object) -> None:
    data = {"layout": "bullets", "title": "T", "bullets": ["fine", {"text": "bad", "level": level}]}
    assert problems_of(data) == [f"bullets[1].level: must be 0 to {limits.MAX_BULLET_LEVEL}"]


def test_empty_bullet_and_empty_title() -> None:
    assert problems_of({"layout": "bullets", "title": "  ", "bullets": [" ", {"level": 0}]}) == [
        "title: must not be empty",
        "bullets[0].text: must not be empty",
        "bullets[1].text: must not be empty",
    ]


def test_table_row_width_mismatch() -> None:
    data = {
        "layout": "table",
        "title": "T",
        "table": {"header": ["A", "B", "C"], "rows": [["1", "2", "3"], ["1", "2"], ["1", "2", "3", "4"]]},
    }
    assert problems_of(data) == [
        "table.rows[1]: 2 cells for 3 columns",
        "table.rows[2]: 4 cells for 3 columns",
    ]


def test_table_without_header_or_rows() -> None:
    assert problems_of({"layout": "table", "title": "T", "table": {"header": [], "rows": []}}) == [
        "table.header: must list the column names",
        "table.rows: must have at least one row",
    ]


def test_chart_values_count_mismatch() -> None:
    data = {
        "layout": "chart",
        "title": "T",
        "chart": {
            "type": "bar",
            "categories": ["a", "b", "c"],
            "series": [
                {"name": "short", "values": [1, 2]},
                {"name": "fine", "values": [1, 2, 3]},
                {"name": "not numbers", "values": [1, "2", True]},
            ],
        },
    }
    assert problems_of(data) == [
        "chart.series[0].values: must be 3 numbers, one per category",
        "chart.series[2].values: must be 3 numbers, one per category",
    ]


def test_chart_of_unknown_type() -> None:
    data = {"layout": "chart", "title": "T", "chart": {"type": "radar", "categories": ["a"], "series": []}}
    assert problems_of(data) == [
        "chart.type: must be one of bar, column, line, pie",
        "chart.series: must have at least one series",
    ]


@pytest.mark.parametrize("layout", ["carousel", "title", "", None, 3])
def test_unknown_layout(layout: object) -> None:
    names = ", ".join(layout.value for layout in CONTENT_LAYOUTS)
    assert problems_of({"layout": layout, "title": "T", "body": "x"}) == [f"layout: must be one of {names}"]


LEFT_ONLY = {"heading": "L", "bullets": ["a"]}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"layout": "bullets"}, "layout bullets: needs bullets or a body"),
        ({"layout": "bullets", "bullets": []}, "layout bullets: needs bullets or a body"),
        ({"layout": "two_columns", "left": LEFT_ONLY}, "layout two_columns: needs left and right columns"),
        ({"layout": "table"}, "layout table: needs a table"),
        ({"layout": "chart"}, "layout chart: needs a chart"),
        ({"layout": "quote"}, "layout quote: needs a quote"),
        (
            {"layout": "image_text", "image_prompt": "p"},
            "layout image_text: needs bullets or a body beside the picture",
        ),
    ],
)
def test_missing_layout_content(data: dict[str, Any], problem: str) -> None:
    assert problems_of({"title": "T", **data}, wants_image=True) == [problem]


def test_image_text_needs_a_prompt_only_when_an_image_is_wanted() -> None:
    data = {"layout": "image_text", "title": "T", "bullets": ["a"]}
    assert problems_of(data, wants_image=True) == [
        "image_prompt: layout image_text needs a prompt describing the picture"
    ]
    assert ok(data, wants_image=False).image_prompt == ""


def test_wrong_shapes_are_named() -> None:
    data = {
        "layout": "two_columns",
        "title": 7,
        "bullets": "a, b",
        "left": ["a"],
        "right": {"heading": "R", "bullets": ["b"]},
        "quote": "words",  # a two-column slide shows no quote: not checked, not an error
    }
    assert problems_of(data) == [
        "title: must be a string",
        "bullets: must be a list",
        "left: must be an object with heading and bullets",
        "layout two_columns: needs left and right columns",
    ]


def test_fields_the_layout_does_not_use_are_not_validated() -> None:
    verbose = {
        "layout": "bullets",
        "title": "Quarterly results",
        "bullets": ["Revenue grew", "Costs fell"],
        "chart": {"type": "pie", "categories": ["a category name far longer than forty characters"] * 30},
        "table": {"header": [], "rows": "none"},
        "quote": "not an object",
        "steps": [{"title": ""}] * 12,
        "statistics": "many",
        "left": 3,
        "image_prompt": "x" * 5000,
    }
    parsed = ok(verbose, wants_image=True)
    assert parsed.slide.layout is Layout.BULLETS and parsed.slide.chart is None
    assert parsed.image_prompt == ""
    # The same chart on a chart slide is still checked.
    assert "chart.categories[0]: 48 characters, at most 40" in problems_of({**verbose, "layout": "chart"})


@pytest.mark.parametrize("data", [None, [], "a slide", 3])
def test_a_reply_that_is_not_an_object(data: object) -> None:
    assert parse(data) == (None, ["the reply must be one JSON object describing the slide"])


# -- sources and notes ---------------------------------------------------------------------------


def test_invented_source_ids_are_dropped_not_errors() -> None:
    slide = ok({"layout": "section", "title": "T", "sources": ["S9", "S2", 2, None, "s1", "S2"]}).slide
    assert slide.sources == (REFS["S2"],)
    assert ok({"layout": "section", "title": "T", "sources": "S1"}).slide.sources == ()


def test_speaker_notes_off_drops_notes_even_invalid_ones() -> None:
    long_notes = "word " * 1000
    data = {"layout": "section", "title": "T", "notes": long_notes}
    assert ok(data, speaker_notes=False).slide.notes == ""
    assert problems_of(data, speaker_notes=True) == ["notes: 4999 characters, at most 3000"]
    assert ok({**data, "notes": " Say\n hello "}, speaker_notes=True).slide.notes == "Say hello"


# -- outline items -------------------------------------------------------------------------------


def test_outline_item_is_forgiving() -> None:
    item = parse_outline_item(
        {
            "title": "  Streaming \n calls ",
            "layout": "CHART",
            "key_points": ["  one   point ", "", "   ", 42, *(f"p{i}" for i in range(10))],
            "section": "  Basics ",
        }
    )
    assert item == OutlineItem(
        "Streaming calls", Layout.CHART, ("one point", "42", "p0", "p1", "p2", "p3"), "Basics"
    )


def test_outline_item_defaults_and_repairs() -> None:
    assert parse_outline_item({"title": "T"}) == OutlineItem("T", Layout.BULLETS, (), "")
    unknown = parse_outline_item({"title": "T", "layout": "carousel", "key_points": "a", "section": 3})
    assert unknown == OutlineItem("T", Layout.BULLETS, (), "")
    long = parse_outline_item({"title": "x" * (limits.MAX_TITLE_CHARS * 3)})
    assert long is not None and long.title == "x" * limits.MAX_TITLE_CHARS


@pytest.mark.parametrize("data", [None, "T", ["T"], {}, {"title": ""}, {"title": "   "}, {"title": 5}])
def test_outline_item_without_a_title_is_none(data: object) -> None:
    assert parse_outline_item(data) is None


def test_outline_item_drops_null_key_points() -> None:
    item = parse_outline_item({"title": "T", "key_points": ["a", None]})
    assert item is not None and item.key_points == ("a",)


# -- schemas -------------------------------------------------------------------------------------


def test_schemas_offer_exactly_the_content_layouts() -> None:
    names = [layout.value for layout in CONTENT_LAYOUTS]
    assert SLIDE_SCHEMA["properties"]["layout"]["enum"] == names
    assert OUTLINE_SCHEMA["properties"]["slides"]["items"]["properties"]["layout"]["enum"] == names
    assert "title" not in names
    assert SLIDE_SCHEMA["properties"]["bullets"]["maxItems"] == limits.MAX_BULLETS
