"""restrict_layout: content of a forbidden layout is re-cast, never dropped."""

from __future__ import annotations

from deckgen.domain import (
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    Column,
    Layout,
    Quote,
    Slide,
    Statistic,
    Step,
    Table,
    restrict_layout,
)

ONLY_BULLETS = (Layout.TITLE, Layout.BULLETS)


def test_allowed_or_unrestricted_slides_are_untouched() -> None:
    slide = Slide(Layout.QUOTE, "Q", quote=Quote("Be brief.", "Anon"))
    assert restrict_layout(slide, ()) is slide
    assert restrict_layout(slide, (Layout.QUOTE, Layout.BULLETS)) is slide


def test_a_chart_becomes_a_table_when_tables_are_allowed_else_bullets() -> None:
    chart = Chart(ChartType.COLUMN, ("Q1", "Q2"), (ChartSeries("Revenue", (4.2, 5.0)),))
    slide = Slide(Layout.CHART, "Revenue", chart=chart)
    as_table = restrict_layout(slide, (Layout.BULLETS, Layout.TABLE))
    assert as_table.layout is Layout.TABLE and as_table.chart is None
    assert as_table.table == Table(("", "Revenue"), (("Q1", "4.2"), ("Q2", "5")))
    as_bullets = restrict_layout(slide, ONLY_BULLETS)
    assert [b.text for b in as_bullets.bullets] == ["Revenue — Q1 4.2, Q2 5"]


def test_every_kind_of_content_survives_as_bullets() -> None:
    slides = [
        Slide(Layout.TIMELINE, "T", steps=(Step("Launch", "2024", "First users"), Step("Scale", "2025"))),
        Slide(Layout.STATISTIC, "S", statistics=(Statistic("42 %", "faster", "p95"),)),
        Slide(
            Layout.TWO_COLUMNS,
            "C",
            left=Column("Before", (Bullet("one call"),)),
            right=Column("After", (Bullet("streams"),)),
        ),
        Slide(Layout.TABLE, "Tb", table=Table(("a", "b"), (("1", "2"),))),
        Slide(Layout.QUOTE, "Q", quote=Quote("Be brief.", "Anon")),
        Slide(Layout.AGENDA, "A", bullets=(Bullet("Intro"), Bullet("Next"))),
    ]
    texts = [restrict_layout(slide, ONLY_BULLETS) for slide in slides]
    assert all(slide.layout is Layout.BULLETS for slide in texts)
    assert [b.text for b in texts[0].bullets] == ["2024 — Launch — First users", "2025 — Scale"]
    assert [b.text for b in texts[1].bullets] == ["42 % — faster — p95"]
    assert [(b.text, b.level) for b in texts[2].bullets] == [
        ("Before", 0),
        ("one call", 1),
        ("After", 0),
        ("streams", 1),
    ]
    assert [b.text for b in texts[3].bullets] == ["1 · 2"]
    assert texts[4].body == "“Be brief.” — Anon"
    assert [b.text for b in texts[5].bullets] == ["Intro", "Next"]


def test_title_and_section_slides_fall_back_to_each_other() -> None:
    section = Slide(Layout.SECTION, "Part two", subtitle="Scaling")
    assert restrict_layout(section, (Layout.TITLE, Layout.BULLETS)).layout is Layout.TITLE
    title = Slide(Layout.TITLE, "Deck", subtitle="Sub")
    fallback = restrict_layout(title, (Layout.BULLETS,))
    assert fallback.layout is Layout.BULLETS and fallback.body == "Sub"
