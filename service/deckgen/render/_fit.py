"""Fitting: a slide whose text cannot fit its boxes at the minimum size becomes several slides.

Text is never cut: a title too long for its box moves its overflow into the body (or subtitle),
and content that does not fit is carried onto continuation slides titled "… (cont.)".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from deckgen.domain import Bullet, CodeBlock, Column, Layout, Quote, Slide, Table, Theme, limits
from deckgen.render._code import code_lines
from deckgen.render._layout import agenda_numbered, effective_layout, number_agenda
from deckgen.render._markdown import balance, split_words
from deckgen.render._plan import (
    COVER_LAYOUTS,
    MAX_STATISTICS,
    MAX_TIMELINE_STEPS,
    min_title_size,
    plan_slide,
    title_fits,
)

__all__ = ["FitResult", "fit_slide"]

_CONT = " (cont.)"
T = TypeVar("T")


class FitResult(NamedTuple):
    """The slides one input slide became, and why it changed.

    A NamedTuple rather than a dataclass so that it also is the `(slides, warnings)` pair the
    pipeline's `Fitter` port expects; it is immutable either way.
    """

    slides: tuple[Slide, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Unit:
    """One paragraph of flowing text and the slide field it belongs to."""

    source: str
    text: str
    level: int = 0


def _fits(slide: Slide, theme: Theme) -> bool:
    return plan_slide(slide, theme, roomy=False).fits


def _largest(count: int, ok: Callable[[int], bool]) -> int:
    """The largest n in [0, count] with ok(n), for a monotone ok (ok(0) is assumed)."""
    low, high = 0, count
    while low < high:
        middle = (low + high + 1) // 2
        if ok(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _split_text(text: str, ok: Callable[[str], bool]) -> tuple[str, str]:
    """The longest leading words (or, for one huge word, characters) of `text` that satisfy `ok`."""
    words = split_words(text)

    def parts(n: int) -> tuple[str, str]:
        # Emphasis running across the cut is closed before it and reopened after.
        return balance(" ".join(words[:n]), " ".join(words[n:]))

    taken = _largest(len(words) - 1, lambda n: n == 0 or ok(parts(n)[0]))
    if taken:
        return parts(taken)
    first = words[0]
    chars = max(1, _largest(len(first) - 1, lambda n: n == 0 or ok(first[:n])))
    return first[:chars], " ".join([first[chars:], *words[1:]])


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def continued_title(title: str, layout: Layout, theme: Theme) -> str:
    if title.endswith(_CONT):
        # Already a continuation's title (an introduction split off first): one suffix is enough.
        return title
    candidate = f"{title}{_CONT}".strip()
    if title_fits(candidate, layout, theme):
        return candidate
    # The full title is on the first part; a shortened one is enough to say where this continues.
    head, _ = _split_text(title, lambda t: title_fits(f"{t}\u2026{_CONT}", layout, theme))
    return f"{head}\u2026{_CONT}"


def _move_title_overflow(slide: Slide, theme: Theme) -> tuple[Slide, list[str]]:
    layout = effective_layout(slide)
    if title_fits(slide.title, layout, theme) or not slide.title.strip():
        return slide, []
    head, tail = _split_text(slide.title, lambda t: title_fits(t, layout, theme))

    def joined(existing: str) -> str:
        return f"{tail}\n{existing}" if existing.strip() else tail

    if layout in COVER_LAYOUTS:
        field, moved = "subtitle", replace(slide, title=head, subtitle=joined(slide.subtitle))
    else:
        field, moved = "body", replace(slide, title=head, body=joined(slide.body))
    warning = (
        f'Slide "{_short(slide.title)}": the title does not fit its box even at {min_title_size(theme):g}pt; '
        f"its end was moved into the {field}."
    )
    return moved, [warning]


def _distribute(
    items: Sequence[T],
    make: Callable[[list[T], int], Slide],
    split_one: Callable[[T, Callable[[T], bool]], tuple[T, T]],
    theme: Theme,
    room: int | None = None,
    first_may_be_empty: bool = False,
) -> list[Slide]:
    """Put as many items (paragraphs, rows) on each slide as fit; an item too big for a slide is split."""
    parts: list[Slide] = []
    rest = list(items)
    while rest or not parts:
        index, current = len(parts), rest

        def fits_first(n: int, index: int = index, current: list[T] = current) -> bool:
            return n == 0 or _fits(make(current[:n], index), theme)

        def fits_alone(item: T, index: int = index) -> bool:
            return _fits(make([item], index), theme)

        taken = _largest(min(len(rest), room or len(rest)), fits_first)
        if taken == 0 and rest and not (index == 0 and first_may_be_empty):
            head, tail = split_one(rest[0], fits_alone)
            parts.append(make([head], index))
            rest = [tail, *rest[1:]]
        else:
            parts.append(make(rest[:taken], index))
            rest = rest[taken:]
    return parts


def _split_unit(unit: _Unit, ok: Callable[[_Unit], bool]) -> tuple[_Unit, _Unit]:
    def text_ok(text: str) -> bool:
        return ok(replace(unit, text=text))

    head, tail = _split_text(unit.text, text_ok)
    return replace(unit, text=head), replace(unit, text=tail)


def _flow(
    units: Sequence[_Unit],
    make: Callable[[list[_Unit], int], Slide],
    theme: Theme,
    first_may_be_empty: bool = False,
) -> list[Slide]:
    return _distribute(units, make, _split_unit, theme, first_may_be_empty=first_may_be_empty)


def _text_units(slide: Slide) -> list[_Unit]:
    units = [_Unit("subtitle", line) for line in slide.subtitle.splitlines() if line.strip()]
    units += [_Unit("body", line) for line in slide.body.splitlines() if line.strip()]
    return units + [_Unit("bullet", b.text, b.level) for b in slide.bullets]


def _fields(units: list[_Unit]) -> tuple[str, str, tuple[Bullet, ...]]:
    """Subtitle, body and bullets made of `units`."""
    return (
        "\n".join(u.text for u in units if u.source == "subtitle"),
        "\n".join(u.text for u in units if u.source == "body"),
        tuple(Bullet(u.text, u.level) for u in units if u.source == "bullet"),
    )


def _split_flowing(slide: Slide, layout: Layout, theme: Theme) -> list[Slide]:
    """Title, section, closing, bullets, picture and chart slides: one text frame that flows."""
    cover = layout in COVER_LAYOUTS
    cont_layout = layout if cover or layout is Layout.AGENDA else Layout.BULLETS
    cont_title = continued_title(slide.title, cont_layout, theme)

    def make(units: list[_Unit], index: int) -> Slide:
        subtitle, body, bullets = _fields(units)
        if index == 0:
            return replace(slide, subtitle=subtitle, body=body, bullets=bullets)
        return Slide(cont_layout, cont_title, subtitle=subtitle, body=body, bullets=bullets)

    has_visual = layout in (Layout.CHART, Layout.IMAGE_TEXT) and (slide.chart or slide.image) is not None
    return _flow(_text_units(slide), make, theme, first_may_be_empty=has_visual)


def _split_columns(slide: Slide, theme: Theme) -> list[Slide]:
    cont_title = continued_title(slide.title, Layout.TWO_COLUMNS, theme)
    sides: list[list[Column | None]] = []
    for column in (slide.left, slide.right):
        if column is None:
            sides.append([None])
            continue
        heading = [_Unit("heading", column.heading)] if column.heading.strip() else []
        units = heading + [_Unit("bullet", b.text, b.level) for b in column.bullets]
        units += [_Unit("body", line) for line in column.body.splitlines() if line.strip()]

        def to_column(units: list[_Unit], index: int, original: Column = column) -> Column:
            heading = next((u.text for u in units if u.source == "heading"), "")
            if index and original.heading.strip() and not heading:
                heading = f"{original.heading}{_CONT}"
            _, body, bullets = _fields(units)
            return Column(heading, bullets, body)

        def make(units: list[_Unit], index: int, to_column: Callable[..., Column] = to_column) -> Slide:
            alone = to_column(units, index)
            if index == 0:
                return replace(slide, left=alone, right=None)
            return Slide(Layout.TWO_COLUMNS, cont_title, left=alone)

        parts = _flow(units, make, theme)
        sides.append([part.left for part in parts])
    count = max(len(side) for side in sides)
    left, right = (side + [None] * (count - len(side)) for side in sides)
    slides = [replace(slide, left=left[0], right=right[0])]
    slides += [
        Slide(Layout.TWO_COLUMNS, cont_title, left=l_, right=r_)
        for l_, r_ in zip(left[1:], right[1:], strict=True)
    ]
    return slides


def _split_table(slide: Slide, theme: Theme) -> list[Slide]:
    assert slide.table is not None
    table = slide.table
    cont_title = continued_title(slide.title, Layout.TABLE, theme)

    def make(rows: Sequence[tuple[str, ...]], index: int) -> Slide:
        part = Table(table.header, tuple(rows))
        if index == 0:
            return replace(slide, table=part)
        return Slide(Layout.TABLE, cont_title, table=part)

    if not _fits(make([], 0), theme) or not _fits(make([], 1), theme):
        # Even the header alone does not fit: say the same thing as text, row by row.
        return _split_flowing(_table_as_bullets(slide), Layout.BULLETS, theme)
    return _distribute(list(table.rows), make, _split_row, theme, room=limits.MAX_TABLE_ROWS)


def _split_row(
    row: tuple[str, ...], ok: Callable[[tuple[str, ...]], bool]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split every cell of a row too tall for a slide after the same number of words (or characters)."""
    words = [cell.split() for cell in row]
    most = max(len(cell) for cell in words)
    taken = _largest(most - 1, lambda n: n == 0 or ok(tuple(" ".join(cell[:n]) for cell in words)))
    if taken:
        return tuple(" ".join(c[:taken]) for c in words), tuple(" ".join(c[taken:]) for c in words)
    texts = [" ".join(cell) for cell in words]
    longest = max(len(text) for text in texts)
    chars = max(1, _largest(longest - 1, lambda n: n == 0 or ok(tuple(text[:n] for text in texts))))
    return tuple(text[:chars] for text in texts), tuple(text[chars:] for text in texts)


def _table_as_bullets(slide: Slide) -> Slide:
    assert slide.table is not None
    header = slide.table.header
    bullets = [" \u00b7 ".join(header)] if header else []
    for row in slide.table.rows:
        cells = [
            f"{header[i]}: {cell}" if i < len(header) and header[i] else cell for i, cell in enumerate(row)
        ]
        bullets.append("; ".join(cells))
    return replace(
        slide, layout=Layout.BULLETS, table=None, bullets=slide.bullets + tuple(Bullet(b) for b in bullets)
    )


def _split_quote(slide: Slide, theme: Theme) -> list[Slide]:
    assert slide.quote is not None
    quote = slide.quote
    cont_title = continued_title(slide.title, Layout.QUOTE, theme)

    def make(units: list[_Unit], index: int) -> Slide:
        part = Quote(" ".join(u.text for u in units), quote.attribution)
        if index == 0:
            return replace(slide, quote=part)
        return Slide(Layout.QUOTE, cont_title, quote=part)

    parts = _flow([_Unit("quote", quote.text)], make, theme)
    # The attribution belongs after the last words of the quote only.
    return [
        part if index == len(parts) - 1 else replace(part, quote=Quote(part.quote.text if part.quote else ""))
        for index, part in enumerate(parts)
    ]


def _split_lead(slide: Slide, layout: Layout, theme: Theme) -> list[Slide]:
    """An introduction too long for the band above a table, columns or quote gets slides of its own first."""
    intro = Slide(
        Layout.BULLETS,
        slide.title,
        subtitle=slide.subtitle,
        body=slide.body,
        bullets=slide.bullets,
        notes=slide.notes,
        sources=slide.sources,
    )
    rest = replace(
        slide,
        title=continued_title(slide.title, layout, theme),
        subtitle="",
        body="",
        bullets=(),
        notes="",
        sources=(),
    )
    return _split_flowing(intro, Layout.BULLETS, theme) + _split(rest, theme)


def _overfull(slide: Slide, layout: Layout) -> bool:
    """More items than the layout shows on one slide, whatever the text size."""
    return (
        (layout is Layout.TABLE and slide.table is not None and len(slide.table.rows) > limits.MAX_TABLE_ROWS)
        or (layout is Layout.TIMELINE and len(slide.steps) > MAX_TIMELINE_STEPS)
        or (layout is Layout.STATISTIC and len(slide.statistics) > MAX_STATISTICS)
    )


def _chunks(items: Sequence[T], per_slide: int) -> list[Sequence[T]]:
    """`items` in as few runs of at most `per_slide` as possible, as even as possible (7 -> 4 + 3)."""
    count = -(-len(items) // per_slide)
    size, extra = divmod(len(items), count)
    chunks: list[Sequence[T]] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        chunks.append(items[start:end])
        start = end
    return chunks


def _split_items(slide: Slide, layout: Layout, theme: Theme) -> list[Slide]:
    """Timeline steps or statistics spread over as few slides as fit.

    The text shrinks first (down to the minimum size), then fewer items go on each slide (wider
    columns), preferring a split in which no word breaks mid-word. Items whose text does not fit
    even alone are laid out as bullets instead, every word kept.
    """
    timeline = layout is Layout.TIMELINE
    items: tuple[Any, ...] = slide.steps if timeline else slide.statistics
    most = MAX_TIMELINE_STEPS if timeline else MAX_STATISTICS
    cont_title = continued_title(slide.title, layout, theme)

    def part(chunk: Sequence[Any], index: int) -> Slide:
        # Continuations carry only the items: the introduction and notes stay on the first.
        base = slide if index == 0 else Slide(layout, cont_title)
        return replace(base, steps=tuple(chunk)) if timeline else replace(base, statistics=tuple(chunk))

    fitting: list[Slide] | None = None
    for per_slide in range(min(most, len(items)), 0, -1):
        parts = [part(chunk, index) for index, chunk in enumerate(_chunks(items, per_slide))]
        plans = [plan_slide(p, theme, roomy=False) for p in parts]
        if all(plan.fits for plan in plans):
            if not any(plan.broken_words for plan in plans):
                return parts
            fitting = fitting or parts
    if fitting is not None:
        return fitting
    result: list[Slide] = []
    for index, chunk in enumerate(_chunks(items, most)):
        candidate = part(chunk, index)
        if plan_slide(candidate, theme, roomy=False).fits:
            result.append(candidate)
        else:
            result += _split_flowing(_items_as_bullets(candidate), Layout.BULLETS, theme)
    return result


def _items_as_bullets(slide: Slide) -> Slide:
    """Steps or statistics as bullets, every word kept: "label — title" over its detail."""
    bullets = list(slide.bullets)
    for step in slide.steps:
        bullets.append(Bullet(" \u2014 ".join(t for t in (step.label.strip(), step.title.strip()) if t)))
        bullets += [Bullet(line, 1) for line in step.detail.splitlines() if line.strip()]
    for number in slide.statistics:
        bullets.append(Bullet(" \u2014 ".join(t for t in (number.value.strip(), number.label.strip()) if t)))
        bullets += [Bullet(line, 1) for line in number.context.splitlines() if line.strip()]
    return replace(slide, layout=Layout.BULLETS, steps=(), statistics=(), bullets=tuple(bullets))


def _split_agenda(slide: Slide, theme: Theme) -> list[Slide]:
    """An agenda over several slides, numbered on: its items get their numbers before splitting."""
    if not agenda_numbered(slide.bullets):
        slide = replace(slide, bullets=number_agenda(slide.bullets))
    parts = _split_flowing(slide, Layout.AGENDA, theme)
    result = []
    for part in parts:
        if part.bullets and not agenda_numbered(part.bullets):
            # Only the end of an item split across slides: plain text, lest it be numbered "1.".
            ends = "\n".join(b.text for b in part.bullets if b.level == 0)
            body = "\n".join(t for t in (part.body, ends) if t)
            part = replace(part, body=body, bullets=tuple(b for b in part.bullets if b.level))
        result.append(part)
    return result


def _has_code(slide: Slide) -> bool:
    return slide.code is not None and bool(code_lines(slide.code))


def _settled(slide: Slide, theme: Theme) -> bool:
    """The slide can be drawn as it is: it fits, is not too full, and breaks no word it need not."""
    plan = plan_slide(slide, theme, roomy=False)
    spread = plan.layout in (Layout.TIMELINE, Layout.STATISTIC)
    code_drawn = plan.code is not None or not _has_code(slide)
    return (
        plan.fits and code_drawn and not _overfull(slide, plan.layout) and not (spread and plan.broken_words)
    )


def _split_code(slide: Slide, theme: Theme) -> list[Slide]:
    """A slide whose code does not fit beside its content: the content first, then the code on
    slides of its own, as many lines on each as fit."""
    assert slide.code is not None
    code = slide.code
    cont_title = continued_title(slide.title, Layout.BULLETS, theme)
    content = replace(slide, code=None)
    has_content = bool(_text_units(slide)) or effective_layout(content) is not Layout.BULLETS
    # The line that announces the code ("…you already receive:") goes with it, not to the end of
    # the slide before.
    lead: tuple[Bullet, ...] = ()
    bullets = slide.bullets
    if len(bullets) > 1 and bullets[-1].level == 0 and bullets[-1].text.rstrip().endswith((":", "\uff1a")):
        lead, content = bullets[-1:], replace(content, bullets=bullets[:-1])
    if has_content:
        first = [content] if _settled(content, theme) else _split(content, theme)
        rest = Slide(Layout.BULLETS, cont_title, bullets=lead, code=code)
        return first + ([rest] if _settled(rest, theme) else _split_code_lines(rest, cont_title, theme))
    return _split_code_lines(slide, cont_title, theme)


def _split_code_lines(slide: Slide, cont_title: str, theme: Theme) -> list[Slide]:
    assert slide.code is not None
    language = slide.code.language

    def make(rows: list[str], index: int) -> Slide:
        block = CodeBlock("\n".join(rows), language)
        return replace(slide, code=block) if index == 0 else Slide(Layout.BULLETS, cont_title, code=block)

    def split_row(row: str, ok: Callable[[str], bool]) -> tuple[str, str]:
        # Only a line too long for a slide even wrapped: cut it where it still fits.
        cut = max(1, _largest(len(row) - 1, lambda n: n == 0 or ok(row[:n])))
        return row[:cut], row[cut:]

    return _distribute(list(code_lines(slide.code)), make, split_row, theme)


def _split(slide: Slide, theme: Theme) -> list[Slide]:
    if _settled(slide, theme):
        return [slide]
    plan = plan_slide(slide, theme, roomy=False)
    if _has_code(slide) and (plan.code is None or not plan.fits):
        return _split_code(slide, theme)
    layout = plan.layout
    if layout in (Layout.TIMELINE, Layout.STATISTIC):
        lead = plan.frame("lead")
        if lead is not None and lead.size is None:
            return _split_lead(slide, layout, theme)
        return _split_items(slide, layout, theme)
    if layout in (Layout.TWO_COLUMNS, Layout.TABLE, Layout.QUOTE):
        lead = plan.frame("lead")
        if lead is not None and lead.size is None:
            return _split_lead(slide, layout, theme)
        if layout is Layout.TWO_COLUMNS:
            return _split_columns(slide, theme)
        if layout is Layout.TABLE:
            return _split_table(slide, theme)
        return _split_quote(slide, theme)
    if layout is Layout.AGENDA:
        return _split_agenda(slide, theme)
    return _split_flowing(slide, layout, theme)


def fit_slide(slide: Slide, theme: Theme) -> FitResult:
    """`(slide,)` when it fits at some size within the theme's range; otherwise its continuation slides."""
    try:
        return _fit_kept(slide, theme)
    except TypeError:  # a field that cannot be hashed (a list where a tuple belongs): not kept
        return _fit(slide, theme)


@lru_cache(maxsize=1024)
def _fit_kept(slide: Slide, theme: Theme) -> FitResult:
    # A generation fits each slide when it is announced, again before writing the files, and the
    # writer once more: measuring text is most of the cost, and the answer depends on these alone.
    return _fit(slide, theme)


def _fit(slide: Slide, theme: Theme) -> FitResult:
    if _settled(slide, theme):
        return FitResult((slide,), ())
    fitted, warnings = _move_title_overflow(slide, theme)
    parts = _split(fitted, theme)
    if len(parts) > 1:
        warnings.append(
            f'Slide "{_short(slide.title)}" does not fit at the minimum text size '
            f"({theme.min_body_size:g}pt); it was split into {len(parts)} slides."
        )
    # Notes and sources stay with the first part, where the slide starts.
    return FitResult(tuple(parts), tuple(warnings))
