"""A caller's brand laid over a theme, without giving up readability."""

from __future__ import annotations

import dataclasses
import re

from deckgen.domain import Brand, Theme
from deckgen.render._contrast import GRAPHIC_ROLES, TEXT_ROLES, adjust_for_contrast, role_colour

__all__ = ["apply_brand"]

_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
_PURPOSE = {"primary": "keep titles and headings readable", "accent": "keep decorations and charts visible"}


def _checked(theme: Theme, role: str, colour: str) -> tuple[str, list[str]]:
    """`colour` in `role`, adjusted until every pair in which the role appears meets its minimum."""
    warnings: list[str] = []
    for pair in (*TEXT_ROLES, *GRAPHIC_ROLES):
        if role not in (pair.foreground, pair.background):
            continue
        other_role = pair.background if pair.foreground == role else pair.foreground
        other = role_colour(theme, other_role)
        adjusted = adjust_for_contrast(colour, other, pair.minimum)
        if adjusted != colour:
            verb = "lightened" if _lighter(adjusted, colour) else "darkened"
            warnings.append(
                f"brand {role} colour {colour} was {verb} to {adjusted} to "
                f"{_PURPOSE.get(role, 'stay readable')} on {other} ({pair.minimum:g}:1)"
            )
            colour = adjusted
    return colour, warnings


def _lighter(a: str, b: str) -> bool:
    return sum(int(a[i : i + 2], 16) for i in (0, 2, 4)) > sum(int(b[i : i + 2], 16) for i in (0, 2, 4))


def apply_brand(theme: Theme, brand: Brand | None) -> tuple[Theme, list[str]]:
    """`theme` with the brand's colours and fonts (its id kept), and warnings about what was changed.

    Empty brand fields keep the theme's values. A colour that is not six hex digits (an optional '#'
    aside) is ignored with a warning. A colour too faint for its role (`TEXT_ROLES`, `GRAPHIC_ROLES`)
    is mixed towards black or white until it passes, with a warning. Font names are written into the
    file as given; the fitter has exact metrics for Calibri, Cambria, Arial and Courier New only and
    measures other names with Caladea (serif-looking names) or Carlito, 15 % wider, or with the font
    fontconfig substitutes here when that is wider (`_fonts.font_file`), so text may end up a little smaller
    than the brand font would strictly need.
    """
    if brand is None:
        return theme, []
    warnings: list[str] = []
    colours = {"primary": theme.primary, "accent": theme.accent}
    for role, value in (("primary", brand.primary), ("accent", brand.accent)):
        value = value.strip()
        if not value:
            continue
        match = _HEX.fullmatch(value)
        if match is None:
            warnings.append(
                f"brand {role} colour {value!r} is not a six-digit hex colour (RRGGBB); "
                f"the theme's {getattr(theme, role)} is kept"
            )
            continue
        colour, adjusted = _checked(theme, role, match.group(1).upper())
        colours[role] = colour
        warnings += adjusted
    branded = dataclasses.replace(
        theme,
        primary=colours["primary"],
        accent=colours["accent"],
        heading_font=brand.heading_font.strip() or theme.heading_font,
        body_font=brand.body_font.strip() or theme.body_font,
    )
    return branded, warnings
