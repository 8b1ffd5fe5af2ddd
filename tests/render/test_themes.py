from __future__ import annotations

from collections import defaultdict

import pytest

from deckgen.domain import NotFound
from deckgen.render import THEMES, get_theme, list_themes


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("FFFFFF", "000000") == pytest.approx(21.0)
    assert contrast("777777", "FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", list_themes(), ids=lambda t: t.id)
def test_theme_colours_meet_wcag_aa(theme) -> None:  # type: ignore[no-untyped-def]
    assert contrast(theme.text, theme.background) >= 4.5
    # Subtitles, attributions and table headers are text too, so they get the body-text bar.
    assert contrast(theme.muted, theme.background) >= 4.5
    assert contrast(theme.primary, theme.background) >= 4.5
    assert contrast(theme.accent, theme.background) >= 1.5  # decoration only, never text


def test_themes_listed_in_a_stable_order_default_first() -> None:
    ids = [theme.id for theme in list_themes()]
    assert ids[0] == "default"
    assert {"default", "midnight", "editorial"} <= set(ids)
    assert ids == list(THEMES)
    assert get_theme("midnight").dark
    assert get_theme("editorial").heading_font == "Cambria"


def test_unknown_theme_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        get_theme("neon")
    assert caught.value.resource_type == "deckgen.v1.Theme"
    assert caught.value.resource_name == "neon"


def test_families_each_have_a_light_and_a_dark_variant() -> None:
    themes = list_themes()
    ids = [theme.id for theme in themes]
    assert len(ids) == len(set(ids))
    assert all(theme.family for theme in themes)
    variants: defaultdict[str, list[bool]] = defaultdict(list)
    for theme in themes:
        variants[theme.family].append(theme.dark)
    assert len(variants) >= 6
    for family, darks in variants.items():
        assert sorted(darks) == [False, True], family
    assert get_theme("midnight").family == get_theme("default").family


def test_themes_use_only_measurable_fonts() -> None:
    for theme in list_themes():
        assert {theme.heading_font, theme.body_font} <= {"Calibri", "Cambria", "Arial"}, theme.id
