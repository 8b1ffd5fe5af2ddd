"""What the model is asked to write (JSON Schemas) and how its JSON becomes domain objects.

Parsing is strict about the slide constraints and says exactly what is wrong, because those
messages are what a repair call sends back to the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deckgen.domain import (
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    Column,
    Layout,
    OutlineItem,
    Quote,
    Slide,
    SourceRef,
    Statistic,
    Step,
    Table,
    limits,
)

__all__ = [
    "CONTENT_LAYOUTS",
    "OUTLINE_SCHEMA",
    "SLIDE_SCHEMA",
    "TERSE_OUTLINE_SCHEMA",
    "ParsedSlide",
    "parse_outline_item",
    "parse_slide",
]

# Layouts a model may choose for a content slide; title slides are built without a model.
CONTENT_LAYOUTS = (
    Layout.BULLETS,
    Layout.TWO_COLUMNS,
    Layout.TABLE,
    Layout.QUOTE,
    Layout.IMAGE_TEXT,
    Layout.CHART,
    Layout.SECTION,
    Layout.CLOSING,
    Layout.AGENDA,
    Layout.TIMELINE,
    Layout.STATISTIC,
)
_LAYOUT_NAMES = [layout.value for layout in CONTENT_LAYOUTS]

_STRING_LIST = {"type": "array", "items": {"type": "string"}}
MAX_STEPS = 8
MAX_STATISTICS = 3
_COLUMN = {
    "type": "object",
    "properties": {"heading": {"type": "string"}, "bullets": _STRING_LIST},
    "required": ["heading", "bullets"],
}


def _outline_schema(detail: str, detail_schema: dict[str, Any]) -> dict[str, Any]:
    """A plan whose items carry a title, a layout and `detail` (what the slide writer starts from)."""
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "subtitle": {"type": "string"},
            "slides": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "layout": {"type": "string", "enum": _LAYOUT_NAMES},
                        detail: detail_schema,
                        "section": {"type": "string"},
                    },
                    "required": ["title", "layout", detail],
                },
            },
        },
        "required": ["title", "subtitle", "slides"],
    }


OUTLINE_SCHEMA: dict[str, Any] = _outline_schema("key_points", _STRING_LIST)
# A deck written at once needs from its plan only what keeps the slides apart: each slide's writer
# chooses its own points. A third of the tokens, so every slide starts sooner.
TERSE_OUTLINE_SCHEMA: dict[str, Any] = _outline_schema("intent", {"type": "string"})

SLIDE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "layout": {"type": "string", "enum": _LAYOUT_NAMES},
        "title": {"type": "string"},
        "subtitle": {"type": "string"},
        "bullets": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "level": {"type": "integer", "minimum": 0, "maximum": limits.MAX_BULLET_LEVEL},
                },
                "required": ["text", "level"],
            },
            "maxItems": limits.MAX_BULLETS,
        },
        "body": {"type": "string"},
        "left": _COLUMN,
        "right": _COLUMN,
        "table": {
            "type": "object",
            "properties": {
                "header": _STRING_LIST,
                "rows": {"type": "array", "items": _STRING_LIST},
            },
            "required": ["header", "rows"],
        },
        "chart": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": [t.value for t in ChartType]},
                "categories": _STRING_LIST,
                "series": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "values": {"type": "array", "items": {"type": "number"}},
                        },
                        "required": ["name", "values"],
                    },
                },
            },
            "required": ["type", "categories", "series"],
        },
        "quote": {
            "type": "object",
            "properties": {"text": {"type": "string"}, "attribution": {"type": "string"}},
            "required": ["text"],
        },
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "title": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["label", "title"],
            },
            "maxItems": MAX_STEPS,
        },
        "statistics": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "label": {"type": "string"},
                    "context": {"type": "string"},
                },
                "required": ["value", "label"],
            },
            "maxItems": MAX_STATISTICS,
        },
        "image_prompt": {"type": "string"},
        "image_alt": {"type": "string"},
        "notes": {"type": "string"},
        "sources": _STRING_LIST,
    },
    "required": ["layout", "title"],
}


@dataclass(frozen=True, slots=True)
class ParsedSlide:
    slide: Slide
    image_prompt: str


class _Errors(list[str]):
    def text(self, path: str, value: Any, max_chars: int, *, required: bool = False) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.append(f"{path}: must be a string")
            return ""
        text = " ".join(value.split())
        if required and not text:
            self.append(f"{path}: must not be empty")
        if len(text) > max_chars:
            self.append(f"{path}: {len(text)} characters, at most {max_chars}")
        return text

    def strings(self, path: str, value: Any, max_items: int, max_chars: int) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.append(f"{path}: must be a list of strings")
            return ()
        if len(value) > max_items:
            self.append(f"{path}: {len(value)} items, at most {max_items}")
        return tuple(self.text(f"{path}[{i}]", item, max_chars) for i, item in enumerate(value))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _layout(errors: _Errors, value: Any) -> Layout:
    if isinstance(value, str):
        for layout in CONTENT_LAYOUTS:
            if layout.value == value.strip().lower():
                return layout
    errors.append(f"layout: must be one of {', '.join(_LAYOUT_NAMES)}")
    return Layout.BULLETS


def parse_outline_item(data: Any) -> OutlineItem | None:
    """An outline item, forgiving what a review can fix; None if it has no title at all."""
    if not isinstance(data, Mapping):
        return None
    errors = _Errors()
    title = errors.text("title", data.get("title"), limits.MAX_TITLE_CHARS * 2)
    if not title:
        return None
    layout = _layout(errors, data.get("layout", "bullets"))
    points = _list(data.get("key_points"))
    intent = data.get("intent")
    if not points and isinstance(intent, str):
        points = [intent]  # a terse plan's one line: what this slide alone covers
    # Numbers are fine as points ("42"); null, objects and booleans are not text.
    texts = (str(p) for p in points if isinstance(p, str | int | float) and not isinstance(p, bool))
    key_points = tuple(" ".join(t.split()) for t in texts if t.strip())
    key_points = key_points[: limits.MAX_BULLETS]
    section = data.get("section")
    section = section.strip() if isinstance(section, str) else ""
    return OutlineItem(title[: limits.MAX_TITLE_CHARS], layout, key_points, section)


def _bullets(errors: _Errors, path: str, value: Any) -> tuple[Bullet, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        errors.append(f"{path}: must be a list")
        return ()
    if len(value) > limits.MAX_BULLETS:
        errors.append(f"{path}: {len(value)} bullets, at most {limits.MAX_BULLETS}")
    bullets = []
    for i, item in enumerate(value):
        # Plain strings are a common and harmless simplification of {"text", "level": 0}.
        raw, level = (item.get("text"), item.get("level", 0)) if isinstance(item, Mapping) else (item, 0)
        text = errors.text(f"{path}[{i}].text", raw, limits.MAX_BULLET_CHARS, required=True)
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= limits.MAX_BULLET_LEVEL:
            errors.append(f"{path}[{i}].level: must be 0 to {limits.MAX_BULLET_LEVEL}")
            level = 0
        bullets.append(Bullet(text, level))
    return tuple(bullets)


def _column(errors: _Errors, path: str, value: Any) -> Column | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append(f"{path}: must be an object with heading and bullets")
        return None
    heading = errors.text(f"{path}.heading", value.get("heading"), limits.MAX_TITLE_CHARS)
    bullets = _bullets(errors, f"{path}.bullets", value.get("bullets"))
    return Column(heading, bullets)


def _table(errors: _Errors, value: Any) -> Table | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append("table: must be an object with header and rows")
        return None
    header = errors.strings("table.header", value.get("header"), limits.MAX_TABLE_COLUMNS, 60)
    rows_value = _list(value.get("rows"))
    if not header:
        errors.append("table.header: must list the column names")
    if not rows_value:
        errors.append("table.rows: must have at least one row")
    rows = []
    for i, row in enumerate(rows_value):
        cells = errors.strings(f"table.rows[{i}]", row, limits.MAX_TABLE_COLUMNS, 120)
        if header and len(cells) != len(header):
            errors.append(f"table.rows[{i}]: {len(cells)} cells for {len(header)} columns")
        rows.append(cells)
    return Table(header, tuple(rows))


def _chart(errors: _Errors, value: Any) -> Chart | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append("chart: must be an object with type, categories and series")
        return None
    kinds = {t.value: t for t in ChartType}
    kind = kinds.get(str(value.get("type", "")).lower())
    if kind is None:
        errors.append(f"chart.type: must be one of {', '.join(kinds)}")
        kind = ChartType.BAR
    categories = errors.strings("chart.categories", value.get("categories"), 24, 40)
    if not categories:
        errors.append("chart.categories: must not be empty")
    series_value = _list(value.get("series"))
    if not series_value:
        errors.append("chart.series: must have at least one series")
    series = []
    for i, item in enumerate(series_value[:6]):
        if not isinstance(item, Mapping):
            errors.append(f"chart.series[{i}]: must be an object with name and values")
            continue
        values = _list(item.get("values"))
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) != len(values) or len(numbers) != len(categories):
            errors.append(f"chart.series[{i}].values: must be {len(categories)} numbers, one per category")
        series.append(ChartSeries(str(item.get("name", "")).strip()[:40], tuple(float(n) for n in numbers)))
    return Chart(kind, categories, tuple(series))


def _steps(errors: _Errors, value: Any) -> tuple[Step, ...]:
    items = _list(value)
    if len(items) > MAX_STEPS:
        errors.append(f"steps: {len(items)} steps, at most {MAX_STEPS}")
    steps = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors.append(f"steps[{i}]: must be an object with label, title and detail")
            continue
        steps.append(
            Step(
                errors.text(f"steps[{i}].title", item.get("title"), 60, required=True),
                errors.text(f"steps[{i}].label", item.get("label"), 24),
                errors.text(f"steps[{i}].detail", item.get("detail"), 140),
            )
        )
    return tuple(steps)


def _statistics(errors: _Errors, value: Any) -> tuple[Statistic, ...]:
    items = _list(value)
    if len(items) > MAX_STATISTICS:
        errors.append(f"statistics: {len(items)} numbers, at most {MAX_STATISTICS}")
    numbers = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors.append(f"statistics[{i}]: must be an object with value, label and context")
            continue
        numbers.append(
            Statistic(
                errors.text(f"statistics[{i}].value", item.get("value"), 12, required=True),
                errors.text(f"statistics[{i}].label", item.get("label"), 60, required=True),
                errors.text(f"statistics[{i}].context", item.get("context"), 120),
            )
        )
    return tuple(numbers)


def parse_slide(
    data: Any, chunks: Mapping[str, SourceRef], *, speaker_notes: bool, wants_image: bool
) -> tuple[ParsedSlide | None, list[str]]:
    """The slide and an empty list, or the problems a repair call should fix."""
    errors = _Errors()
    if not isinstance(data, Mapping):
        return None, ["the reply must be one JSON object describing the slide"]
    layout = _layout(errors, data.get("layout"))
    title = errors.text("title", data.get("title"), limits.MAX_TITLE_CHARS, required=True)
    subtitle = errors.text("subtitle", data.get("subtitle"), limits.MAX_TITLE_CHARS * 2)
    bullets = _bullets(errors, "bullets", data.get("bullets"))
    body = errors.text("body", data.get("body"), limits.MAX_BODY_CHARS)
    # A verbose model fills fields its layout never shows (a chart beside bullets): those are
    # dropped unread, so they can neither fail the slide nor cost a repair call.
    left = _column(errors, "left", data.get("left")) if layout is Layout.TWO_COLUMNS else None
    right = _column(errors, "right", data.get("right")) if layout is Layout.TWO_COLUMNS else None
    table = _table(errors, data.get("table")) if layout is Layout.TABLE else None
    chart = _chart(errors, data.get("chart")) if layout is Layout.CHART else None
    quote_value = data.get("quote") if layout is Layout.QUOTE else None
    quote = None
    if isinstance(quote_value, Mapping):
        text = errors.text("quote.text", quote_value.get("text"), limits.MAX_BODY_CHARS // 2, required=True)
        quote = Quote(text, errors.text("quote.attribution", quote_value.get("attribution"), 120))
    elif quote_value is not None:
        errors.append("quote: must be an object with text and attribution")
    steps = _steps(errors, data.get("steps")) if layout is Layout.TIMELINE else ()
    statistics = _statistics(errors, data.get("statistics")) if layout is Layout.STATISTIC else ()
    notes = errors.text("notes", data.get("notes"), 3000) if speaker_notes else ""
    pictured = layout is Layout.IMAGE_TEXT
    image_prompt = errors.text("image_prompt", data.get("image_prompt"), 1000) if pictured else ""
    image_alt = errors.text("image_alt", data.get("image_alt"), 300) if pictured else ""

    missing = {
        Layout.TWO_COLUMNS: (left is None or right is None, "left and right columns"),
        Layout.TABLE: (table is None, "a table"),
        Layout.CHART: (chart is None, "a chart"),
        Layout.QUOTE: (quote is None, "a quote"),
        Layout.BULLETS: (not bullets and not body, "bullets or a body"),
        Layout.IMAGE_TEXT: (not bullets and not body, "bullets or a body beside the picture"),
        Layout.AGENDA: (not bullets, "bullets, one per agenda item"),
        Layout.TIMELINE: (len(steps) < 2, "at least 2 steps"),
        Layout.STATISTIC: (not statistics, "1 to 3 statistics"),
    }
    absent, what = missing.get(layout, (False, ""))
    if absent:
        errors.append(f"layout {layout.value}: needs {what}")
    if layout is Layout.IMAGE_TEXT and wants_image and not image_prompt:
        errors.append("image_prompt: layout image_text needs a prompt describing the picture")
    if image_prompt and not image_alt:
        image_alt = image_prompt[:300]

    sources: list[SourceRef] = []
    raw_sources = data.get("sources")
    if isinstance(raw_sources, list):
        # Unknown ids are dropped, not errors: a citation the model invented is no citation.
        sources = [chunks[str(s)] for s in raw_sources if str(s) in chunks]
    if errors:
        return None, list(errors)
    slide = Slide(
        layout=layout,
        title=title,
        subtitle=subtitle,
        bullets=bullets,
        body=body,
        left=left if layout is Layout.TWO_COLUMNS else None,
        right=right if layout is Layout.TWO_COLUMNS else None,
        table=table if layout is Layout.TABLE else None,
        chart=chart if layout is Layout.CHART else None,
        quote=quote if layout is Layout.QUOTE else None,
        steps=steps if layout is Layout.TIMELINE else (),
        statistics=statistics if layout is Layout.STATISTIC else (),
        notes=notes,
        sources=tuple(dict.fromkeys(sources)),
    )
    return ParsedSlide(slide, image_prompt if layout is Layout.IMAGE_TEXT else ""), []


def describe(sequence: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in sequence)
