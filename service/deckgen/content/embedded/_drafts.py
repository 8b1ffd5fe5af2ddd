"""Drafts: a slide's material before it is laid out, built from sections and fitted to a count.

Content drafts come from the sections, one kind per kind of material (bullets, verbatim body, table,
chart, big numbers, timeline, quote, code, two columns). The deck is then fitted to the slide count
by merging adjacent drafts or splitting one, so that every step changes the count by exactly one.
A draft that holds several sections shows each section's title over its points, so that its title
and its content always agree.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from dataclasses import dataclass, field, replace

from deckgen.content.embedded._figures import chart_for, dated, headline, split_step
from deckgen.content.embedded._markdown import CodeBlock, ListBlock, Paragraph, QuoteBlock, TableBlock
from deckgen.content.embedded._sections import (
    CODE_SPAN,
    Part,
    Section,
    Unit,
    clean_title,
    colon_ended,
    completing_lists,
    dangling,
    ends_open,
    goes_on,
    goes_on_from,
    introduced_lists,
    leads_in,
    points_elsewhere,
    points_outside,
    reference_entry,
    speaks_of_a_sample,
    units_of,
)
from deckgen.content.embedded._summarize import (
    clause_alone,
    clip,
    shorten_sentence,
    split_clauses,
    split_sentences,
    words,
)
from deckgen.domain import Chart, Column, Quote, Statistic, Step, Table, limits, unquoted

__all__ = [
    "TEXT_KINDS",
    "Draft",
    "body_text",
    "compact_line",
    "build",
    "expand_once",
    "family",
    "line_total",
    "reduce",
]

TEXT_KINDS = ("bullets", "body")
COMPACT_AFTER = 2
"""Sections on one slide beyond which each gets a single line."""
_TIMELINE_MIN, _TIMELINE_MAX = 3, 8
_STATS_MIN, _STATS_MAX = 2, 3
_PROCESS_STEP_CHARS = 60
_LEAD_LINES = 3
"""Text this short before a code block shares the code's slide."""
_MIN_SPLIT_LINES = 4
"""A text draft is split to reach a slide count only when each half keeps at least two lines."""


@dataclass(slots=True)
class Draft:
    kind: str
    """bullets | body | table | chart | stats | steps | quote | code | columns | divider | agenda"""
    sections: list[Section]
    units: list[Unit] = field(default_factory=list)
    """The text shown (bullets, body, the lead of a code slide), or the text a figure came from."""
    table: Table | None = None
    chart: Chart | None = None
    statistics: tuple[Statistic, ...] = ()
    steps: tuple[Step, ...] = ()
    quote: Quote | None = None
    code: str = ""
    language: str = ""
    columns: tuple[Column, Column] | None = None
    title: str = ""
    continued: bool = False
    comment: list[Unit] = field(default_factory=list)
    """A line shown over big numbers: what the section says after its figures, when that is short."""
    repeats: bool = False
    """A titled draft split in two: this half goes on under the same title, marked as continued."""
    overflow: list[str] = field(default_factory=list)
    """Sentences that did not fit (verbatim decks put them in the speaker notes)."""
    note: str = ""
    """What the notes should add: the columns of a table its chart leaves out."""
    rest_of_sample: bool = False
    """A code sample's later lines, on a panel of their own: in a short deck, the first part alone
    may stand for the sample."""

    def size(self) -> int:
        """How full the draft is, in bullet lines (or the equivalent for other kinds)."""
        if self.kind == "body":
            return math.ceil(_body_length(self.units) / 100)
        if self.kind == "table" and self.table is not None:
            return len(self.table.rows)
        if self.kind in ("quote", "code", "columns", "chart", "stats", "steps"):
            return limits.MAX_BULLETS
        if self.compact():
            return len(self.sections)
        return line_total(self.units) + self.headers()

    def headers(self) -> int:
        """Lines spent on section titles: one per section when the draft holds more than one."""
        if self.compact():
            return 0
        return len(self.sections) if len(self.sections) > 1 and self.kind == "bullets" else 0

    def compact(self) -> bool:
        """So many sections that each gets one line: its title and its key point together."""
        return self.kind == "bullets" and len(self.sections) > COMPACT_AFTER


def line_total(units: list[Unit]) -> int:
    return sum(unit.line_count() for unit in units)


def _body_length(units: list[Unit]) -> int:
    return len(body_text(units))


def body_text(units: list[Unit]) -> str:
    text = ""
    previous: Unit | None = None
    for unit in units:
        if previous is not None:
            text += "\n\n" if previous.group != unit.group else " "
        text += unit.text
        previous = unit
    return text


def _fits(kind: str, units: list[Unit], headers: int = 0) -> bool:
    if kind == "body":
        return _body_length(units) <= limits.MAX_BODY_CHARS
    return line_total(units) + headers <= limits.MAX_BULLETS


def _clusters(units: list[Unit]) -> list[list[Unit]]:
    """Units that belong together, so that packing and merging never separate them: a top-level
    point with the deeper points under it (a question and its answer), and a lead-in with the list
    that ends its sentence ("…may result in:" and each result) as long as they fit a slide."""
    clusters: list[list[Unit]] = []
    for unit in units:
        if clusters and unit.level > 0 and clusters[-1][0].group == unit.group:
            clusters[-1].append(unit)
        else:
            clusters.append([unit])
    joined: list[list[Unit]] = []
    for cluster in clusters:
        lead = joined[-1][0] if joined else None
        if (
            lead is not None
            and lead.group >= 0  # a document's own paragraph, not a merged table, quote or column
            and cluster[0].group == lead.group + 1
            and cluster[0].section == lead.section
            and ends_open(lead.text)
            and line_total([*joined[-1], *cluster]) <= limits.MAX_BULLETS
        ):
            joined[-1] = [*joined[-1], *cluster]
        else:
            joined.append(cluster)
    return joined


# --- building drafts from sections ---------------------------------------------------------------


def _pack(kind: str, section: Section, units: list[Unit]) -> list[Draft]:
    """Units into as few drafts as the bounds allow, balanced so that no draft is left nearly empty."""
    if not units:
        return []
    if kind == "bullets":
        units = [piece for unit in units for piece in _split_tall(unit)]
        total = line_total(units)
        target = math.ceil(total / math.ceil(total / limits.MAX_BULLETS))
    else:
        units = [piece for unit in units for piece in _split_long_body(unit)]
        total = _body_length(units)
        target = math.ceil(total / math.ceil(total / limits.MAX_BODY_CHARS))
    drafts: list[Draft] = []
    current: list[Unit] = []
    for cluster in _clusters(units) if kind == "bullets" else [[unit] for unit in units]:
        candidate = [*current, *cluster]
        full = line_total(current) >= target if kind == "bullets" else _body_length(current) >= target
        if current and (not _fits(kind, candidate) or full):
            drafts.append(Draft(kind=kind, sections=[section], units=current))
            current = list(cluster)
        else:
            current = candidate
    if current:
        drafts.append(Draft(kind=kind, sections=[section], units=current))
    for draft in drafts[1:]:
        draft.continued = True
    return drafts


def _split_tall(unit: Unit) -> list[Unit]:
    """A text so long it needs more bullets than a slide holds, as several units."""
    if unit.line_count() <= limits.MAX_BULLETS:
        return [unit]
    pieces = [line.text for line in unit.lines()]
    chunks = [pieces[i : i + limits.MAX_BULLETS] for i in range(0, len(pieces), limits.MAX_BULLETS)]
    return [
        replace(unit, text=" ".join(chunk), dropped=unit.dropped if i == 0 else ())
        for i, chunk in enumerate(chunks)
    ]


def _split_long_body(unit: Unit) -> list[Unit]:
    if len(unit.text) <= limits.MAX_BODY_CHARS:
        return [unit]
    return [replace(unit, text=piece) for piece in split_clauses(unit.text, limits.MAX_BODY_CHARS)]


_CAPTION_CHARS = 80
_CAPTION_LABEL = re.compile(
    r"^(?:Table|Figure|Fig\.|Chart|Tabelle|Abbildung|Tableau|Tabla|Tabella)\s*\d*[.:]\s*", re.I
)
_COUNTS = {"count", "number", "total", "amount", "value", "anzahl", "nombre"}
"""Measures that read after what they count: "Error count", not "Count by error"."""


_POINTS_AHEAD = re.compile(r"\bthe following\b|\bas follows\b|\bbelow\b", re.IGNORECASE)
"""A caption that only announces its table ("The following binaries are provided…:")."""


def caption(part: Part) -> str | None:
    """A paragraph that names the table after it ("Throughput per node", "Table 3: Cache hits by
    layer", "Settings used for every run:"), as a slide title; None for a paragraph of content."""
    if not isinstance(part.block, Paragraph) or len(part.sentences) != 1:
        return None
    line = part.sentences[0].strip()
    # A sentence that ends as one says something; a caption names, or leads in with a colon.
    if line.endswith((".", "!", "?", "\u3002")) and not _CAPTION_LABEL.match(line):
        return None
    text = _CAPTION_LABEL.sub("", line).rstrip(":.").strip()
    if not text or len(text) > _CAPTION_CHARS or dangling(text):
        return None
    return text[:1].upper() + text[1:]


def _lower(word: str) -> str:
    # An acronym or a name in capitals keeps its case ("API", "CPU"); a header word reads in a sentence.
    return word if word[1:2].isupper() else word[:1].lower() + word[1:]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def data_title(header: tuple[str, ...], label: int | None, shown: tuple[int, ...]) -> str:
    """A title that says what a table holds, from its headers: "Requests per second by node",
    "Raster and vector by zoom", "Setting, value and why"."""
    names = [header[c].strip() for c in shown if c < len(header) and header[c].strip()]
    if not names:
        return ""
    measure = _and([names[0], *(_lower(name) for name in names[1:])])
    by = header[label].strip() if label is not None and label < len(header) else ""
    if by and len(names) == 1 and names[0].casefold() in _COUNTS:
        return clip(f"{by} {names[0].casefold()}", limits.MAX_TITLE_CHARS)
    return clip(f"{measure} by {_lower(by)}" if by else measure, limits.MAX_TITLE_CHARS)


def _table_drafts(section: Section, block: TableBlock, named: str | None = None) -> list[Draft]:
    found = chart_for(block, f"{section.title} {named or ''}")
    if found is not None:
        chart, shown = found
        left_out = [c for c in range(len(block.header)) if c not in shown]
        note = "; ".join(
            f"{block.header[c]}: "
            + ", ".join(f"{row[shown[0]]} {row[c]}" for row in block.rows if c < len(row) and row[c])
            for c in left_out
        )
        title = data_title(block.header, shown[0], shown[1:])
        draft = Draft(kind="chart", sections=[section], chart=chart, note=note, table=_table(block))
        draft.title = title
        return [draft]
    header = list(block.header)
    rows = [list(row) for row in block.rows]
    # Wide tables: the first column (usually the row labels) repeats on every slice.
    if len(header) > limits.MAX_TABLE_COLUMNS:
        step = limits.MAX_TABLE_COLUMNS - 1
        slices = [[0, *range(start, min(start + step, len(header)))] for start in range(1, len(header), step)]
    else:
        slices = [list(range(len(header)))]
    drafts: list[Draft] = []
    for columns in slices:
        sliced_header = tuple(header[c] for c in columns)
        sliced_rows = [tuple(row[c] for c in columns) for row in rows]
        chunks = [
            sliced_rows[i : i + limits.MAX_TABLE_ROWS]
            for i in range(0, len(sliced_rows), limits.MAX_TABLE_ROWS)
        ]
        for chunk in chunks or [[]]:
            drafts.append(Draft(kind="table", sections=[section], table=Table(sliced_header, tuple(chunk))))
    # Slices of one table are one table continued; a whole table is titled by its headers.
    if len(drafts) == 1:
        drafts[0].title = data_title(block.header, None, tuple(range(len(block.header))))
    for draft in drafts[1:]:
        draft.continued = True
    return drafts


def _table(block: TableBlock) -> Table:
    return Table(
        block.header[: limits.MAX_TABLE_COLUMNS],
        tuple(row[: limits.MAX_TABLE_COLUMNS] for row in block.rows[: limits.MAX_TABLE_ROWS]),
    )


def _banner(block: QuoteBlock) -> bool:
    """A quoted field ("> Stability: 2 - Stable"): the document's metadata, no point of its own."""
    return _FIELD.fullmatch(f"\u201c{block.text}\u201d") is not None


def _quote_drafts(
    section: Section, block: QuoteBlock, scores: tuple[float, ...], condense: bool
) -> list[Draft]:
    if len(block.text) <= limits.MAX_BODY_CHARS:
        return [Draft(kind="quote", sections=[section], quote=Quote(block.text, block.attribution))]
    sentences = split_sentences(block.text)
    if condense:
        ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i] if i < len(scores) else 0.0, i))
        kept: list[int] = []
        for i in ranked:
            if len(" ".join(sentences[j] for j in sorted([*kept, i]))) <= limits.MAX_BODY_CHARS:
                kept.append(i)
        if kept:
            text = " ".join(sentences[j] for j in sorted(kept))
            draft = Draft(kind="quote", sections=[section], quote=Quote(text, block.attribution))
            draft.overflow = [s for j, s in enumerate(sentences) if j not in kept]
            return [draft]
    pieces: list[str] = []
    for sentence in sentences:
        for piece in split_clauses(sentence, limits.MAX_BODY_CHARS):
            if pieces and len(pieces[-1]) + 1 + len(piece) <= limits.MAX_BODY_CHARS:
                pieces[-1] += " " + piece
            else:
                pieces.append(piece)
    drafts = [
        Draft(kind="quote", sections=[section], quote=Quote(piece, block.attribution)) for piece in pieces
    ]
    for draft in drafts[1:]:
        draft.continued = True
    return drafts


# A line that goes on from the one before it ("elif …", "} else {", ")", ".then(…)"): no piece starts there.
_CODE_GOES_ON = re.compile(
    r"\s*(?:elif\b|else\b|except\b|finally\b|catch\b|case\b|default\b|[)\]}.]|&&|\|\|)"
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _statement_cut(current: list[str], line: str) -> int:
    """Where in the second half of `current` the next piece should start (`line` being the one
    that does not fit): at the latest of the least indented lines that begin a statement, so that
    a piece starts on a whole construct ("if …:" rather than the "pass" inside it)."""
    lines = [*current, line]
    starts = [
        i
        for i in range(max(len(current) // 2, 1), len(lines))
        if lines[i].strip() and not _CODE_GOES_ON.match(lines[i])
    ]
    if not starts:
        return len(current)
    least = min(_indent(lines[i]) for i in starts)
    cut = max(i for i in starts if _indent(lines[i]) == least)
    return cut if len("\n".join(lines[cut:])) <= limits.MAX_CODE_CHARS else len(current)


def code_chunks(text: str) -> list[str]:
    """Code in pieces a slide's panel holds, cut between lines: at a blank line when one is near,
    else before a statement as little indented as there is near the end of the piece."""
    lines = text.split("\n")
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        # A line longer than the whole panel is the one thing cut inside.
        while len(line) > limits.MAX_CODE_CHARS:
            chunks.append([line[: limits.MAX_CODE_CHARS]])
            line = line[limits.MAX_CODE_CHARS :]
        candidate = [*current, line]
        if current and (
            len(candidate) > limits.MAX_CODE_LINES or len("\n".join(candidate)) > limits.MAX_CODE_CHARS
        ):
            blank = max((i for i, text in enumerate(current) if not text.strip()), default=-1)
            if blank >= len(current) // 2:
                chunks.append(current[:blank])
                current = [*current[blank + 1 :], line]
            else:
                cut = _statement_cut(current, line)
                chunks.append(current[:cut])
                current = [*current[cut:], line]
        else:
            current = candidate
    if current:
        chunks.append(current)
    return ["\n".join(chunk).strip("\n") for chunk in chunks if any(text.strip() for text in chunk)]


def _code_drafts(section: Section, block: CodeBlock, lead: list[Unit]) -> list[Draft]:
    drafts = [
        Draft(kind="code", sections=[section], code=chunk, language=block.language)
        for chunk in code_chunks(block.text)
    ]
    if drafts:
        drafts[0].units = lead
    for draft in drafts[1:]:
        draft.continued = True
        draft.rest_of_sample = True
    return drafts


def _steps_draft(section: Section, block: ListBlock, units: list[Unit]) -> Draft | None:
    """A dated list (or a short numbered one) as the steps of a timeline."""
    items = [item for item in block.items if item.level == 0]
    if len(items) != len(block.items) or not _TIMELINE_MIN <= len(items) <= _TIMELINE_MAX:
        return None
    steps: list[Step] = []
    for number, item in enumerate(items, start=1):
        found = dated(item.text)
        if found is not None:
            step = split_step(found.label, found.text)
        elif block.ordered and len(item.text) <= _PROCESS_STEP_CHARS:
            step = split_step(str(number), item.text)
        else:
            return None
        if step is None:
            return None
        steps.append(step)
    return Draft(kind="steps", sections=[section], steps=tuple(steps), units=units)


def _stats_draft(section: Section, block: ListBlock, units: list[Unit]) -> Draft | None:
    """A short list of headline figures as big numbers."""
    if not _STATS_MIN <= len(block.items) <= _STATS_MAX or any(item.level for item in block.items):
        return None
    statistics = [headline(item.text) for item in block.items]
    if any(statistic is None for statistic in statistics):
        return None
    shown = tuple(statistic for statistic in statistics if statistic is not None)
    return Draft(kind="stats", sections=[section], statistics=shown, units=units)


def _lead_figures(section: Section, part: Part) -> tuple[Draft, Part] | None:
    """A section that opens with headline figures in prose ("Revenue rose 18% to €4.2 million. The
    margin reached 11%."): those sentences as big numbers, and the rest of the paragraph left over."""
    if not isinstance(part.block, Paragraph):
        return None
    statistics: list[Statistic] = []
    for sentence in part.sentences[:_STATS_MAX]:
        found = headline(sentence)
        if found is None:
            break
        statistics.append(found)
    count = len(statistics)
    if count < _STATS_MIN:
        return None
    units = [
        Unit(sentence, 0, part.scores[i], part.order + i, part.group, section=section.index)
        for i, sentence in enumerate(part.sentences[:count])
    ]
    rest = Part(
        part.block, part.group, part.order + count, part.sentences[count:], part.scores[count:], anchored=True
    )
    return Draft(kind="stats", sections=[section], statistics=tuple(statistics), units=units), rest


def _speaks_of(draft: Draft, units: list[Unit]) -> bool:
    """Whether the text names something the draft's chart shows: a category, a series, a header."""
    chart = draft.chart
    if chart is None:
        return False
    names = [*chart.categories, *(series.name for series in chart.series)]
    if draft.table is not None:
        names += list(draft.table.header)
    shown = {word for name in names for word in words(name)}
    said = {word for unit in units for word in words(unit.text)}
    return bool(shown & said)


def _flush(drafts: list[Draft], start: int, section: Section, kind: str, pending: list[Unit]) -> list[Unit]:
    """Pending text into drafts (or beside the chart it speaks of); returns the emptied pending list."""
    last = drafts[-1] if len(drafts) > start else None
    lines = line_total(pending)
    # A short comment after a code sample is shown with it rather than on a slide of its own; one
    # after a chart goes beside the chart of the section it speaks of (after a run of tables, a
    # remark may be about any of them), if that chart has room.
    host = None
    if kind == "bullets" and lines > 0 and last is not None and last.kind == "code":
        host = last if line_total(last.units) + lines <= _LEAD_LINES else None
    elif kind == "bullets" and lines > 0:
        host = next(
            (
                draft
                for draft in reversed(drafts[start:])
                if draft.kind == "chart"
                and _speaks_of(draft, pending)
                and line_total(draft.units) + lines <= _LEAD_LINES
            ),
            None,
        )
    if host is not None:
        host.units = host.units + pending
    else:
        drafts.extend(_pack(kind, section, pending))
    return []


def build(sections: list[Section], density: int | None) -> list[Draft]:
    """Content drafts; `density` is key sentences per paragraph, None to keep every sentence verbatim."""
    drafts: list[Draft] = []
    condense = density is not None
    for section in sections:
        start = len(drafts)
        if section.columns is not None:
            drafts.append(Draft(kind="columns", sections=[section], columns=section.columns))
        pending: list[Unit] = []
        pending_kind = "bullets"

        for number, part in enumerate(section.parts):
            block = part.block
            previous = section.parts[number - 1].group if number else -1
            if isinstance(block, ListBlock):
                units = units_of(section, part, density)
                special = _steps_draft(section, block, units) or (
                    _stats_draft(section, block, units) if condense else None
                )
                if special is not None:
                    pending = _flush(drafts, start, section, pending_kind, pending)
                    drafts.append(special)
                    continue
            if condense and number == 0:
                figures = _lead_figures(section, part)
                if figures is not None:
                    stats, part = figures
                    drafts.append(stats)
                    rest = units_of(section, part, density) if part.sentences else []
                    # One more line is said over the numbers rather than alone on a slide of its own.
                    if len(section.parts) == 1 and len(rest) == 1 and line_total(rest) == 1:
                        stats.comment = rest
                        continue
                    if not part.sentences:
                        continue
            if isinstance(block, ListBlock | Paragraph):
                kind = "body" if isinstance(block, Paragraph) and not condense else "bullets"
                if kind != pending_kind:
                    pending = _flush(drafts, start, section, pending_kind, pending)
                    pending_kind = kind
                pending.extend(units_of(section, part, density))
                continue
            if isinstance(block, CodeBlock):
                # A short lead-in shares the code's slide, so that the code is introduced where it is shown.
                lead = pending if pending_kind == "bullets" and line_total(pending) <= _LEAD_LINES else []
                pending = [] if lead else _flush(drafts, start, section, pending_kind, pending)
                drafts.extend(_code_drafts(section, block, lead))
                continue
            named = (
                caption(section.parts[number - 1])
                if isinstance(block, TableBlock) and number and pending and pending[-1].group == previous
                else None
            )
            if named is not None:
                pending = pending[:-1]  # the caption titles the table's slide, not a bullet of its own
                if _POINTS_AHEAD.search(named):
                    # "The following binaries are provided through Corepack:" announces the table
                    # and names nothing: the section's title says more.
                    named = None
            pending = _flush(drafts, start, section, pending_kind, pending)
            if isinstance(block, TableBlock):
                tables = _table_drafts(section, block, named)
                first = len(drafts) == start
                for draft in tables:
                    # The section's first table is titled by the section unless a caption names it; any
                    # later one says what it holds, never "Results (cont.)".
                    if named is not None and not draft.continued:
                        # The section's first slide names the section too, so that its title shows.
                        joined = f"{clean_title(section.title)}: {named}"
                        draft.title = joined if first and len(joined) <= limits.MAX_TITLE_CHARS else named
                    elif first and not draft.continued:
                        draft.title = ""
                drafts.extend(tables)
            elif isinstance(block, QuoteBlock) and not (condense and _banner(block)):
                drafts.extend(_quote_drafts(section, block, part.scores, condense))
        pending = _flush(drafts, start, section, pending_kind, pending)
        # Every slide titled by its section after the first says that it continues it; a slide titled
        # by what it holds (a chart, a captioned table) continues nothing.
        shown = False
        for draft in drafts[start:]:
            if draft.title:
                draft.continued = draft is not drafts[start]
                continue
            draft.continued = shown or draft.continued
            shown = True
    return drafts


# --- fitting to a slide count --------------------------------------------------------------------


_TABLE_ROW = -1
"""The group of a unit made of a table's row."""
_QUOTE_GROUP = -2
"""The group of a unit made of a quotation set apart."""


def _row_text(header: tuple[str, ...], row: tuple[str, ...]) -> str:
    """A table's row as a line: each cell after its column's name. A row of its first cell alone
    (the rest left empty) that says something is that cell, with no name before it (not
    "Option/Behavior: argument to…"); a name or a value alone keeps its column's ("Operator: Sin")."""
    cells = [(h, v) for h, v in zip(header, row, strict=False) if v]
    if len(cells) == 1 and len(header) > 1 and row[:1] == (cells[0][1],) and len(cells[0][1].split()) >= 4:
        return cells[0][1]
    return ", ".join(f"{h}: {v}" if h else v for h, v in cells)


def _as_units(draft: Draft) -> list[Unit]:
    """A draft's material as units, so that a table, quote or code sample can merge into bullets."""
    section = draft.sections[0].index if draft.sections else -1
    order = section * 1000
    if draft.kind in TEXT_KINDS or (draft.kind in ("stats", "steps") and draft.units):
        return list(draft.units) + draft.comment
    table = draft.table
    if draft.kind in ("table", "chart") and table is not None:
        header = table.header
        return [
            Unit(_row_text(header, row), 0, 0.2, order + i, _TABLE_ROW, section=section)
            for i, row in enumerate(table.rows)
            if any(row)
        ]
    if draft.kind == "quote" and draft.quote is not None:
        by = f" — {draft.quote.attribution}" if draft.quote.attribution else ""
        return [Unit(f"“{unquoted(draft.quote.text)}”{by}", 0, 0.5, order, _QUOTE_GROUP, section=section)]
    if draft.kind == "columns" and draft.columns is not None:
        return [
            Unit(f"{column.heading}: {bullet.text}", 0, 0.3, order + i, -3, section=section)
            for column in draft.columns
            for i, bullet in enumerate(column.bullets)
        ]
    if draft.kind == "code":
        # The code itself is never turned into a bullet (its first line alone reads as nonsense,
        # "service Inventory {"): `_merge` carries it to the merged slide's code panel instead.
        return list(draft.units)
    return []


def _union(a: list[Section], b: list[Section]) -> list[Section]:
    seen = {section.index for section in a}
    return [*a, *(section for section in b if section.index not in seen)]


_FIGURES = ("stats", "chart")
"""Drafts whose point is a figure: merged with anything, they stay what they are."""


def _parts_of_one_table(a: Draft, b: Draft) -> bool:
    """`a` and `b` show rows of the same table, one part after the other."""
    return (
        a.kind == b.kind == "table"
        and a.table is not None
        and b.table is not None
        and a.table.header == b.table.header
        and a.sections[-1].index == b.sections[0].index
    )


def _said(draft: Draft) -> list[str]:
    """Everything a draft shows, as sentences for the notes."""
    return [unit.text for unit in [*draft.units, *draft.comment]] + ([draft.note] if draft.note else [])


def _keep_figure(a: Draft, b: Draft) -> Draft:
    """A slide count too small for every figure and text: the figure stays whole, one per slide,
    its first (big numbers before charts) when both are figures, and the other draft is said in the
    notes. Its rows as bullets ("Zoom: z4, Raster: 18, Vector: 11") would read as noise."""
    figures = [draft for draft in (a, b) if draft.kind in _FIGURES]
    kept = min(figures, key=lambda d: (_FIGURES.index(d.kind), d is b))
    other = b if kept is a else a
    left = other.overflow + _said(other)
    return replace(kept, overflow=[*a.overflow, *b.overflow, *left] if kept is a else [*left, *kept.overflow])


def introduces(unit: Unit, after: Unit | None) -> bool:
    """Whether `after`, the unit shown next, is what the lead-in `unit` introduces: the list after
    its paragraph, or an item under it."""
    return (
        after is not None
        and after.section == unit.section
        and (after.group == unit.group + 1 or (after.group == unit.group and after.level > unit.level))
    )


def _merge(a: Draft, b: Draft, condense: bool) -> Draft:
    if a.kind in _FIGURES or b.kind in _FIGURES:
        return _keep_figure(a, b)
    if _parts_of_one_table(a, b):
        # The rows a deck has no room for are said in the notes, not shown as bullets of fields
        # ("Index: 41, Content Type Label: doc, …", every eighth row of a long table's last parts).
        return replace(a, overflow=[*a.overflow, *(unit.text for unit in _as_units(b)), *b.overflow])
    kind = "body" if a.kind == b.kind == "body" else "bullets"
    sections = _union(a.sections, b.sections)
    headers = len(sections) if len(sections) > 1 and kind == "bullets" else 0
    units = _as_units(a) + _as_units(b)
    overflow = a.overflow + b.overflow
    if kind == "bullets" and len(sections) > COMPACT_AFTER:
        return _compact(sections, units, overflow, a.continued)
    if not _fits(kind, units, headers):
        clusters = _clusters(units)
        kept: list[list[Unit]] = []
        if condense:
            # Each section keeps its best point first; then the best of the rest, while there is room.
            ranked = sorted(clusters, key=lambda c: (-c[0].score, c[0].order))
            best_of: dict[int, list[Unit]] = {}
            for cluster in ranked:
                best_of.setdefault(cluster[0].section, cluster)
            for cluster in [*best_of.values(), *ranked]:
                if any(cluster is k for k in kept):
                    continue
                trial = sorted([*kept, cluster], key=lambda c: c[0].order)
                if _fits(kind, [u for c in trial for u in c], headers):
                    kept = trial
        else:
            for cluster in clusters:
                if not _fits(kind, [u for c in [*kept, cluster] for u in c], headers):
                    break
                kept.append(cluster)
        if not kept and clusters:
            # No cluster fits whole (a point with more under it than a slide holds): the best one's
            # first lines, rather than an empty slide.
            best = min(clusters, key=lambda c: (-c[0].score, c[0].order)) if condense else clusters[0]
            head: list[Unit] = []
            for unit in best:
                if not _fits(kind, [*head, unit], headers):
                    break
                head.append(unit)
            kept = [head] if head else []
        chosen = [u for c in kept for u in c]
        chosen_ids = {id(unit) for unit in chosen}
        overflow += [unit.text for unit in units if id(unit) not in chosen_ids]
        units = chosen
        if not _fits(kind, units, headers):
            kind = "bullets"
    single = len(sections) == 1
    if _cuts_sample(a, b):
        # The sample's first part stands for it; the mark says that more lines follow.
        cut = a.code if a.code.endswith(_CUT_MARK) else a.code.rstrip("\n") + _CUT_MARK
        return replace(a, code=cut, overflow=a.overflow + b.overflow)
    samples = [draft for draft in (a, b) if draft.kind == "code"]
    if kind == "bullets" and len(samples) == 1:
        # Text merged with one code sample keeps the sample, on its panel below the text.
        kind = "code"
    if len(samples) > 1:
        # Two samples: neither is shown, and the lines that announce one ("…as above:") go too.
        # Not one whose list is shown after it ("You can add options to your code…:" over its items).
        following = {id(unit): after for unit, after in itertools.zip_longest(units, units[1:])}
        leads = {
            id(unit)
            for draft in samples
            for unit in draft.units
            if leads_in(unit.text) and not introduces(unit, following.get(id(unit)))
        }
        overflow += [unit.text for unit in units if id(unit) in leads]
        units = [unit for unit in units if id(unit) not in leads]
    return Draft(
        kind=kind,
        sections=sections,
        units=units,
        code=samples[0].code if kind == "code" else "",
        language=samples[0].language if kind == "code" else "",
        continued=a.continued and single,
        overflow=overflow,
    )


_SENTENCE_OPENERS = frozenset(
    ("the", "a", "an", "this", "these", "that", "those", "our", "your", "its")
) | frozenset(
    ("their", "my", "in", "on", "at", "for", "with", "by", "from", "to", "of", "as", "if", "when", "each")
)


ENDED = (".", "!", "\u3002", "\uff01")
"""How a sentence ends, in Latin and East Asian scripts."""


def _sentence_unit(section: Section, part: Part, index: int, text: str) -> Unit:
    """A unit of its own for the part's `index`th sentence, written as `text`."""
    return Unit(text, 0, part.scores[index], part.order + index, part.group, section=section.index)


# A heading that only locates its text in a sample ("Lines 1-3", "Line 12"): on a line with no sample
# beside it, the sentence is said without it.
_LOCATOR = re.compile(r"lines?\s+\d+(?:\s*(?:-|\u2013|to|and)\s*\d+)?", re.IGNORECASE)


def compact_line(section: Section, unit: Unit | None) -> str:
    title = clean_title(section.title)
    if unit is None:
        return title
    text = unit.text
    if _LOCATOR.fullmatch(title):
        return text
    if title.endswith(("?", "\uff1f")):
        return f"{title} {text}"  # a question and its answer
    if title.endswith(("...", "\u2026")):
        return f"{title} {_mid_sentence(text, section)}"  # a heading its text goes on from ("What it does…")
    said = _mid_sentence(_unrepeated(title, text), section)
    # A title with a label of its own ("Example: Patched dependency", "Event: `'close'`") takes a
    # dash: a second colon would read as a label of a label.
    return f"{title} \u2014 {said}" if _LABELLED.match(title) else f"{title}: {said}"


_KINDS_OF_NAME = r"(?:\s+(?:event|method|property|class|function|option|module|hook))?"
_ITS_VERBS = r"(?:returns|provides|contains|represents|holds|specifies|indicates|creates|emits|accepts)\b"


def _unrepeated(title: str, text: str) -> str:
    """`text` without its subject when that is what the title names: after "Event: `'close'`", the
    line "emitted once either side…", not "the `'close'` event is emitted once either side…", and
    after "`process.release`", "returns an `Object`…"."""
    named = CODE_SPAN.search(title)
    if named is None or named.group(0) not in text[:80]:
        return text
    said = rf"\s+(?:(?:is|are)\s+(?=[a-z])|(?={_ITS_VERBS}))"
    pattern = rf"(?:the\s+)?{re.escape(named.group(0))}{_KINDS_OF_NAME}{said}"
    subject = re.match(pattern, text, re.IGNORECASE)
    return text[subject.end() :] if subject and len(text) - subject.end() >= 12 else text


def _mid_sentence(text: str, section: Section) -> str:
    """`text` said after a label: "Safety: safety comes first", but "Maps: GPS units…" keeps its
    capitals, and so does a name with a digit, a dot or capitals inside ("X.509 requests", "S3
    buckets", "Node.js", "JavaScript"), or one its section writes capitalised mid-sentence
    ("Windows: Windows is not supported", as "…does not support Windows" says)."""
    first, _, rest = text.partition(" ")
    if _named_in(first.rstrip(".,;:"), section):
        return text
    name = any(ch.isdigit() or ch.isupper() or ch == "." for ch in first[1:].rstrip(".,;:"))
    # A capitalised word next makes a name of two ("Northwind Outfitters closed…"), unless the first
    # is a word of the sentence before a name ("The Node.js project…"); an acronym next does not
    # ("Base HTTP support…").
    following = rest.split(" ", 1)[0]
    titled = following[:1].isupper() and following[1:2].islower()
    name = name or (titled and first.casefold() not in _SENTENCE_OPENERS)
    if text[:2].istitle() and text[:1].isascii() and not name:
        return text[:1].lower() + text[1:]
    return text


def _named_in(word: str, section: Section) -> bool:
    """`word` is capitalised where no sentence starts, somewhere in `section`'s text: a name."""
    if not word[:1].isupper() or not word.isalpha():
        return False
    mid = re.compile(rf"[a-z,;] {re.escape(word)}\b(?!\()")
    return any(mid.search(sentence) for part in section.parts for sentence in part.sentences)


def _standalone(section: Section, units: list[Unit]) -> Unit | None:
    """The section's best-scored paragraph sentence that stands alone on a compact line, if any."""
    shown = {unit.text for unit in units}
    found = [
        _sentence_unit(section, part, i, sentence)
        for part in section.parts
        if isinstance(part.block, Paragraph)
        for i, sentence in enumerate(part.sentences)
        if sentence not in shown
        and len(words(sentence)) >= 2  # not "Or" between two samples
        and not points_outside(sentence)
        and not points_elsewhere(sentence)
        and not leads_in(sentence)
        and not _FIELD.fullmatch(sentence)
        and not sentence.endswith(("?", "\uff1f"))
        and len(compact_line(section, None)) + 2 + len(sentence) <= limits.MAX_BULLET_CHARS
    ]
    return min(found, key=lambda u: (-u.score, u.order), default=None)


_FIELD = re.compile(
    r"[^:]{1,40}:\s+\S{1,20}|\u201c[^:\u201d]{1,40}:\s+(?:(?:[^\u201d.]|\.(?=\d)){1,24}|"
    r"\d+(?:\.\d+)?\s+-\s+[^\u201d]{1,200})\u201d"
)
"""A field of the document's metadata ("Present in: 2021", "Status: draft"), not a point; quoted too,
as a document marks one in a block of its own (Node.js's "> Stability: 2 - Stable", and a level with
its advice, "> Stability: 3 - Legacy: Use `assert.deepStrictEqual()` instead.")."""


def _headers(units: list[Unit]) -> set[int]:
    """Ids of the list items that head items of their own ("Report Quality" over its points)."""
    return {
        id(unit)
        for unit, after in itertools.pairwise(units)
        if after.level > unit.level and after.group == unit.group and after.section == unit.section
    }


def _says_something(unit: Unit, headers: set[int]) -> bool:
    # A content word of prose at least: a line of code alone ("Example: `"file:///C:/"`") or a
    # word between two code blocks ("Basic Usage: OR") says nothing after the title.
    prose = CODE_SPAN.sub(" ", unit.text)
    return (
        id(unit) not in headers
        # Nor a table's row of fields ("subsystem: `benchmark/*`, Maintainers: @nodejs/…"): data, not a point.
        and not (unit.group == _TABLE_ROW and unit.text.count(": ") >= 2)
        and not reference_entry(unit.text)
        and not points_elsewhere(unit.text)
        and not _FIELD.fullmatch(unit.text)
        and not goes_on(unit.text)
        and not clause_alone(unit.text)
        and bool(words(prose))
    )


_LABELLED = re.compile(r"[^:\s][^:]{0,40}:\s")
"""A line that starts with a label of its own ("Tier 1: These…", "`name`: Optional…")."""


def _compact_unit(section: Section, unit: Unit, *, shorten: bool = False) -> Unit | None:
    """`unit` as its section's compact line shows it: whole, or its first sentence when only that fits
    and it is a sentence (not a fragment such as "“1.", nor a label's: after the title's label, a
    second reads as a definition of the first)."""
    if len(compact_line(section, unit)) <= limits.MAX_BULLET_CHARS:
        return unit
    first = split_sentences(unit.text)[0]
    if len(words(first)) < 3 or not first.endswith(ENDED) or _LABELLED.match(first) or reference_entry(first):
        return None
    if len(compact_line(section, replace(unit, text=first))) > limits.MAX_BULLET_CHARS:
        if not shorten:
            return None
        # Too long even alone: its asides and trailing clauses go, as a bullet's do (the notes hold
        # it whole). Primordials' "Defining object own properties" was a bare title: its one sentence
        # opened "When defining property descriptor (to add or update an own property to a…".
        room = limits.MAX_BULLET_CHARS - len(compact_line(section, None)) - 2
        shorter = shorten_sentence(first, room)
        if shorter is None or len(words(shorter)) < 3:
            return None
        first = shorter
    return replace(unit, text=first)


def _saying(
    section: Section, mine: list[Unit], completing: set[int], headers: set[int], *, shorten: bool
) -> list[Unit]:
    """`mine` (a section's lines, best first) as its compact line can show them, those that say
    something there: no lead-in, nor an item of a list that ends its lead-in's sentence, nor a
    sentence that only names what the title names."""
    return [
        shown
        for u in mine
        if u.group not in completing
        and _says_something(u, headers)
        and (shown := _compact_unit(section, u, shorten=shorten)) is not None
        and not leads_in(shown.text)
        and (shown is u or _says_something(shown, headers))
        and not _only_names(section, shown.text)
    ]


_INTRODUCING = frozenset(
    [
        "one",
        "another",
        "interesting",
        "important",
        "useful",
        "notable",
        "special",
        "particular",
        "case",
        "example",
        "thing",
        "feature",
        "point",
        "topic",
        "here",
        "now",
        "consider",
        "look",
    ]
)
"""Words of a sentence that introduces its subject and says nothing of it ("One interesting case is
`common.mustCall`.")."""


def _only_names(section: Section, text: str) -> bool:
    """`text` says nothing but what its section's title says: after "common.mustCall:", the line
    "one interesting case is `common.mustCall`." repeats the title."""
    said = set(words(text))
    return bool(said & _INTRODUCING) and said <= set(words(section.title)) | _INTRODUCING


def own_sentence(text: str) -> bool:
    """A sentence of its own: capitalised and ended, not an item that needs its lead-in, nor a
    gerund's phrase without a verb ("Calling the `stream.resume()` method.", one of "…can be
    switched to flowing mode in one of the following ways:")."""
    if text[:1].isascii() and not (text[:1].isupper() and text.rstrip().endswith((".", "!"))):
        return False
    said = CODE_SPAN.sub("`", text).split()
    if not said:
        return True
    first, *rest = said
    gerund = first.casefold().endswith("ing") and len(first) >= 6 and first.casefold() not in _NOT_GERUNDS
    return not gerund or any(word.casefold().strip(".,;!") in _FINITE for word in rest)


_NOT_GERUNDS = frozenset({"nothing", "something", "everything", "anything", "during", "morning", "evening"})
_FINITE = frozenset(
    {"is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "may", "might"}
    | {"must", "should", "shall", "does", "do", "did", "needs", "takes", "makes", "gives", "lets", "keeps"}
    | {"returns", "means", "works", "runs"}
)
"""Verbs that make a gerund's phrase a sentence ("Building the docs takes a minute.")."""


_QUOTED = ('"', "'", "\u201c", "\u2018", "\u00ab", "\u300c")


def _lede(section: Section, mine: list[Unit], whole: list[Unit], headers: set[int]) -> Unit | None:
    """The line of the prose a section opens with, when it fits whole and stands alone. The opening
    says what the section is about; its best-scored sentence is often a detail ("`assert.match()`:
    if the `message` parameter is undefined, a default error message is assigned."). Not a list's
    first item, which is no more its section's point than the others, nor a quotation set above
    the text; a field before it ("> Stability: 2 - Stable"), or a sentence that only names the
    title's subject, is passed over."""
    if CODE_SPAN.match(clean_title(section.title)) or section.title.startswith(_NAMED_KINDS):
        return _definition(section, headers)
    prose = {part.group for part in section.parts if isinstance(part.block, Paragraph)}
    opening = min((u for u in mine if not _FIELD.fullmatch(u.text)), key=lambda u: u.order, default=None)
    if opening is not None and opening.group in prose and _only_names(section, opening.text):
        return _said_next(section, opening, headers)
    return next(
        (
            u
            for u in whole
            if opening is not None
            and u.order == opening.order
            and u.group in prose
            and u.text.rstrip().endswith(ENDED)
            and not u.text.startswith(_QUOTED)
            and not points_outside(u.text)
        ),
        None,
    )


_OPENING_PARAGRAPHS = 2


def _earlier_opening(section: Section, lede: Unit | None, headers: set[int]) -> Unit | None:
    """`lede`, or, in the document's opening (its text before the first heading), the opening of one
    of its first paragraphs before it when that stands on its line: the draft merged into the slide
    may have kept only its later paragraphs (Node.js's events.md: "Overview: when the `EventEmitter`
    object emits an event…", a detail, where "…all objects that emit events are instances of the
    `EventEmitter` class." opens it). A headed section's first sentence may only set its scene
    ("Working with landowners: many sites are on private land."): its own line is chosen as before."""
    if section.level != 0:
        return lede
    paragraphs = [part for part in section.parts if isinstance(part.block, Paragraph) and part.sentences]
    for part in paragraphs[:_OPENING_PARAGRAPHS]:
        if lede is not None and part.order >= lede.order:
            break
        unit = _sentence_unit(section, part, 0, part.sentences[0])
        if (
            not part.anchored
            and own_sentence(unit.text)
            and not _only_names(section, unit.text)
            and _stands_on_its_line(section, unit, headers)
        ):
            return unit
    return lede


def _said_next(section: Section, opening: Unit, headers: set[int]) -> Unit | None:
    """The sentence after `opening` in its paragraph, when it fits the line and stands alone."""
    for part in section.parts:
        index = opening.order - part.order + 1
        if part.group != opening.group or not 0 < index < len(part.sentences):
            continue
        unit = _sentence_unit(section, part, index, part.sentences[index])
        return unit if _stands_on_its_line(section, unit, headers) else None
    return None


def _stands_on_its_line(section: Section, unit: Unit, headers: set[int]) -> bool:
    """`unit` is a sentence ended as one that fits its section's line and stands alone there."""
    text = unit.text
    return (
        text.rstrip().endswith(ENDED)
        and len(compact_line(section, unit)) <= limits.MAX_BULLET_CHARS
        and _says_something(unit, headers)
        and not (points_outside(text) or leads_in(text))
    )


_NAMED_KINDS = ("Class:", "Event:", "Static method:", "Method:", "Property:")
"""How an API reference heads what it names ("Class: `Worker`")."""


def _definition(section: Section, headers: set[int]) -> Unit | None:
    """The first sentence of the text under a name ("`--inspect-brk`: activate inspector on
    `host:port` and break at start of user script."): a reference says what a thing is or does
    first, and the sentence its paragraph scores best may be the default after it ("default
    `host:port` is `127.0.0.1:9229`"). Elsewhere a section's first sentence may only set the scene
    ("Many sites are on private land."), so this is for named things only."""
    for part in section.parts:
        # Passed over: its banner, and its typed parameters ("`value` {any}").
        if isinstance(part.block, QuoteBlock) and _banner(part.block):
            continue
        if isinstance(part.block, ListBlock) and all(reference_entry(item) for item in part.sentences):
            continue
        if not isinstance(part.block, Paragraph) or not part.sentences or part.anchored:
            return None
        text = part.sentences[0]
        unit = _sentence_unit(section, part, 0, text)
        if len(compact_line(section, unit)) > limits.MAX_BULLET_CHARS:
            # Its asides and trailing clauses go, as a bullet's do: "A special value that can be
            # passed as the `env` option of the `Worker` constructor, to indicate that…".
            room = limits.MAX_BULLET_CHARS - len(compact_line(section, None)) - 2
            text = shorten_sentence(text, room) or text
            unit = _sentence_unit(section, part, 0, text)
        return unit if len(words(text)) >= 3 and _stands_on_its_line(section, unit, headers) else None
    return None


_ANNOUNCES = re.compile(
    r"^(?:if|when|where|on|in|as|here|here's)\b|\bexamples?\b|\bthe following\b|\bas follows\b|"
    r"\b(?:below|above)\b|\blike (?:this|these|so)\b|^to \w+ (?:this|that|it|them)\b",
    re.IGNORECASE,
)
"""A lead-in that is no statement without what follows it: a condition ("If version `unstable` was
passed… it will return:"), a sample ("Here's an example showing…:", "…an error message like
this:"), an announcement ("…follows the steps below:"), a fix for what it does not say ("To fix
this, pull…:")."""


def _said_before_its_list(section: Section) -> Unit | None:
    """A lead-in that is a sentence whole before what it introduces ("There are four fundamental
    stream types within Node.js:"), as a statement: better than a bare heading when nothing else
    fits. Not one its list ends ("…may result in:"), one that only announces it ("…the
    following options:"), nor a purpose without its main clause ("To install this version of
    Node.js into a system directory:"); "To get the string, use the `href` property:" is one."""
    for part in section.parts:
        if not isinstance(part.block, Paragraph):
            continue
        for i, sentence in enumerate(part.sentences):
            text = sentence.rstrip()
            if (
                not colon_ended(text)
                or ends_open(text)
                or len(words(text)) < 5
                or _ANNOUNCES.search(text)
                or (text[:3].casefold() == "to " and len(text.partition(", ")[2].split()) < 3)
            ):
                continue
            statement = text[:-1].rstrip() + ("\u3002" if text.endswith("\uff1a") else ".")
            unit = _sentence_unit(section, part, i, statement)
            # `_ANNOUNCES` has turned away what `leads_in` would; `points_outside` covers samples.
            if (
                not points_outside(statement)
                and not points_elsewhere(statement)
                and len(compact_line(section, unit)) <= limits.MAX_BULLET_CHARS
            ):
                return unit
    return None


def _item_alone(section: Section, needing: set[int]) -> Unit | None:
    """The section's best list item that is a sentence of its own and stands on its line, when the
    units its draft kept hold none ("I made a mistake: ping a TSC voting member.", whose condensed
    list had kept only an item with sub-items). Not an item of a list that needs what comes before
    it (`needing`), nor one with sub-items of its own, which say what it means."""
    found = []
    for part in section.parts:
        if not isinstance(part.block, ListBlock) or part.group in needing:
            continue
        items = part.block.items
        for i, entry in enumerate(items):
            if entry.level or (i + 1 < len(items) and items[i + 1].level):
                continue
            unit = _sentence_unit(section, part, i, part.sentences[i])
            if (
                own_sentence(unit.text)
                and len(words(unit.text)) >= 3
                and _stands_on_its_line(section, unit, set())
            ):
                found.append(unit)
    return min(found, key=lambda u: (-u.score, u.order), default=None)


def _compact(sections: list[Section], units: list[Unit], overflow: list[str], continued: bool) -> Draft:
    """One line per section: its title with its best point, when the two fit a bullet together."""
    kept: list[Unit] = []
    headers = _headers(units)
    for section in sections:
        mine = sorted(
            (
                u
                for u in units
                if u.section == section.index and u.level == 0 and not u.text.endswith(("?", "\uff1f"))
            ),
            key=lambda u: (-u.score, u.order),
        )
        # A line of its own cannot lean on the sentence before it ("Overview: read it before…"): the
        # section's best line that stands alone, else its best sentence that does, else the best line.
        # Nor on what comes after it: not a lead-in without its list, not an item without its lead-in.
        completing = completing_lists(section)
        # Nor an item a lead-in announces that is no sentence of its own: "`;` for Windows", one of
        # "Provides the platform-specific path delimiter:", says half of it.
        introduced = introduced_lists(section)
        mine = [u for u in mine if u.group not in introduced or own_sentence(u.text)]
        # A point says something: not the label of points left off ("Report Quality") nor a type
        # ("`url.port`: {string}"), which after the title read as its definition; with nothing
        # else, the title stands alone. A list item of several sentences too long for the line says
        # its first, the rest going to the notes ("Limitations: symbolic links will be followed…").
        whole = _saying(section, mine, completing, headers, shorten=False)
        # A quotation set apart is someone's words, not the section's point ("Managing security
        # issues: “FYI @xxxx we asked GitHub to delete…”", a message to post): the last resort.
        said = [u for u in whole if u.group != _QUOTE_GROUP]
        best = _earlier_opening(
            section, _lede(section, [u for u in mine if u.group != _QUOTE_GROUP], said, headers), headers
        )
        best = best or next((u for u in said if not points_outside(u.text)), None)
        best = (
            best
            or _standalone(section, units)
            # Not one that goes on from the sentence before it ("If not, then…") or speaks of a
            # sample the line cannot show: the title alone says more.
            or next((u for u in whole if not (goes_on_from(u.text) or speaks_of_a_sample(u.text))), None)
        )
        # Only when no sentence fits whole does one lose its asides and trailing clauses to fit:
        # cut, a sentence may lose what made it the best ("…, and cancels if gales are expected").
        best = best or next(
            (
                u
                for u in _saying(section, mine, completing, headers, shorten=True)
                if not points_outside(u.text)
            ),
            None,
        )
        best = best or _said_before_its_list(section) or _item_alone(section, completing | introduced)
        if best is not None:
            kept.append(best)
    kept_ids = {id(unit) for unit in kept}
    overflow = overflow + [unit.text for unit in units if id(unit) not in kept_ids]
    return Draft(
        kind="bullets",
        sections=sections,
        units=kept,
        overflow=overflow,
        continued=continued and len(sections) == 1,
    )


_CUT_MARK = "\n\u2026"
"""The line a code panel ends with when the sample's later lines were left off."""


def _cuts_sample(a: Draft, b: Draft) -> bool:
    """`b` is nothing but the lines after `a`'s code, of the same sample."""
    return (
        a.kind == b.kind == "code"
        and b.rest_of_sample
        and not b.units
        and a.sections[-1].index == b.sections[0].index
    )


def _merge_cost(a: Draft, b: Draft) -> int:
    same_section = a.sections[-1].index == b.sections[0].index
    same_chapter = a.sections[-1].chapter == b.sections[0].chapter
    text = a.kind in TEXT_KINDS and b.kind in TEXT_KINDS
    kind = "body" if a.kind == b.kind == "body" else "bullets"
    sections = len(_union(a.sections, b.sections))
    fits = text and _fits(kind, a.units + b.units, sections if sections > 1 and kind == "bullets" else 0)
    if fits:
        tier = 0 if same_section else 1 if same_chapter else 2
    elif _cuts_sample(a, b):
        # A short deck shows a long sample's first part before it crowds sections together.
        tier = 3
    elif text:
        tier = 3 if same_section else 4 if same_chapter else 5
    else:
        tier = 6 if same_section else 7 if same_chapter else 8
        if a.kind in _FIGURES and b.kind in _FIGURES:
            # One of two figures is left off the slides (`_keep_figure`): only when nothing else can go.
            tier += 3
        elif a.kind == "code" and b.units:
            # The slide shows its text above its code panel: what the document says after the code
            # would come before it, between the code and its lead-in. After the merges of its tier.
            tier += 1
    # Within a tier, sections of one parent first ("Goal", "Links" and "Contacts" under each of several
    # headings go together, not across them), then fewer sections per slide, so that long documents
    # group into balanced runs.
    apart = 0 if same_section or family(a.sections[-1], b.sections[0]) else 10_000
    return tier * 20_000 + apart + sections * 100 + a.size() + b.size()


def family(first: Section, second: Section) -> bool:
    """`second` is `first`'s sibling (the same parent heading) or under it."""
    parent = first.path[:-1]
    return second.path[: len(first.path)] == first.path or (bool(parent) and second.path[:-1] == parent)


def reduce(drafts: list[Draft], target: int, condense: bool) -> list[Draft]:
    """`drafts` merged down to `target`: each time the adjacent pair that costs least (the first of
    equals), after which the pairs beside it are weighed again.

    The pairs wait in a heap, where the entries a merge made stale stay and are skipped: looking
    through every pair for each merge was quadratic in the drafts (planning a table of 50,000
    columns took 30 s, a code block of 130,000 lines 18 s). A pair is known by the place of its
    first draft, which a merged draft keeps, so of two pairs that cost the same the heap gives the
    first in the deck, as the scan did.
    """
    merged = list(drafts)
    gone = [False] * len(drafts)
    after = list(range(1, len(drafts) + 1))
    before = list(range(-1, len(drafts) - 1))
    # How often the pair that starts at each place changed: a heap entry of an older one is stale.
    weighed = [0] * len(drafts)
    pairs = [(_merge_cost(drafts[i], drafts[i + 1]), i, 0) for i in range(len(drafts) - 1)]
    heapq.heapify(pairs)

    def weigh(first: int) -> None:
        weighed[first] += 1
        if after[first] < len(merged):
            cost = _merge_cost(merged[first], merged[after[first]])
            heapq.heappush(pairs, (cost, first, weighed[first]))

    left = len(drafts)
    while left > max(target, 1):
        _, first, version = heapq.heappop(pairs)
        if gone[first] or version != weighed[first]:
            continue
        second = after[first]
        merged[first] = _merge(merged[first], merged[second], condense)
        gone[second] = True
        left -= 1
        after[first] = after[second]
        if after[first] < len(merged):
            before[after[first]] = first
        weigh(first)
        if before[first] >= 0:
            weigh(before[first])
    return [draft for draft, away in zip(merged, gone, strict=True) if not away]


def _split_weight(draft: Draft) -> int:
    """How much a draft gains from being split in two; 0 when halves would be too thin to show."""
    if draft.kind in TEXT_KINDS and len(draft.sections) == 1:
        clusters = _clusters(draft.units)
        if len(clusters) >= 2 and draft.size() >= _MIN_SPLIT_LINES:
            return 100 + draft.size()
        return 0
    if draft.kind == "table" and draft.table is not None and len(draft.table.rows) >= 4:
        return 100 + len(draft.table.rows)
    if draft.kind == "code" and draft.code.count("\n") >= 7:
        return 50
    return 0


def _split(draft: Draft) -> tuple[Draft, Draft]:
    second = replace(draft, continued=True, overflow=[], repeats=bool(draft.title))
    if draft.kind in TEXT_KINDS:
        clusters = _clusters(draft.units)
        measure = _body_length if draft.kind == "body" else line_total
        total = measure(draft.units)

        def flat(part: list[list[Unit]]) -> list[Unit]:
            return [u for c in part for u in c]

        at = min(range(1, len(clusters)), key=lambda i: (abs(2 * measure(flat(clusters[:i])) - total), i))
        return (
            replace(draft, units=flat(clusters[:at])),
            replace(second, units=flat(clusters[at:])),
        )
    if draft.kind == "table" and draft.table is not None:
        rows = draft.table.rows
        half = (len(rows) + 1) // 2
        return (
            replace(draft, table=Table(draft.table.header, rows[:half])),
            replace(second, table=Table(draft.table.header, rows[half:])),
        )
    lines = draft.code.split("\n")
    half = len(lines) // 2
    return (
        replace(draft, code="\n".join(lines[:half])),
        replace(second, code="\n".join(lines[half:]), units=[]),
    )


def expand_once(drafts: list[Draft]) -> bool:
    weights = [_split_weight(draft) for draft in drafts]
    if not weights or max(weights) == 0:
        return False
    best = max(range(len(drafts)), key=lambda i: (weights[i], -i))
    drafts[best : best + 1] = list(_split(drafts[best]))
    return True
