from __future__ import annotations

import io
import random

import pytest
from pptx import Presentation

from deckgen.domain import (
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    Column,
    Deck,
    ImageRef,
    Layout,
    Quote,
    Slide,
    Table,
    Theme,
)
from deckgen.render import FitResult, fit_slide, list_themes, render_pptx
from deckgen.render._plan import plan_slide

from .decks import IMAGE_URI, png
from .overflow import find_overflows

THEMES = list_themes()
WORDS = [
    "solar",
    "wind",
    "storage",
    "grid",
    "transmission",
    "interconnection",
    "permitting",
    "financing",
    "supply",
    "chains",
    "polysilicon",
    "inverters",
    "trackers",
    "curtailment",
    "batteries",
    "hydrogen",
    "electrolysers",
    "demand",
    "response",
    "flexibility",
    "markets",
]


def words(count: int, offset: int = 0) -> str:
    return " ".join(WORDS[(offset + i) % len(WORDS)] for i in range(count))


def _normal(text: str) -> list[str]:
    return text.split()


def _flow_text(slides: tuple[Slide, ...]) -> list[str]:
    out: list[str] = []
    for slide in slides:
        out += _normal(slide.subtitle) + _normal(slide.body)
        for bullet in slide.bullets:
            out += _normal(bullet.text)
    return out


def _render_and_check(slides: tuple[Slide, ...], theme: Theme) -> int:
    data = render_pptx(Deck("Stress", slides), theme, {IMAGE_URI: png(300, 900)})
    assert find_overflows(data) == []
    return len(Presentation(io.BytesIO(data)).slides)


def test_a_slide_that_fits_is_returned_unchanged() -> None:
    slide = Slide(Layout.BULLETS, "Short", bullets=(Bullet("one"), Bullet("two")))
    result = fit_slide(slide, THEMES[0])
    assert result == FitResult((slide,), ())
    slides, warnings = result  # also the (slides, warnings) pair the pipeline's Fitter expects
    assert slides == (slide,)
    assert warnings == ()


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.id)
def test_too_many_bullets_split_without_losing_text(theme: Theme) -> None:
    bullets = tuple(Bullet(words(25, i), i % 3) for i in range(14))
    slide = Slide(
        Layout.BULLETS, "Everything we know about the grid", body=words(40), bullets=bullets, notes="n"
    )
    result = fit_slide(slide, theme)
    assert len(result.slides) > 1
    assert len(result.warnings) == 1
    assert "split into" in result.warnings[0]
    assert result.slides[0].title == slide.title
    assert all(s.title == f"{slide.title} (cont.)" for s in result.slides[1:])
    assert _flow_text(result.slides) == _flow_text((slide,))
    levels = [b.level for s in result.slides for b in s.bullets]
    assert levels == [b.level for b in bullets]
    assert result.slides[0].notes == "n"
    assert _render_and_check((slide,), theme) == len(result.slides)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.id)
def test_one_enormous_bullet_is_split_across_slides(theme: Theme) -> None:
    slide = Slide(Layout.BULLETS, "One long thought", bullets=(Bullet(words(900)),))
    result = fit_slide(slide, theme)
    assert len(result.slides) > 1
    assert _flow_text(result.slides) == _flow_text((slide,))
    assert _render_and_check((slide,), theme) == len(result.slides)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.id)
def test_long_title_moves_overflow_into_body(theme: Theme) -> None:
    title = words(60)
    slide = Slide(Layout.BULLETS, title, body="The original body.", bullets=(Bullet("a point"),))
    result = fit_slide(slide, theme)
    assert any("title" in warning for warning in result.warnings)
    first = result.slides[0]
    assert title.startswith(first.title)
    recovered = _normal(first.title) + _flow_text(result.slides)
    assert recovered == _normal(title) + _normal("The original body.") + ["a", "point"]
    assert _render_and_check((slide,), theme) == len(result.slides)


@pytest.mark.parametrize("layout", [Layout.TITLE, Layout.SECTION, Layout.CLOSING])
def test_long_cover_title_moves_overflow_into_subtitle(layout: Layout) -> None:
    theme = THEMES[0]
    slide = Slide(layout, words(70), subtitle="Subtitle")
    result = fit_slide(slide, theme)
    assert result.warnings
    assert _normal(result.slides[0].title) + _flow_text(result.slides) == [*_normal(slide.title), "Subtitle"]
    assert _render_and_check((slide,), theme) == len(result.slides)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.id)
def test_long_table_is_continued_with_its_header(theme: Theme) -> None:
    header = ("Topic", "Detail", "Owner")
    rows = tuple((f"Item {i}", words(12 + i % 7, i), "Team " + "ABC"[i % 3]) for i in range(20))
    slide = Slide(Layout.TABLE, "Action items", table=Table(header, rows))
    result = fit_slide(slide, theme)
    assert len(result.slides) >= 3
    assert all(s.table is not None and s.table.header == header for s in result.slides)
    assert all(s.table is not None and len(s.table.rows) <= 8 for s in result.slides)
    assert tuple(r for s in result.slides if s.table for r in s.table.rows) == rows
    assert _render_and_check((slide,), theme) == len(result.slides)


def test_a_table_cell_too_long_for_a_slide_is_split_by_rows() -> None:
    theme = THEMES[0]
    slide = Slide(Layout.TABLE, "Huge cell", table=Table(("A", "B"), (("short", words(700)),)))
    result = fit_slide(slide, theme)
    assert len(result.slides) > 1
    column = [w for s in result.slides if s.table for row in s.table.rows for w in row[1].split()]
    assert column == words(700).split()
    assert _render_and_check((slide,), theme) == len(result.slides)


def test_long_columns_quote_and_lead_are_split() -> None:
    theme = THEMES[2]
    slides = (
        Slide(
            Layout.TWO_COLUMNS,
            "Columns",
            left=Column("Left", tuple(Bullet(words(30, i)) for i in range(12))),
            right=Column("Right", body=words(50)),
        ),
        Slide(Layout.QUOTE, "Quote", quote=Quote(words(500), "Someone")),
        Slide(Layout.TABLE, "Lead", body=words(400), table=Table(("a", "b"), (("1", "2"),))),
        Slide(
            Layout.IMAGE_TEXT,
            "Picture",
            bullets=tuple(Bullet(words(30, i)) for i in range(12)),
            image=ImageRef(IMAGE_URI, "tall picture"),
        ),
        Slide(
            Layout.CHART,
            "Chart with notes",
            bullets=tuple(Bullet(words(30, i)) for i in range(12)),
            chart=None,
        ),
    )
    for slide in slides:
        result = fit_slide(slide, theme)
        assert len(result.slides) > 1, slide.title
    quote_parts = fit_slide(slides[1], theme).slides
    assert " ".join(p.quote.text for p in quote_parts if p.quote) == words(500)
    assert [p.quote.attribution for p in quote_parts if p.quote][-1] == "Someone"
    assert all(p.quote is not None and not p.quote.attribution for p in quote_parts[:-1])
    assert _render_and_check(slides, theme) == sum(len(fit_slide(s, theme).slides) for s in slides)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.id)
def test_unbreakable_words_and_non_ascii_text_never_overflow(theme: Theme) -> None:
    unbreakable = "x" * 400
    greek = "Η ηλιακή ενέργεια είναι η φθηνότερη πηγή ηλεκτρικής ενέργειας στην ιστορία " * 6  # noqa: RUF001
    cyrillic = "Солнечная энергетика стала самым дешёвым источником электроэнергии в истории " * 6
    accents = "Les énergies renouvelables façonnent l’économie; Förderung über Ökostrom " * 6  # noqa: RUF001
    slides = (
        Slide(
            Layout.BULLETS, "Supercalifragilistic" * 8, bullets=(Bullet(unbreakable), Bullet(unbreakable, 2))
        ),
        Slide(
            Layout.BULLETS,
            "Ελληνικά και Кириллица",
            bullets=(Bullet(greek), Bullet(cyrillic, 1), Bullet(accents)),
        ),
        Slide(
            Layout.TABLE,
            "Ünïcödé",
            table=Table(("Ελληνικά", "Русский"), ((greek, cyrillic), (unbreakable, "ok"))),
        ),
        Slide(
            Layout.TWO_COLUMNS,
            "Spalten",
            left=Column("Über", body=accents),
            right=Column("Русский", body=cyrillic),
        ),
        Slide(Layout.TITLE, "Énergie " + unbreakable, subtitle=greek),
        Slide(Layout.QUOTE, "Цитата", quote=Quote(cyrillic * 2, "Анонимный автор")),
    )
    count = _render_and_check(slides, theme)
    assert count >= len(slides)
    rendered = Presentation(io.BytesIO(render_pptx(Deck("d", slides), theme)))
    everything = " ".join(
        shape.text_frame.text for slide in rendered.slides for shape in slide.shapes if shape.has_text_frame
    ) + " ".join(
        cell.text
        for slide in rendered.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    )
    squeezed = "".join(everything.split())
    for text in ("Ηηλιακήενέργεια", "Солнечнаяэнергетика", "Förderungüber", "x" * 40):
        assert text in squeezed


def test_the_overflow_checker_catches_overflow() -> None:
    from pptx.util import Inches, Pt

    prs = Presentation()
    page = prs.slides.add_slide(prs.slide_layouts[6])
    box = page.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
    box.text_frame.word_wrap = True
    run = box.text_frame.paragraphs[0].add_run()
    run.text = words(40)
    run.font.size = Pt(24)
    run.font.name = "Calibri"
    buffer = io.BytesIO()
    prs.save(buffer)
    problems = find_overflows(buffer.getvalue())
    assert len(problems) == 1
    assert "needs" in problems[0].problem


def _random_slide(rng: random.Random, layout: Layout) -> Slide:
    def text(most: int) -> str:
        return words(rng.randint(1, most), rng.randint(0, 20))

    bullets = tuple(Bullet(text(60), rng.randint(0, 2)) for _ in range(rng.randint(0, 12)))
    body = text(120) if rng.random() < 0.5 else ""
    rows = tuple(tuple(text(25) for _ in range(3)) for _ in range(rng.randint(1, 14)))
    return Slide(
        layout,
        text(30),
        subtitle=text(40) if rng.random() < 0.3 else "",
        bullets=bullets,
        body=body,
        left=Column(text(8), bullets[: len(bullets) // 2], text(50)),
        right=Column(text(8), bullets[len(bullets) // 2 :]),
        table=Table(("One", "Two", "Three"), rows),
        quote=Quote(text(200), text(10)),
        image=ImageRef(IMAGE_URI, "picture") if rng.random() < 0.7 else None,
        chart=Chart(ChartType.BAR, ("a", "b"), (ChartSeries("s", (1.0, 2.0)),))
        if rng.random() < 0.7
        else None,
    )


@pytest.mark.parametrize("seed", range(3))
def test_random_slides_always_fit(seed: int) -> None:
    rng = random.Random(seed)
    theme = THEMES[seed % len(THEMES)]
    slides = tuple(_random_slide(rng, layout) for layout in Layout for _ in range(2))
    for slide in slides:
        for part in fit_slide(slide, theme).slides:
            assert plan_slide(part, theme).fits, part.title
    data = render_pptx(Deck("Random", slides), theme, {IMAGE_URI: png(500, 500)})
    assert find_overflows(data) == []


@pytest.mark.parametrize("seed", range(3))
def test_planning_without_growing_answers_as_the_full_plan_does(seed: int) -> None:
    # Fitting plans slides without growing sparse text (`roomy=False`): it must see the same layout,
    # the same fit and the same broken words, with every size the full plan's or, where that grew,
    # the body size the growth started from.
    rng = random.Random(seed)
    theme = THEMES[seed % len(THEMES)]
    sparse = [
        Slide(Layout.BULLETS, "Short", bullets=(Bullet("One idea"),)),
        Slide(Layout.BULLETS, "Pair", bullets=(Bullet("Fast"), Bullet("Cheap"), Bullet("Small"))),
        Slide(Layout.CLOSING, "Thanks", bullets=(Bullet("Questions welcome"),)),
        Slide(Layout.AGENDA, "Agenda", bullets=(Bullet("Why"), Bullet("How"))),
        Slide(
            Layout.TWO_COLUMNS, "Sides", left=Column("A", (Bullet("x"),)), right=Column("B", (Bullet("y"),))
        ),
    ]
    slides = sparse + [_random_slide(rng, layout) for layout in Layout for _ in range(3)]
    grown = 0
    for slide in slides:
        full, lean = plan_slide(slide, theme), plan_slide(slide, theme, roomy=False)
        assert (lean.layout, lean.fits, lean.broken_words) == (full.layout, full.fits, full.broken_words)
        assert [f.name for f in lean.frames] == [f.name for f in full.frames]
        for big, small in zip(full.frames, lean.frames, strict=True):
            if small.size != big.size:
                grown += 1
                assert big.size is not None and big.size > theme.body_size, (slide.title, big.name)
                assert small.size == float(int(theme.body_size)), (slide.title, big.name)
    assert grown >= len(sparse)  # the case this is about
