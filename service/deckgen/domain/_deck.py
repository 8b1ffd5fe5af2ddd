"""The deck: slides with a layout and typed content. Plain data, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = [
    "Brand",
    "Bullet",
    "Chart",
    "ChartSeries",
    "ChartType",
    "CodeBlock",
    "Column",
    "Deck",
    "ImageRef",
    "Layout",
    "Quote",
    "Slide",
    "SourceRef",
    "Statistic",
    "Step",
    "Table",
]


class Layout(enum.Enum):
    """How a slide arranges its content. Values mirror `deckgen.v1.Layout`."""

    TITLE = "title"
    SECTION = "section"
    BULLETS = "bullets"
    TWO_COLUMNS = "two_columns"
    TABLE = "table"
    QUOTE = "quote"
    IMAGE_TEXT = "image_text"
    CLOSING = "closing"
    CHART = "chart"
    AGENDA = "agenda"
    """What the deck covers, as a numbered list (bullets)."""
    TIMELINE = "timeline"
    """Steps or dates in order (steps); also serves processes."""
    STATISTIC = "statistic"
    """One to three big numbers with what they mean (statistics)."""


class ChartType(enum.Enum):
    BAR = "bar"
    COLUMN = "column"
    LINE = "line"
    PIE = "pie"


@dataclass(frozen=True, slots=True)
class Bullet:
    text: str
    level: int = 0
    """Indentation depth, 0 for top-level bullets (at most 2)."""


@dataclass(frozen=True, slots=True)
class Column:
    heading: str = ""
    bullets: tuple[Bullet, ...] = ()
    body: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    type: ChartType
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    title: str = ""
    alt_text: str = ""
    """For screen readers; when empty the renderer describes the data."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a timeline or process."""

    title: str
    label: str = ""
    """A short marker: a date, a version, a step number."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Statistic:
    """A headline number."""

    value: str
    """As shown, with its unit: "42 %", "3.2 M"."""
    label: str
    context: str = ""


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted text (code, a shell session, a config file) drawn monospace, indentation kept."""

    text: str
    language: str = ""
    """`python`, `shell`…; empty when unknown."""


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    attribution: str = ""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A picture on a slide: an artifact name (or URI) plus the alt text that describes it."""

    uri: str
    alt_text: str


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a slide's content came from in the caller's documents."""

    document: str
    locator: str = ""
    """Human-readable position inside the document, e.g. a heading path or a line range."""


@dataclass(frozen=True, slots=True)
class Slide:
    layout: Layout
    title: str
    subtitle: str = ""
    bullets: tuple[Bullet, ...] = ()
    body: str = ""
    left: Column | None = None
    right: Column | None = None
    table: Table | None = None
    chart: Chart | None = None
    quote: Quote | None = None
    image: ImageRef | None = None
    notes: str = ""
    """Speaker notes, rendered into the slide's notes page."""
    sources: tuple[SourceRef, ...] = ()
    steps: tuple[Step, ...] = ()
    statistics: tuple[Statistic, ...] = ()
    code: CodeBlock | None = None
    """Shown on a panel below the slide's text."""


@dataclass(frozen=True, slots=True)
class Brand:
    """A caller's overrides on top of a theme; empty fields keep the theme's values."""

    primary: str = ""
    """RRGGBB."""
    accent: str = ""
    heading_font: str = ""
    body_font: str = ""
    logo_uri: str = ""
    """Artifact name of the stored logo, placed in the same corner of every slide."""


@dataclass(frozen=True, slots=True)
class Deck:
    title: str
    slides: tuple[Slide, ...] = ()
    subtitle: str = ""
    language: str = "en"
    theme: str = "default"
    author: str = ""
    tags: tuple[str, ...] = field(default=())
    brand: Brand | None = None
    template: str = ""
    """A user's template id; when set, its masters and layouts replace the theme's drawing."""
    slide_numbers: bool = True
    """Number every slide but the title slide."""
    footer: str = ""
    """Footer text on every slide but the title slide."""
