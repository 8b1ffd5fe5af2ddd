"""The outline: the deck's plan, reviewed (and possibly edited) before slides are written."""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.domain._deck import Layout

__all__ = ["Outline", "OutlineItem"]


@dataclass(frozen=True, slots=True)
class OutlineItem:
    title: str
    layout: Layout = Layout.BULLETS
    key_points: tuple[str, ...] = ()
    section: str = ""
    """Title of the section this slide belongs to, if the deck has sections."""


@dataclass(frozen=True, slots=True)
class Outline:
    title: str
    items: tuple[OutlineItem, ...]
    subtitle: str = ""
