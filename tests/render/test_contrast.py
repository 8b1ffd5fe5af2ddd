from __future__ import annotations

import pytest

from deckgen.domain import Brand, Theme
from deckgen.render import get_theme, list_themes
from deckgen.render._brand import apply_brand
from deckgen.render._contrast import (
    AA_LARGE,
    AA_NORMAL,
    GRAPHIC_ROLES,
    TEXT_ROLES,
    RolePair,
    adjust_for_contrast,
    contrast_ratio,
    relative_luminance,
    role_colour,
)


def test_wcag_reference_values() -> None:
    assert relative_luminance("FFFFFF") == pytest.approx(1.0)
    assert relative_luminance("000000") == pytest.approx(0.0)
    assert contrast_ratio("FFFFFF", "000000") == pytest.approx(21.0)
    assert contrast_ratio("000000", "FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("777777", "FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("1D4ED8", "1D4ED8") == pytest.approx(1.0)
    assert AA_NORMAL == 4.5 and AA_LARGE == 3.0


@pytest.mark.parametrize(
    ("colour", "background", "minimum"),
    [
        ("7FB2FF", "FFFFFF", AA_LARGE),
        ("7FB2FF", "FFFFFF", AA_NORMAL),
        ("777777", "FFFFFF", AA_NORMAL),
        ("1D4ED8", "0F172A", AA_NORMAL),
        ("FFEE00", "FBF7F0", AA_NORMAL),
        ("330000", "1C1612", AA_LARGE),
    ],
)
def test_adjust_for_contrast_meets_target_and_stays_close(
    colour: str, background: str, minimum: float
) -> None:
    adjusted = adjust_for_contrast(colour, background, minimum)
    assert contrast_ratio(adjusted, background) >= minimum
    # Minimal: the adjustment overshoots the target by little.
    assert contrast_ratio(adjusted, background) < minimum + 0.25
    channels = [int(adjusted[i : i + 2], 16) - int(colour[i : i + 2], 16) for i in (0, 2, 4)]
    assert all(c <= 0 for c in channels) or all(c >= 0 for c in channels)  # towards black or white


def test_adjust_for_contrast_keeps_a_passing_colour() -> None:
    assert adjust_for_contrast("1d4ed8", "FFFFFF", AA_NORMAL) == "1D4ED8"
    assert adjust_for_contrast("777777", "FFFFFF", AA_NORMAL) == "767676"


def test_adjust_for_contrast_chooses_the_direction_that_works() -> None:
    assert relative_luminance(adjust_for_contrast("7FB2FF", "FFFFFF", AA_NORMAL)) < relative_luminance(
        "7FB2FF"
    )
    assert relative_luminance(adjust_for_contrast("1D4ED8", "0F172A", AA_NORMAL)) > relative_luminance(
        "1D4ED8"
    )


_PAIRS = [
    pytest.param(theme, pair, id=f"{theme.id}-{pair.foreground}-on-{pair.background}")
    for theme in list_themes()
    for pair in (*TEXT_ROLES, *GRAPHIC_ROLES)
]


@pytest.mark.parametrize(("theme", "pair"), _PAIRS)
def test_every_theme_meets_every_role_pair(theme: Theme, pair: RolePair) -> None:
    ratio = contrast_ratio(role_colour(theme, pair.foreground), role_colour(theme, pair.background))
    assert ratio >= pair.minimum, f"{pair.where}: {ratio:.2f} < {pair.minimum}"


def test_role_list_covers_the_known_roles() -> None:
    pairs = {(p.foreground, p.background): p.minimum for p in TEXT_ROLES}
    assert pairs[("text", "background")] >= AA_NORMAL
    assert pairs[("muted", "background")] >= AA_NORMAL
    # Titles are large text, but primary also colours body-size headings and labels.
    assert pairs[("primary", "background")] >= AA_NORMAL
    assert pairs[("background", "primary")] >= AA_NORMAL  # table header text on the primary fill
    assert all(p.foreground != "accent" for p in TEXT_ROLES)


def test_no_brand_returns_the_theme_unchanged() -> None:
    theme = get_theme("default")
    assert apply_brand(theme, None) == (theme, [])
    assert apply_brand(theme, Brand()) == (theme, [])


def test_brand_colours_and_fonts_replace_the_themes() -> None:
    theme = get_theme("editorial")
    branded, warnings = apply_brand(theme, Brand("#0b3d91", "C2410C", "Georgia", "Arial"))
    assert warnings == []
    assert branded.id == "editorial"
    assert (branded.primary, branded.accent) == ("0B3D91", "C2410C")
    assert (branded.heading_font, branded.body_font) == ("Georgia", "Arial")
    assert (branded.background, branded.text, branded.muted) == (theme.background, theme.text, theme.muted)


def test_too_light_primary_is_darkened_on_a_light_theme() -> None:
    theme = get_theme("default")
    branded, warnings = apply_brand(theme, Brand(primary="7FB2FF"))
    assert contrast_ratio(branded.primary, theme.background) >= AA_NORMAL
    assert relative_luminance(branded.primary) < relative_luminance("7FB2FF")
    assert len(warnings) == 1
    assert warnings[0].startswith(f"brand primary colour 7FB2FF was darkened to {branded.primary}")
    assert "FFFFFF (4.5:1)" in warnings[0]


def test_too_dark_primary_is_lightened_on_a_dark_theme() -> None:
    theme = get_theme("midnight")
    branded, warnings = apply_brand(theme, Brand(primary="1D4ED8", accent="3B0764"))
    assert theme.dark
    assert contrast_ratio(branded.primary, theme.background) >= AA_NORMAL
    assert contrast_ratio(branded.accent, theme.background) >= 3.0
    assert relative_luminance(branded.primary) > relative_luminance("1D4ED8")
    assert [w.split(" was ")[0] for w in warnings] == [
        "brand primary colour 1D4ED8",
        "brand accent colour 3B0764",
    ]
    assert all(" lightened to " in w for w in warnings)


def test_invalid_brand_colour_is_ignored_with_a_warning() -> None:
    theme = get_theme("forest")
    branded, warnings = apply_brand(theme, Brand(primary="blue", accent="12345"))
    assert (branded.primary, branded.accent) == (theme.primary, theme.accent)
    assert len(warnings) == 2
    assert "'blue' is not a six-digit hex colour" in warnings[0]
