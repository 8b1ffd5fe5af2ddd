"""Keeping a slide within the layouts a caller allows, by turning its content into a simpler form."""

from __future__ import annotations

from dataclasses import replace

from deckgen.domain import _limits as limits
from deckgen.domain._deck import Bullet, Layout, Slide, Table

__all__ = ["restrict_layout"]

# Where a layout's content goes when the layout is not allowed, most faithful first.
_FALLBACKS: dict[Layout, tuple[Layout, ...]] = {
    Layout.CHART: (Layout.TABLE, Layout.BULLETS),
    Layout.STATISTIC: (Layout.BULLETS,),
    Layout.TIMELINE: (Layout.BULLETS,),
    Layout.AGENDA: (Layout.BULLETS,),
    Layout.IMAGE_TEXT: (Layout.BULLETS,),
    Layout.TWO_COLUMNS: (Layout.BULLETS,),
    Layout.TABLE: (Layout.BULLETS,),
    Layout.QUOTE: (Layout.BULLETS,),
    Layout.SECTION: (Layout.TITLE, Layout.BULLETS),
    Layout.CLOSING: (Layout.BULLETS,),
    Layout.TITLE: (Layout.SECTION, Layout.BULLETS),
}


def _clip(text: str) -> str:
    return text if len(text) <= limits.MAX_BULLET_CHARS else text[: limits.MAX_BULLET_CHARS - 1] + "…"


def _join(*parts: str) -> str:
    return " — ".join(part for part in parts if part)


def _as_table(slide: Slide) -> Slide:
    chart = slide.chart
    if chart is None:
        return replace(slide, layout=Layout.TABLE)
    header = ("", *(series.name or f"Series {i + 1}" for i, series in enumerate(chart.series)))
    rows = tuple(
        (category, *(f"{series.values[i]:g}" if i < len(series.values) else "" for series in chart.series))
        for i, category in enumerate(chart.categories)
    )
    return replace(slide, layout=Layout.TABLE, chart=None, table=Table(header, rows))


def _as_bullets(slide: Slide) -> Slide:
    bullets: list[Bullet] = list(slide.bullets)
    body = slide.body
    if slide.layout is Layout.TWO_COLUMNS:
        for column in (slide.left, slide.right):
            if column is None:
                continue
            if column.heading:
                bullets.append(Bullet(_clip(column.heading)))
            level = 1 if column.heading else 0
            bullets.extend(
                Bullet(b.text, min(b.level + level, limits.MAX_BULLET_LEVEL)) for b in column.bullets
            )
            if column.body:
                bullets.append(Bullet(_clip(column.body), level))
    elif slide.layout is Layout.TABLE and slide.table is not None:
        for row in slide.table.rows:
            bullets.append(Bullet(_clip(" · ".join(cell for cell in row if cell))))
    elif slide.layout is Layout.CHART and slide.chart is not None:
        for series in slide.chart.series:
            values = ", ".join(
                f"{c} {v:g}" for c, v in zip(slide.chart.categories, series.values, strict=False)
            )
            bullets.append(Bullet(_clip(_join(series.name, values))))
    elif slide.layout is Layout.QUOTE and slide.quote is not None:
        body = _join(f"“{slide.quote.text}”", slide.quote.attribution)
    elif slide.layout is Layout.TIMELINE:
        bullets.extend(Bullet(_clip(_join(s.label, s.title, s.detail))) for s in slide.steps)
    elif slide.layout is Layout.STATISTIC:
        bullets.extend(Bullet(_clip(_join(s.value, s.label, s.context))) for s in slide.statistics)
    elif slide.layout in (Layout.SECTION, Layout.CLOSING, Layout.TITLE) and slide.subtitle and not body:
        body = slide.subtitle
    return Slide(
        layout=Layout.BULLETS,
        title=slide.title,
        bullets=tuple(bullets),
        body=body[: limits.MAX_BODY_CHARS],
        notes=slide.notes,
        sources=slide.sources,
    )


def restrict_layout(slide: Slide, allowed: tuple[Layout, ...]) -> Slide:
    """`slide` itself when its layout is allowed (or nothing is restricted), else its content re-cast."""
    if not allowed or slide.layout in allowed:
        return slide
    for candidate in _FALLBACKS.get(slide.layout, (Layout.BULLETS,)):
        if candidate not in allowed and candidate is not Layout.BULLETS:
            continue
        if candidate is Layout.TABLE:
            return _as_table(slide)
        if candidate in (Layout.TITLE, Layout.SECTION):
            return replace(slide, layout=candidate)
        return _as_bullets(slide)
    return _as_bullets(slide)
