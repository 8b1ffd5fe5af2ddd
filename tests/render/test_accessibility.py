"""WCAG 2.1 AA contrast for every text the renderer draws, in every theme and under brands.

Two views that must agree: the roles `_contrast.TEXT_ROLES` declares (what `apply_brand` keeps
readable), and what rendered files really contain, read back run by run with the fill behind each
(`a11y.text_samples`). A text role added to the renderer shows up in the files; if it is not
declared, or not readable, these tests fail.
"""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Inches, Pt

from deckgen.domain import Brand, Theme
from deckgen.render import apply_brand, list_themes
from deckgen.render._contrast import AA_LARGE, AA_NORMAL, TEXT_ROLES, contrast_ratio, role_colour
from tests.render.a11y import TextSample, contrast_problems, text_samples
from tests.render.corpus import BRANDS, cases, rendered
from tests.render.decks import png

THEMES = list_themes()
_RGB: Any = RGBColor  # python-pptx leaves from_string unannotated


def _rgb(colour: str) -> RGBColor:
    return cast("RGBColor", _RGB.from_string(colour))


_BRAND_CASES = [case for case in cases() if "+" in case.name]


def _declared(theme: Theme) -> dict[tuple[str, str], float]:
    """(text colour, fill) -> WCAG minimum, for every declared role in `theme`."""
    pairs: dict[tuple[str, str], float] = {}
    for pair in TEXT_ROLES:
        key = (role_colour(theme, pair.foreground), role_colour(theme, pair.background))
        pairs[key] = max(pairs.get(key, 0.0), pair.minimum)
    return pairs


@pytest.mark.parametrize(
    ("theme", "brand"),
    [(theme, None) for theme in THEMES] + [(theme, brand) for theme in THEMES for brand in BRANDS.values()],
    ids=[theme.id for theme in THEMES] + [f"{t.id}+{n}" for t in THEMES for n in BRANDS],
)
def test_every_declared_text_role_meets_aa(theme: Theme, brand: Brand | None) -> None:
    branded, _ = apply_brand(theme, brand)
    for (text, fill), minimum in _declared(branded).items():
        assert minimum >= AA_NORMAL, "every role may be drawn at body size"
        assert contrast_ratio(text, fill) >= minimum, (branded.id, text, fill)


def _check(name: str, theme: Theme) -> list[TextSample]:
    samples, problems = text_samples(rendered(name))
    assert problems == []
    assert samples, "a rendered deck has text"
    failing = [str(s) for s in samples if s.ratio < s.required]
    assert failing == []
    declared = _declared(theme)
    undeclared = sorted(
        {(s.shape, s.colour, s.background) for s in samples}
        - {(s.shape, s.colour, s.background) for s in samples if (s.colour, s.background) in declared}
    )
    assert undeclared == [], "a text role that _contrast.TEXT_ROLES does not declare"
    return samples


@pytest.mark.parametrize("theme", THEMES, ids=[t.id for t in THEMES])
def test_every_run_of_every_layout_is_readable_and_declared(theme: Theme) -> None:
    names = ("every-layout", "edge", "technical")
    samples = [sample for name in names for sample in _check(f"{theme.id}/{name}", theme)]
    seen = {(s.colour, s.background) for s in samples}
    # And the other way round: every declared role is really drawn (none is stale).
    assert set(_declared(theme)) <= seen


@pytest.mark.parametrize("name", [case.name for case in _BRAND_CASES])
def test_brand_overrides_stay_readable(name: str) -> None:
    case = next(case for case in _BRAND_CASES if case.name == name)
    branded, _ = apply_brand(case.theme, case.deck.brand)
    _check(name, branded)


def test_brand_colours_that_pass_are_used_as_given() -> None:
    case = next(case for case in _BRAND_CASES if case.name == "default/every-layout+brand")
    samples, _ = text_samples(rendered(case.name))
    titles = {s.colour for s in samples if s.shape.startswith("Title")}
    assert titles == {"0B5FFF"}


def test_brand_colours_that_fail_are_adjusted_in_the_file() -> None:
    case = next(case for case in _BRAND_CASES if case.name == "default/every-layout+pale-brand")
    branded, warnings = apply_brand(case.theme, case.deck.brand)
    samples, _ = text_samples(rendered(case.name))
    titles = {s.colour for s in samples if s.shape.startswith("Title")}
    assert titles == {branded.primary} and branded.primary != "FFE066"
    assert any("FFE066" in warning for warning in warnings)


# ---------------------------------------------------------------------------------------------------
# The reader cannot be fooled


def _deck(build: object) -> bytes:
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    assert callable(build)
    build(slide)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _text_box(slide: object, text: str, size: float, colour: str | None, bold: bool = False) -> object:
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))  # type: ignore[attr-defined]
    run = box.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = _rgb(colour)
    return box


def _white(slide: object) -> None:
    fill = slide.background.fill  # type: ignore[attr-defined]
    fill.solid()
    fill.fore_color.rgb = _rgb("FFFFFF")


def test_wcag_large_text_thresholds() -> None:
    grey = "777777"  # 4.48:1 on white: enough for large text only
    for size, bold, fails in ((12, False, True), (14, False, True), (14, True, False), (18, False, False)):

        def build(slide: object, size: float = size, bold: bool = bold) -> None:
            _white(slide)
            _text_box(slide, "sample", size, grey, bold)

        problems = contrast_problems(_deck(build))
        assert bool(problems) is fails, (size, bold, problems)
    assert AA_LARGE == 3.0


def test_text_without_an_explicit_colour_is_a_problem() -> None:
    def build(slide: object) -> None:
        _white(slide)
        _text_box(slide, "inherits its colour", 20, None)

    assert any("without an explicit colour" in p for p in contrast_problems(_deck(build)))


def test_a_slide_without_its_own_background_is_a_problem() -> None:
    assert any(
        "background" in p for p in contrast_problems(_deck(lambda slide: _text_box(slide, "x", 20, "000000")))
    )


def test_text_over_a_picture_is_a_problem() -> None:
    def build(slide: object) -> None:
        _white(slide)
        slide.shapes.add_picture(io.BytesIO(png()), Inches(0), Inches(0), Inches(6), Inches(3))  # type: ignore[attr-defined]
        _text_box(slide, "over the picture", 20, "000000")

    assert any("drawn over" in p for p in contrast_problems(_deck(build)))


def test_text_on_a_filled_shape_is_measured_against_that_fill() -> None:
    def build(slide: object) -> None:
        _white(slide)
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0), Inches(0), Inches(6), Inches(3))  # type: ignore[attr-defined]
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb("1D4ED8")
        _text_box(slide, "white on blue", 12, "FFFFFF")

    samples, problems = text_samples(_deck(build))
    assert problems == []
    assert {(s.colour, s.background) for s in samples} == {("FFFFFF", "1D4ED8")}

    def partly(slide: object) -> None:
        _white(slide)
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0), Inches(0), Inches(2), Inches(3))  # type: ignore[attr-defined]
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb("1D4ED8")
        _text_box(slide, "white, partly on blue", 12, "FFFFFF")

    # Where the band does not reach, the white slide is behind the text too.
    assert any("FFFFFF on FFFFFF" in p for p in contrast_problems(_deck(partly)))
