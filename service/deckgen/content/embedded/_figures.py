"""Numbers and dates in a document, recognised so that they get the layout they call for.

- a table of numbers with a column of labels becomes a native chart, of the kind its data suits
  (time-like labels: line or column; parts of a whole: pie; otherwise bar or column);
- a sentence led by a headline figure ("Revenue rose 18% …") becomes a big number with its label;
- a list whose items start with a date or a version becomes the steps of a timeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deckgen.content.embedded._inline import MATH
from deckgen.content.embedded._markdown import TableBlock
from deckgen.domain import Chart, ChartSeries, ChartType, Statistic, Step

__all__ = ["DatedItem", "chart_for", "dated", "headline", "parse_number", "split_step"]

_MAX_CATEGORIES = 24
_MAX_CATEGORY_CHARS = 40
_MAX_SERIES = 6
_READABLE_SERIES = 4
_READABLE_CATEGORIES = 12
_STAT_VALUE = 12
_STAT_LABEL = 60
_STAT_CONTEXT = 120
_STEP_LABEL = 24
_STEP_TITLE = 60
_STEP_DETAIL = 140

# Each run of spaces is possessive: what follows it (a sign, a currency, a digit, a unit, a bracket
# or the end) never starts with a space it could give back, and adjacent `\s*` splitting a run
# between them made a cell of spaces polynomial of high degree.
_NUMBER = re.compile(
    r"^[\s(]*+(?P<sign>[-+\u2212]?)\s*+(?:[$€£¥₹]|[A-Z]{3}\s)?\s*+"
    r"(?P<digits>\d{1,3}(?:[ ,.\u202f\u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"\s*+(?:%|‰|[kKmMbB]n?|bn|m|million|billion|pp|pts?)?\s*+[)]?$"
)


def parse_number(cell: str) -> float | None:
    """A table cell as a number: `1,234.5`, `1.234,5`, `3,1`, `€4.2`, `12 %`, `(3)` all parse."""
    match = _NUMBER.match(cell.strip())
    if match is None:
        return None
    digits = re.sub(r"[ \u202f\u00a0]", "", match.group("digits"))
    if "," in digits and "." in digits:
        # The later separator is the decimal one: 1,234.5 or 1.234,5.
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif "," in digits:
        head, _, tail = digits.rpartition(",")
        digits = digits.replace(",", "") if len(tail) == 3 and head.isdigit() else digits.replace(",", ".")
    elif digits.count(".") > 1:
        digits = digits.replace(".", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if match.group("sign") in ("-", "\u2212") else value


_TIME_LABEL = re.compile(
    r"^(?:Q[1-4]|H[12]|FY|CY|W\d{1,2}\b|(?:19|20)\d{2}|\d{4}-\d{2}|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
    r"januar|februar|märz|mai|juni|juli|oktober|dezember|janv|févr|mars|avr|juin|juil|août|sept|déc|"
    r"ene|abr|ago|dic|gen|mag|giu|lug|ott|set|"
    r"\d+月|\d+년|\d+분기|week|month|quarter|year|jahr|monat|quartal)",
    re.IGNORECASE,
)


def _time_like(categories: list[str]) -> bool:
    return all(_TIME_LABEL.match(category.strip()) for category in categories)


def _unit(header: str, cells: list[str]) -> str:
    if "%" in header or "percent" in header.casefold() or "prozent" in header.casefold():
        return "%"
    if cells and all(cell.strip().endswith("%") for cell in cells if cell.strip()):
        return "%"
    return re.sub(r"\s+", " ", re.sub(r"[^(]*", "", header, count=1)).strip()


# A pie says "parts of one whole". Words that name shares make a column one; words that name a rate
# (growth, margin, change) make it something else, however its values happen to add up.
_SHARE_WORDS = re.compile(
    r"\b(?:shares?|split|mix|breakdown|composition|proportions?|distribution|of (?:the )?total|"
    r"répartition|parts? de|cuota|participación|reparto|quota|ripartizione|aandeel|udział)\b|"
    r"anteil|aufteilung|verteilung|シェア|割合|構成比|内訳|占比|构成|비중|점유율|حصة|توزيع",
    re.IGNORECASE,
)
_RATE_WORDS = re.compile(
    r"\b(?:growth|grew|change[sd]?|margins?|rates?|increase[sd]?|decrease[sd]?|declines?|yoy|y/y|"
    r"qoq|cagr|returns?|yields?|uplift|gains?|loss(?:es)?|delta|"
    r"croissance|variation|taux|crecimiento|variación|tasa|margen|crescita|variazione|tasso|groei|"
    r"marża|wzrost)\b|wachstum|veränderung|marge|rendite|成長率|増加率|伸び率|前年比|利益率|增长|"
    r"增长率|성장률|증가율|نمو|معدل|هامش",
    re.IGNORECASE,
)


def _parts_of_a_whole(values: tuple[float, ...], header: str, context: str) -> bool:
    if not 2 <= len(values) <= 8 or any(v <= 0 for v in values):
        return False
    total = sum(values)
    # The column's own header speaks first ("Share of growth" is shares), then the caption or section.
    if _SHARE_WORDS.search(header):
        named = True
    elif _RATE_WORDS.search(header) or _RATE_WORDS.search(context):
        return False
    else:
        named = _SHARE_WORDS.search(context) is not None
    # Named shares may be rounded, or leave out a small "other"; unnamed ones must add up to the whole.
    return 90 <= total <= 103 if named else 97 <= total <= 103


def chart_for(table: TableBlock, context: str = "") -> tuple[Chart, tuple[int, ...]] | None:
    """The chart a table of numbers calls for, with the columns it shows; None for other tables.
    `context` is what the document says about the table (its section's title, its caption)."""
    header, rows = list(table.header), [list(row) for row in table.rows]
    if not 2 <= len(rows) <= _MAX_CATEGORIES or len(header) < 2:
        return None
    numeric = [
        c
        for c in range(len(header))
        if all(parse_number(row[c]) is not None for row in rows if c < len(row)) and any(r[c] for r in rows)
    ]
    labels = [c for c in range(len(header)) if c not in numeric]
    # A column of years is numeric, but it is the labels of the chart when nothing else is.
    if (
        not labels
        and numeric
        and all(re.fullmatch(r"(?:19|20)\d{2}", row[numeric[0]].strip()) for row in rows)
    ):
        labels, numeric = [numeric[0]], numeric[1:]
    if len(labels) != 1 or not numeric or any(not row[labels[0]].strip() for row in rows):
        return None
    label = labels[0]
    # One unit per chart: columns measured in something else stay in the table's notes.
    first_unit = _unit(header[numeric[0]], [row[numeric[0]] for row in rows])
    shown = [c for c in numeric if _unit(header[c], [row[c] for row in rows]) == first_unit][:_MAX_SERIES]
    categories = [row[label].strip()[:_MAX_CATEGORY_CHARS] for row in rows]
    # Many series, or many rows that are not a time line, read better as the table they are.
    if len(shown) > _READABLE_SERIES or (len(rows) > _READABLE_CATEGORIES and not _time_like(categories)):
        return None
    series = tuple(
        ChartSeries(header[c].strip()[:40], tuple(parse_number(row[c]) or 0.0 for row in rows)) for c in shown
    )
    values = series[0].values
    if _time_like(categories):
        kind = ChartType.LINE if len(categories) >= 6 else ChartType.COLUMN
    elif len(series) == 1 and _parts_of_a_whole(values, header[shown[0]], context):
        kind = ChartType.PIE
    elif len(categories) > 6 or max(len(c) for c in categories) > 12:
        kind = ChartType.BAR
    else:
        kind = ChartType.COLUMN
    return Chart(kind, tuple(categories), series), (label, *shown)


# --- headline figures ----------------------------------------------------------------------------

_FIGURE = re.compile(
    r"(?<![\w.,])(?:[$€£¥₹]\s?\d[\d,.]*(?:\s?(?:million|billion|bn|m|k|Mio\.?|Mrd\.?))?"
    r"|\d[\d,.]*\s?(?:%|‰|Prozent|percent|per cent|pp)"
    r"|\d[\d,.]*\s?(?:million|billion|Mio\.|Mrd\.)\s?(?:[$€£¥₹]|euros?|dollars?|EUR|USD)?"
    r"|\d[\d,.]*[x\u00d7](?!\w))"
)


def _figure(text: str) -> re.Match[str] | None:
    # Blanked to the same length, so that the match's offsets are the text's own.
    return _FIGURE.search(MATH.sub(lambda math: " " * len(math.group()), text) if "$" in text else text)


_TRAILING_LINK = re.compile(
    r"(?<!\s)\s++(?:to|by|from|at|of|of about|about|auf|um|von|bei|de|à|a|di|da|met|tot|o|do)$", re.I
)
"""A label's last word when it only leads to the figure. Tried from the start of a run of spaces only
(from inside one it matches where the run's start does), possessive since a word never starts with a
space: a plain-text list item's run of spaces was rescanned from each of them."""


def headline(text: str) -> Statistic | None:
    """A sentence carried by one figure, as value, label (what it measures) and context (the rest)."""
    match = _figure(text)
    if match is None:
        return None
    value = match.group(0).strip().rstrip(".,")
    value = re.sub(r"\s?(?:percent|per cent|Prozent)$", "%", value)
    if len(value) > _STAT_VALUE:
        return None
    before = text[: match.start()].strip().rstrip(",:;\u2014\u2013-").strip()
    after = text[match.end() :].strip().lstrip(",:;\u2014\u2013-").strip().rstrip(".")
    before = _TRAILING_LINK.sub("", before)
    if before and len(before) <= _STAT_LABEL and len(before.split()) >= 2:
        label, context = before, after
    elif not before and after and len(after) <= _STAT_LABEL:
        label, context = after, ""
    else:
        return None
    if len(context) > _STAT_CONTEXT:
        return None
    return Statistic(value=value, label=label[:1].upper() + label[1:], context=context)


# --- dated and ordered lists ---------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    r"^(?P<label>\d{4}-\d{2}(?:-\d{2})?|\d{1,2}[./]\d{1,2}[./]\d{2,4}|"
    rf"(?:\d{{1,2}}\s)?{_MONTHS}\.?(?:\s\d{{1,2}},?)?\s\d{{4}}|Q[1-4]\s?\d{{4}}|H[12]\s?\d{{4}}|"
    r"(?:19|20)\d{2}|v?\d+\.\d+(?:\.\d+)?|\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?)"
    "\\s*(?:[:\u2014\u2013]|-\\s|\\)|\\s)\\s*(?P<rest>\\S.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DatedItem:
    label: str
    text: str


def dated(text: str) -> DatedItem | None:
    """`2026-06-12 — 2.4.0: tiles are cached` as ("2026-06-12 · 2.4.0", "tiles are cached")."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    label, rest = match.group("label"), match.group("rest").strip()
    inner = _DATE.match(rest)
    if inner is not None and len(f"{label} · {inner.group('label')}") <= _STEP_LABEL:
        label, rest = f"{label} · {inner.group('label')}", inner.group("rest").strip()
    if len(label) > _STEP_LABEL:
        return None
    return DatedItem(label, rest[:1].upper() + rest[1:])


def split_step(label: str, text: str) -> Step | None:
    """A timeline step: the text as its title, or its first clause as title and the rest as detail."""
    text = text.strip()
    if len(text) <= _STEP_TITLE:
        return Step(title=text.rstrip("."), label=label)
    for separator in ("; ", ": ", " — ", ", which "):
        head, found, tail = text.partition(separator)
        if found and len(head) <= _STEP_TITLE and len(tail) <= _STEP_DETAIL:
            tail = tail[:1].upper() + tail[1:]
            return Step(title=head.rstrip("."), label=label, detail=tail)
    return None
