"""The built-in themes, as data. Every text colour meets WCAG 2.1 AA against its background."""

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
        accent="0EA5E9",
        muted="4B5563",
        heading_font="Calibri",
        body_font="Calibri",
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
    ),
)

THEMES: dict[str, Theme] = {theme.id: theme for theme in _ALL}
"""Theme id -> theme, "default" first."""


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
