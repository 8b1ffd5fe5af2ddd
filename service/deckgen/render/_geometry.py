"""Where things go on a slide: every box, in one place, for both fitting and drawing.

Boxes are in inches on a 13.333 x 7.5 in (16:9) slide. Fitting measures text against exactly the
boxes the writer draws, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CELL_INSET_X",
    "CELL_INSET_Y",
    "CODE_PAD_X",
    "CODE_PAD_Y",
    "CONTENT",
    "CONTENT_BELOW_LEAD",
    "SECTION_BAND",
    "SIDE_BAR",
    "TITLE_RULE",
    "EMU_PER_INCH",
    "EMU_PER_POINT",
    "INSET_X",
    "INSET_Y",
    "LEAD",
    "LOGO",
    "TIMELINE_LINE_Y",
    "SLIDE_HEIGHT",
    "SLIDE_WIDTH",
    "TITLE",
    "Box",
    "CoverBoxes",
    "bullet_indent",
    "cover_boxes",
    "footer_boxes",
    "split_columns",
    "split_horizontal",
]

EMU_PER_INCH = 914400
EMU_PER_POINT = 12700

SLIDE_WIDTH = 13.333
SLIDE_HEIGHT = 7.5

INSET_X = 0.1
"""Text-frame insets (inches), written explicitly on every frame; PowerPoint's defaults."""
INSET_Y = 0.05
CELL_INSET_X = 0.08
CELL_INSET_Y = 0.05
CODE_PAD_X = 0.25
"""Text insets of a code panel: the code sits well inside its fill."""
CODE_PAD_Y = 0.15

_MARGIN = 0.6


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def inner_width_pt(self) -> float:
        return (self.w - 2 * INSET_X) * 72.0

    @property
    def inner_height_pt(self) -> float:
        return (self.h - 2 * INSET_Y) * 72.0

    def emu(self) -> tuple[int, int, int, int]:
        return (
            round(self.x * EMU_PER_INCH),
            round(self.y * EMU_PER_INCH),
            round(self.w * EMU_PER_INCH),
            round(self.h * EMU_PER_INCH),
        )


_FULL_WIDTH = SLIDE_WIDTH - 2 * _MARGIN

TITLE = Box(_MARGIN, 0.35, _FULL_WIDTH, 1.2)
"""The title of every content slide (not the cover, section and closing slides)."""
TITLE_RULE = Box(_MARGIN + INSET_X, 1.6, 1.2, 0.06)
CONTENT = Box(_MARGIN, 1.8, _FULL_WIDTH, 5.25)
"""Everything under the title."""
LEAD = Box(_MARGIN, 1.8, _FULL_WIDTH, 1.0)
"""An introductory paragraph above a table, two columns or a quote."""
CONTENT_BELOW_LEAD = Box(_MARGIN, 2.9, _FULL_WIDTH, 4.15)

_GUTTER = 0.4


def split_horizontal(area: Box, left_share: float) -> tuple[Box, Box]:
    """Two boxes side by side with a gutter; `left_share` of the usable width goes left."""
    usable = area.w - _GUTTER
    left_w = round(usable * left_share, 3)
    return (
        Box(area.x, area.y, left_w, area.h),
        Box(area.x + left_w + _GUTTER, area.y, usable - left_w, area.h),
    )


def split_columns(area: Box) -> tuple[Box, Box]:
    return split_horizontal(area, 0.5)


@dataclass(frozen=True, slots=True)
class CoverBoxes:
    title: Box
    subtitle: Box
    rule: Box


def cover_boxes(section: bool) -> CoverBoxes:
    """Title, section and closing slides: a large title over a rule and a subtitle."""
    left = 1.0
    width = SLIDE_WIDTH - left - 0.9
    if section:
        return CoverBoxes(
            Box(left, 1.7, width, 2.5), Box(left, 4.55, width, 2.2), Box(left + INSET_X, 4.35, 1.6, 0.08)
        )
    return CoverBoxes(
        Box(left, 1.2, width, 2.9), Box(left, 4.55, width, 2.3), Box(left + INSET_X, 4.3, 1.6, 0.08)
    )


def bullet_indent(level: int) -> tuple[float, float]:
    """(left margin, hanging indent) in inches of a bullet at `level`; the text starts at the margin."""
    return 0.35 + 0.4 * level, -0.3


def footer_boxes(logo: bool) -> tuple[Box, Box]:
    """(footer, slide number) in the bottom margin: the number at the right, left of the logo when
    there is one; the footer from the left margin up to the number."""
    right = LOGO.x - 0.15 if logo else SLIDE_WIDTH - _MARGIN
    number = Box(round(right - 0.9, 4), 7.08, 0.9, 0.34)
    return Box(_MARGIN, 7.08, round(number.x - 0.2 - _MARGIN, 4), 0.34), number


SECTION_BAND = Box(0.0, 0.0, 0.35, SLIDE_HEIGHT)
LOGO = Box(SLIDE_WIDTH - _MARGIN - 1.2, 7.1, 1.2, 0.32)
"""A brand logo, in the bottom margin of every slide, where no layout puts anything."""
TIMELINE_LINE_Y = 0.55
"""Inches below the top of a timeline's area where its line runs."""
SIDE_BAR = Box(_MARGIN, CONTENT.y, 0.08, CONTENT.h)
"""A picture's stand-in when a picture slide has no image bytes."""
