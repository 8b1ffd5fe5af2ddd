"""Themes as data: colours, fonts and sizes a renderer applies."""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.domain._deck import Layout

__all__ = ["Template", "Theme"]


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    display_name: str
    description: str
    background: str
    """Colours are six-digit RGB hex strings without '#'."""
    text: str
    primary: str
    accent: str
    muted: str
    heading_font: str
    """Font name written into the PPTX (what PowerPoint shows)."""
    body_font: str
    title_size: float = 40.0
    """Sizes in points: the largest a text may have; the renderer shrinks within [min, max]."""
    heading_size: float = 32.0
    body_size: float = 22.0
    min_body_size: float = 14.0
    dark: bool = False
    family: str = ""
    """Light and dark variants of one design share a family."""


@dataclass(frozen=True, slots=True)
class Template:
    """A user's .pptx whose masters, layouts and placeholders decks can be drawn with."""

    id: str
    display_name: str
    layouts: tuple[Layout, ...]
    """deckgen layouts the template can serve."""
    layout_names: tuple[str, ...]
    """The template's own layout names."""
    create_time: float = 0.0
    owner: str = ""
    """The principal that uploaded it; templates are never shared between principals."""

    @property
    def name(self) -> str:
        return f"templates/{self.id}"
