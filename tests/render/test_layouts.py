"""The agenda, timeline and statistic layouts, and the geometry every layout shares."""

from __future__ import annotations

import pytest

from deckgen.domain import Bullet, Layout, Quote, Slide, Statistic, Step
from deckgen.render import _geometry as geo
from deckgen.render import fit_slide, get_theme, list_themes
from deckgen.render._layout import agenda_numbered, number_agenda
from deckgen.render._plan import mirror, plan_slide
from tests.render.corpus import corpus

THEME = get_theme("default")


def _steps(count: int, detail: str = "") -> tuple[Step, ...]:
    return tuple(Step(f"Step {n}", f"Q{n}", detail) for n in range(1, count + 1))


def _intersects(a: geo.Box, b: geo.Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


@pytest.mark.parametrize("count", range(1, 9))
def test_up_to_eight_steps_share_one_line(count: int) -> None:
    slide = Slide(Layout.TIMELINE, "Roadmap", steps=_steps(count))
    assert fit_slide(slide, THEME).slides == (slide,)
    plan = plan_slide(slide, THEME)
    boxes = [frame.box for frame in plan.frames if frame.name.startswith("step")]
    assert len(boxes) == count
    assert len({box.y for box in boxes}) == 1, "one row"
    assert [box.x for box in boxes] == sorted(box.x for box in boxes)


@pytest.mark.parametrize(("count", "parts"), [(9, [5, 4]), (12, [6, 6]), (17, [6, 6, 5])])
def test_longer_timelines_continue_evenly(count: int, parts: list[int]) -> None:
    result = fit_slide(Slide(Layout.TIMELINE, "Roadmap", body="Where we go.", steps=_steps(count)), THEME)
    assert [len(s.steps) for s in result.slides] == parts
    assert [step for s in result.slides for step in s.steps] == list(_steps(count))
    assert result.slides[0].body == "Where we go." and all(not s.body for s in result.slides[1:])


def test_long_step_texts_shrink_first_then_spread_over_more_slides() -> None:
    short = Slide(Layout.TIMELINE, "Roadmap", steps=_steps(4, "A sentence of detail for this step."))
    assert fit_slide(short, THEME).slides == (short,)
    size = plan_slide(short, THEME).frames[0].size
    wordy = Slide(Layout.TIMELINE, "Roadmap", steps=_steps(4, " ".join(["detail"] * 40)))
    plan = plan_slide(wordy, THEME)
    assert plan.fits and plan.frames[0].size is not None and size is not None
    assert plan.frames[0].size < size, "shrunk"
    huge = Slide(Layout.TIMELINE, "Roadmap", steps=_steps(6, " ".join(["detail"] * 90)))
    parts = fit_slide(huge, THEME).slides
    assert len(parts) > 1 and all(part.layout is Layout.TIMELINE for part in parts)
    assert [step for part in parts for step in part.steps] == list(huge.steps)


def test_steps_spread_rather_than_break_words_mid_word() -> None:
    slide = Slide(
        Layout.TIMELINE, "Roadmap", steps=tuple(Step("Internationalisation", f"{n}") for n in range(8))
    )
    parts = fit_slide(slide, THEME).slides
    assert all(not plan_slide(part, THEME).broken_words for part in parts)
    assert len(parts) > 1


def test_a_step_that_cannot_fit_even_alone_becomes_bullets_without_losing_words() -> None:
    slide = Slide(Layout.TIMELINE, "Roadmap", steps=(Step("Alone", "1", " ".join(["word"] * 900)),))
    parts = fit_slide(slide, THEME).slides
    assert all(plan_slide(part, THEME).fits for part in parts)
    words = " ".join(b.text for part in parts for b in part.bullets) + " ".join(p.body for p in parts)
    assert words.count("word") == 900


@pytest.mark.parametrize(("count", "parts"), [(1, [1]), (3, [3]), (4, [2, 2]), (5, [3, 2]), (7, [3, 2, 2])])
def test_statistics_show_at_most_three_a_slide(count: int, parts: list[int]) -> None:
    numbers = tuple(Statistic(f"{n} %", f"label {n}") for n in range(count))
    result = fit_slide(Slide(Layout.STATISTIC, "Numbers", statistics=numbers), THEME)
    assert [len(s.statistics) for s in result.slides] == parts


def test_big_numbers_are_large_and_in_the_primary_colour() -> None:
    plan = plan_slide(Slide(Layout.STATISTIC, "Numbers", statistics=(Statistic("42 %", "of all"),)), THEME)
    value = next(frame for frame in plan.frames if frame.name == "value1")
    assert value.size is not None and value.size >= 28
    assert value.paras[0].color == THEME.primary and value.paras[0].bold


def test_agenda_items_are_numbered_and_go_on_counting_on_a_continuation() -> None:
    bullets = tuple(Bullet(f"Topic {n}: " + " ".join(["words"] * 30)) for n in range(1, 15))
    result = fit_slide(Slide(Layout.AGENDA, "Agenda", bullets=bullets), THEME)
    assert len(result.slides) > 1
    assert all(part.layout is Layout.AGENDA for part in result.slides)
    texts = [b.text for part in result.slides for b in part.bullets]
    assert [t.split(".")[0] for t in texts] == [str(n) for n in range(1, 15)]
    assert all(agenda_numbered(part.bullets) for part in result.slides)
    short = plan_slide(Slide(Layout.AGENDA, "Agenda", bullets=(Bullet("One"), Bullet("Two"))), THEME)
    assert [p.text for p in short.frames[0].paras] == ["1. One", "2. Two"]


def test_an_agenda_written_with_numbers_is_not_numbered_twice() -> None:
    written = (Bullet("1. Start"), Bullet("details", 1), Bullet("2) End"))
    assert agenda_numbered(written)
    plan = plan_slide(Slide(Layout.AGENDA, "Agenda", bullets=written), THEME)
    assert [p.text for p in plan.frames[0].paras] == ["1. Start", "details", "2) End"]
    assert [b.text for b in number_agenda((Bullet("a"), Bullet("b", 1), Bullet("c")))] == [
        "1. a",
        "b",
        "2. c",
    ]
    assert not agenda_numbered((Bullet("3.5 million users"), Bullet("2030 goals")))


def _every_plan() -> list[tuple[str, object]]:
    slides = [slide for _, deck in corpus() for slide in deck.slides]
    return [
        (f"{theme.id}:{part.title[:20]}", plan_slide(part, theme))
        for theme in list_themes()[:4]
        for slide in slides
        for part in fit_slide(slide, theme).slides
    ]


def test_no_layout_draws_into_the_logo_corner_or_off_the_slide() -> None:
    for name, plan in _every_plan():
        for box in _boxes(plan):
            for candidate in (box, mirror_box(box)):
                assert not _intersects(candidate, geo.LOGO), name
                assert candidate.x >= 0 and candidate.x + candidate.w <= geo.SLIDE_WIDTH + 1e-6, name
                assert candidate.y >= 0 and candidate.y + candidate.h <= geo.SLIDE_HEIGHT + 1e-6, name


def mirror_box(box: geo.Box) -> geo.Box:
    return geo.Box(geo.SLIDE_WIDTH - box.x - box.w, box.y, box.w, box.h)


def _boxes(plan: object) -> list[geo.Box]:
    from deckgen.render._plan import Plan

    assert isinstance(plan, Plan)
    boxes = [plan.title.box, *(frame.box for frame in plan.frames), *plan.decorations]
    boxes += [box for box in (plan.chart, plan.picture) if box is not None]
    if plan.table is not None:
        boxes.append(plan.table.box)
    return boxes


def test_mirroring_reflects_every_box_and_keeps_the_sizes() -> None:
    slide = next(s for _, d in corpus() for s in d.slides if s.layout is Layout.TIMELINE)
    plan = plan_slide(slide, THEME)
    mirrored = mirror(plan)
    assert [f.size for f in mirrored.frames] == [f.size for f in plan.frames]
    for original, reflected in zip(_boxes(plan), _boxes(mirrored), strict=True):
        assert reflected.x == pytest.approx(geo.SLIDE_WIDTH - original.x - original.w, abs=1e-3)
        assert (reflected.y, reflected.w, reflected.h) == (original.y, original.w, original.h)


def test_a_quote_written_with_its_marks_is_drawn_with_one_pair() -> None:
    slide = Slide(Layout.QUOTE, "Checks", quote=Quote("\u201cA check that never fails proves nothing.\u201d"))
    quote = plan_slide(slide, get_theme("default")).frame("quote")
    assert quote is not None
    assert quote.paras[0].text == "\u201cA check that never fails proves nothing.\u201d", quote.paras
