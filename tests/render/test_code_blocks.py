"""Code on slides: a panel below the text, monospace, every line's indentation kept, fitted by
shrinking within limits and continued on further slides when it is too long."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pptx import Presentation

from deckgen.domain import Bullet, CodeBlock, Deck, Layout, Quote, Slide, Table
from deckgen.render import fit_slide, get_theme, list_themes, render_pptx
from deckgen.render._contrast import contrast_ratio
from deckgen.render._plan import plan_slide
from deckgen.render.template import render_with_template

from .quality import deck_problems

PYTHON = """
def retry(call, attempts=3):
    for attempt in range(attempts):
\ttry:
            return call()

        except TimeoutError:
            pass
"""
EXPECTED = (
    "def retry(call, attempts=3):",
    "    for attempt in range(attempts):",
    "    try:",
    "            return call()",
    "",
    "        except TimeoutError:",
    "            pass",
)


def code_panels(prs: Any) -> list[tuple[int, Any]]:
    return [
        (n, shape) for n, slide in enumerate(prs.slides) for shape in slide.shapes if shape.name == "Code"
    ]


def panel_lines(shape: Any) -> list[str]:
    return [paragraph.text for paragraph in shape.text_frame.paragraphs]


def _open(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


@pytest.mark.parametrize("theme", list_themes(), ids=lambda t: t.id)
def test_code_is_drawn_monospace_on_a_readable_panel_below_the_text(theme: Any) -> None:
    slide = Slide(
        Layout.BULLETS, "Retrying", body="Back off between attempts:", code=CodeBlock(PYTHON, "python")
    )
    data = render_pptx(Deck("Code", slides=(slide,)), theme)
    prs = _open(data)
    [(_, panel)] = code_panels(prs)
    assert tuple(panel_lines(panel)) == EXPECTED, "indentation kept exactly, tabs as four spaces"
    runs = [run for p in panel.text_frame.paragraphs for run in p.runs]
    assert runs and {run.font.name for run in runs} == {"Courier New"}
    fill = str(panel.fill.fore_color.rgb)
    assert fill != theme.background, "the panel stands out"
    assert contrast_ratio(str(runs[0].font.color.rgb), fill) >= 4.5
    body = next(s for s in prs.slides[0].shapes if s.has_text_frame and "Back off" in s.text_frame.text)
    assert body.top + body.height <= panel.top, "the code sits below the text"
    assert deck_problems(data) == []


def test_wide_code_shrinks_rather_than_wrapping() -> None:
    theme = get_theme("default")
    code = "\n".join(
        f"    value_{n} = compute_something(argument_{n}, other_argument_{n}, third_one={n}) + {n}"
        for n in range(6)
    )
    plan = plan_slide(Slide(Layout.BULLETS, "Wide", code=CodeBlock(code)), theme)
    narrow = plan_slide(Slide(Layout.BULLETS, "Narrow", code=CodeBlock("x = 1\ny = 2")), theme)
    assert plan.code is not None and narrow.code is not None
    assert plan.code.size is not None and narrow.code.size is not None
    assert 12 <= plan.code.size < narrow.code.size


def test_long_code_continues_on_further_slides_with_every_line_in_order() -> None:
    lines = [f"{'    ' * (n % 3)}step_{n}()" for n in range(60)]
    slide = Slide(Layout.BULLETS, "Long script", body="The whole script:", code=CodeBlock("\n".join(lines)))
    parts = fit_slide(slide, get_theme("default")).slides
    assert len(parts) > 1
    shown = [line for part in parts if part.code is not None for line in part.code.text.splitlines()]
    assert shown == lines
    assert parts[0].body == "The whole script:"
    data = render_pptx(Deck("Long", slides=(slide,)), get_theme("default"))
    assert [line for _, panel in code_panels(_open(data)) for line in panel_lines(panel)] == lines
    assert deck_problems(data) == []


def test_code_on_a_layout_without_room_for_it_follows_on_its_own_slide() -> None:
    slide = Slide(
        Layout.TABLE,
        "Flags",
        table=Table(("Flag", "Effect"), (("--fast", "Twice as fast"),)),
        code=CodeBlock("deckgen --fast deck.md"),
    )
    parts = fit_slide(slide, get_theme("default")).slides
    assert [p.layout for p in parts] == [Layout.TABLE, Layout.BULLETS]
    assert parts[0].code is None and parts[1].code == slide.code


def test_text_and_code_too_big_together_keep_their_order() -> None:
    bullets = tuple(Bullet(f"Point {n}: " + "word " * 12) for n in range(9))
    code = "\n".join(f"line_{n} = {n}" for n in range(14))
    slide = Slide(Layout.BULLETS, "Both", bullets=bullets, code=CodeBlock(code))
    parts = fit_slide(slide, get_theme("default")).slides
    with_code = [i for i, part in enumerate(parts) if part.code is not None]
    assert with_code and all(not parts[i].bullets for i in with_code), "the code after the text"
    assert [b for p in parts for b in p.bullets] == list(bullets)
    assert with_code[0] > max(i for i, part in enumerate(parts) if part.bullets)


def test_the_line_that_announces_the_code_goes_with_it() -> None:
    bullets = (
        *(Bullet(f"Point {n}: " + "word " * 12) for n in range(5)),
        Bullet("Opt in with a helper fed by the events you already receive:"),
    )
    code = "\n".join(f"line_{n} = {n}" for n in range(14))
    slide = Slide(Layout.BULLETS, "Both", bullets=bullets, code=CodeBlock(code))
    parts = fit_slide(slide, get_theme("default")).slides
    assert len(parts) > 1
    announced = next(part for part in parts if part.code is not None)
    assert [b.text for b in announced.bullets] == [bullets[-1].text]
    assert [b for p in parts for b in p.bullets] == list(bullets)


def test_the_template_renderer_draws_code_on_a_panel() -> None:
    template = io.BytesIO()
    Presentation().save(template)
    deck = Deck(
        "Code",
        slides=(
            Slide(Layout.BULLETS, "Retrying", body="Back off:", code=CodeBlock(PYTHON)),
            Slide(Layout.QUOTE, "Said", quote=Quote("Hi"), code=CodeBlock("print('hi')")),
        ),
    )
    data, _ = render_with_template(deck, template.getvalue())
    panels = code_panels(_open(data))
    assert [n for n, _ in panels] == [0, 2]
    assert tuple(panel_lines(panels[0][1])) == EXPECTED
    assert panel_lines(panels[1][1]) == ["print('hi')"]
