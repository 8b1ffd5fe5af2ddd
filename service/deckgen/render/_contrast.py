"""WCAG 2.1 contrast: luminance, ratios, nudging a colour until it is readable, and the role pairs checked.

Colours are six-digit RGB hex strings without '#', as in `Theme`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from deckgen.domain import Theme

__all__ = [
    "AA_LARGE",
    "AA_NORMAL",
    "NON_TEXT",
    "GRAPHIC_ROLES",
    "TEXT_ROLES",
    "RolePair",
    "adjust_for_contrast",
    "contrast_ratio",
    "mix",
    "relative_luminance",
    "role_colour",
]

AA_NORMAL = 4.5
"""WCAG 2.1 SC 1.4.3: text below 18 pt (14 pt bold)."""
AA_LARGE = 3.0
"""WCAG 2.1 SC 1.4.3: text of at least 18 pt, or 14 pt bold."""
NON_TEXT = 3.0
"""WCAG 2.1 SC 1.4.11: graphical objects needed to understand the content (chart series)."""

_STEPS = 256


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


# Pure functions of a few theme colours, called for every chart series and brand check of every
# deck: a render asks the same questions again and again.
@lru_cache(maxsize=4096)
def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an RRGGBB colour, 0 (black) to 1 (white)."""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21; symmetric."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(a: str, b: str, share: float) -> str:
    """`share` of colour b blended into colour a (the same blend the renderer uses)."""
    channels = [round(x * (1 - share) + y * share) for x, y in zip(_channels(a), _channels(b), strict=True)]
    return "".join(f"{c:02X}" for c in channels)


@lru_cache(maxsize=1024)
def adjust_for_contrast(colour: str, background: str, minimum: float) -> str:
    """`colour` mixed towards black or white, as little as needed, to reach `minimum` on `background`.

    Mixing with black or white keeps the hue. Of the two directions the one needing the smaller share
    wins; a colour that already passes is returned unchanged (upper-cased). If neither direction can
    reach `minimum`, the better of black and white is returned.
    """
    colour = colour.upper()
    if contrast_ratio(colour, background) >= minimum:
        return colour
    best: tuple[int, str] | None = None
    for extreme in ("000000", "FFFFFF"):
        for step in range(1, _STEPS + 1):
            candidate = mix(colour, extreme, step / _STEPS)
            if contrast_ratio(candidate, background) >= minimum:
                if best is None or step < best[0]:
                    best = (step, candidate)
                break
    if best is not None:
        return best[1]
    return max(("000000", "FFFFFF"), key=lambda extreme: contrast_ratio(extreme, background))


class RolePair(NamedTuple):
    foreground: str
    """A `Theme` colour field, or a derived role known to `role_colour`."""
    background: str
    minimum: float
    where: str
    """What the renderer draws with this pair, for humans and warnings."""


TEXT_ROLES: tuple[RolePair, ...] = (
    RolePair(
        "text",
        "background",
        AA_NORMAL,
        "body text, bullets, agenda items, quotes, step titles, number labels, chart text (the chart "
        "area is filled with the background)",
    ),
    RolePair("muted", "background", AA_NORMAL, "subtitles, step details, number context, attributions"),
    # Titles alone would need AA_LARGE, but primary also colours column headings, step labels and
    # big-number values, some drawn at body size.
    RolePair("primary", "background", AA_NORMAL, "titles, column headings, step labels, big numbers"),
    RolePair("background", "primary", AA_NORMAL, "table header text on the primary fill"),
    RolePair("text", "table_band", AA_NORMAL, "table rows on the banded fill"),
    RolePair("text", "code_panel", AA_NORMAL, "code on its panel"),
)
"""Every text-on-fill combination the renderer (`_plan.py`, `_pptx.py`) draws, with its WCAG AA minimum.

Extend this when the renderer puts a theme colour on a new fill; the theme tests check every pair for
every theme, and `apply_brand` keeps brand colours within these limits. tests/render/test_accessibility
reads rendered files back and fails on any text-on-fill pair drawn that is not listed here.
"""

GRAPHIC_ROLES: tuple[RolePair, ...] = (
    RolePair("accent", "background", NON_TEXT, "decoration bars and the second chart series"),
)
"""Non-text colours that carry meaning (chart series), WCAG 2.1 SC 1.4.11. Never used for text."""


def role_colour(theme: Theme, role: str) -> str:
    """The colour a role names: a `Theme` colour field or a fill the renderer derives from them."""
    if role == "table_band":
        return mix(theme.background, theme.muted, 0.08)
    if role == "code_panel":
        return mix(theme.background, theme.text, 0.07)
    value = getattr(theme, role)
    if not isinstance(value, str):
        raise TypeError(f"{role!r} is not a colour role")
    return value
