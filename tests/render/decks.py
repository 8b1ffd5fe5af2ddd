"""Sample decks for the render tests: every layout, and content built to overflow."""

from __future__ import annotations

import io

from PIL import Image

from deckgen.domain import (
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    Column,
    Deck,
    ImageRef,
    Layout,
    Quote,
    Slide,
    SourceRef,
    Table,
)

__all__ = ["IMAGE_URI", "every_layout_deck", "png"]

IMAGE_URI = "presentations/p1/artifacts/slide-7.png"


def png(width: int = 800, height: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def every_layout_deck() -> Deck:
    slides = (
        Slide(
            Layout.TITLE,
            "Solar power in 2030",
            subtitle="Where the next terawatt comes from",
            notes="Welcome everyone.",
        ),
        Slide(Layout.SECTION, "Part one: the market", subtitle="Prices and volumes"),
        Slide(
            Layout.BULLETS,
            "Why costs keep falling",
            body="Three forces drive module prices down.",
            bullets=(
                Bullet("Manufacturing scale", 0),
                Bullet("Larger wafers and thinner cells", 1),
                Bullet("Perovskite tandems in pilot lines", 2),
                Bullet("Cheaper balance of system", 0),
            ),
            notes="Mention the learning rate.",
            sources=(SourceRef("iea-report.pdf", "section 2.1"), SourceRef("notes.md")),
        ),
        Slide(
            Layout.TWO_COLUMNS,
            "Utility vs rooftop",
            left=Column("Utility scale", (Bullet("Lowest cost per kWh"), Bullet("Needs grid connection"))),
            right=Column("Rooftop", body="Close to demand, higher cost per watt."),
        ),
        Slide(
            Layout.TABLE,
            "Installed capacity",
            table=Table(
                ("Region", "2023 (GW)", "2030 (GW)"),
                (("China", "609", "1800"), ("Europe", "263", "750"), ("United States", "175", "600")),
            ),
        ),
        Slide(
            Layout.QUOTE,
            "A view from the field",
            quote=Quote("The cheapest electricity in history is now solar.", "IEA, World Energy Outlook"),
        ),
        Slide(
            Layout.IMAGE_TEXT,
            "A modern plant",
            bullets=(Bullet("Bifacial modules"), Bullet("Single-axis trackers")),
            image=ImageRef(IMAGE_URI, "Rows of solar panels in a desert at noon"),
        ),
        Slide(
            Layout.CHART,
            "Module prices",
            chart=Chart(
                ChartType.LINE,
                ("2010", "2015", "2020", "2025"),
                (ChartSeries("USD/W", (1.9, 0.6, 0.2, 0.1)),),
                title="Average module price",
            ),
        ),
        Slide(
            Layout.CHART,
            "Capacity by segment",
            chart=Chart(
                ChartType.COLUMN,
                ("Utility", "Commercial", "Residential"),
                (ChartSeries("2023", (250.0, 120.0, 80.0)), ChartSeries("2030", (900.0, 300.0, 200.0))),
            ),
        ),
        Slide(
            Layout.CHART,
            "Share of new capacity",
            chart=Chart(ChartType.PIE, ("Solar", "Wind", "Other"), (ChartSeries("Share", (0.6, 0.3, 0.1)),)),
        ),
        Slide(
            Layout.CHART,
            "Top markets",
            chart=Chart(ChartType.BAR, ("China", "EU", "US"), (ChartSeries("GW", (609.0, 263.0, 175.0)),)),
            bullets=(Bullet("China leads by far"),),
        ),
        Slide(Layout.CLOSING, "Thank you", subtitle="Questions?"),
    )
    return Deck("Solar power in 2030", slides, subtitle="A briefing", author="Test Author", tags=("energy",))
