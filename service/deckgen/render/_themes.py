"""The built-in themes, as data: six families, each with a light and a dark variant.

Every text colour meets WCAG 2.1 AA on the fill it is drawn on (`_contrast.TEXT_ROLES`); the accent,
which colours decorations and a chart series, has 3:1 on the background (`_contrast.GRAPHIC_ROLES`).
Fonts are limited to those the fitter can measure: Calibri, Cambria and Arial.
"""

from __future__ import annotations

from deckgen.domain import NotFound, Theme

__all__ = ["THEMES", "get_theme", "list_themes"]

_ALL = (
    Theme(
        id="default",
        display_name="Default",
        description="Light and plain: dark slate text on white, blue headings, Calibri.",
        background="FFFFFF",
        text="1F2937",
        primary="1D4ED8",
        accent="0284C7",
        muted="4B5563",
        heading_font="Calibri",
        body_font="Calibri",
        family="default",
    ),
    Theme(
        id="midnight",
        display_name="Midnight",
        description="Dark: pale text on deep navy, sky-blue headings, Arial.",
        background="0F172A",
        text="E2E8F0",
        primary="7DD3FC",
        accent="F472B6",
        muted="A5B4CB",
        heading_font="Arial",
        body_font="Arial",
        title_size=38.0,
        body_size=20.0,
        dark=True,
        family="default",
    ),
    Theme(
        id="editorial",
        display_name="Editorial",
        description="Warm paper, serif Cambria headings over Calibri text, oxblood accents.",
        background="FBF7F0",
        text="2B2118",
        primary="7F1D1D",
        accent="B45309",
        muted="5C4F42",
        heading_font="Cambria",
        body_font="Calibri",
        title_size=40.0,
        heading_size=30.0,
        family="editorial",
    ),
    Theme(
        id="editorial-dark",
        display_name="Editorial Dark",
        description="Espresso ground, cream text, serif Cambria headings in dusty rose, amber accents.",
        background="1C1612",
        text="F3EDE4",
        primary="F2A8A0",
        accent="E0A458",
        muted="C2B5A5",
        heading_font="Cambria",
        body_font="Calibri",
        title_size=40.0,
        heading_size=30.0,
        dark=True,
        family="editorial",
    ),
    Theme(
        id="forest",
        display_name="Forest",
        description="Pale sage paper, deep green Cambria headings, moss accents.",
        background="F7FAF5",
        text="1A2E1F",
        primary="166534",
        accent="4D7C0F",
        muted="4A5D4F",
        heading_font="Cambria",
        body_font="Calibri",
        family="forest",
    ),
    Theme(
        id="forest-dark",
        display_name="Forest Dark",
        description="Night-forest green ground, mint headings, lime accents.",
        background="0F1F17",
        text="E6F2EA",
        primary="86EFAC",
        accent="A3E635",
        muted="A7BFAF",
        heading_font="Cambria",
        body_font="Calibri",
        dark=True,
        family="forest",
    ),
    Theme(
        id="plum",
        display_name="Plum",
        description="Near-white with a violet cast, plum headings, orchid accents, Calibri.",
        background="FDFAFD",
        text="2A1B2E",
        primary="6B21A8",
        accent="A21CAF",
        muted="5B4B60",
        heading_font="Calibri",
        body_font="Calibri",
        family="plum",
    ),
    Theme(
        id="plum-dark",
        display_name="Plum Dark",
        description="Aubergine ground, lavender headings, orchid accents, Calibri.",
        background="1E1326",
        text="F3E8FF",
        primary="D8B4FE",
        accent="F0ABFC",
        muted="BFAECB",
        heading_font="Calibri",
        body_font="Calibri",
        dark=True,
        family="plum",
    ),
    Theme(
        id="sunrise",
        display_name="Sunrise",
        description="Warm cream, burnt-orange Arial headings, raspberry accents.",
        background="FFFBF5",
        text="2D1B0E",
        primary="C2410C",
        accent="DB2777",
        muted="5E4B3C",
        heading_font="Arial",
        body_font="Calibri",
        family="sunrise",
    ),
    Theme(
        id="sunrise-dark",
        display_name="Sunrise Dark",
        description="Dark umber ground, apricot Arial headings, pink accents.",
        background="2A1608",
        text="FFF1E6",
        primary="FDBA74",
        accent="F9A8D4",
        muted="D6BFAE",
        heading_font="Arial",
        body_font="Calibri",
        dark=True,
        family="sunrise",
    ),
    Theme(
        id="graphite",
        display_name="Graphite",
        description="Monochrome: near-black Arial on white, grey accents, no colour at all.",
        background="FFFFFF",
        text="171717",
        primary="262626",
        accent="737373",
        muted="525252",
        heading_font="Arial",
        body_font="Arial",
        family="graphite",
    ),
    Theme(
        id="graphite-dark",
        display_name="Graphite Dark",
        description="Monochrome on charcoal: off-white Arial, grey accents.",
        background="18181B",
        text="F4F4F5",
        primary="FAFAFA",
        accent="A1A1AA",
        muted="B4B4BB",
        heading_font="Arial",
        body_font="Arial",
        dark=True,
        family="graphite",
    ),
)

THEMES: dict[str, Theme] = {theme.id: theme for theme in _ALL}
"""Theme id -> theme, "default" first; a family's light variant precedes its dark one."""


def get_theme(theme_id: str) -> Theme:
    try:
        return THEMES[theme_id]
    except KeyError:
        known = ", ".join(THEMES)
        raise NotFound(
            f"unknown theme {theme_id!r}; known themes: {known}",
            resource_type="deckgen.v1.Theme",
            resource_name=theme_id,
        ) from None


def list_themes() -> tuple[Theme, ...]:
    return _ALL
