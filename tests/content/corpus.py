"""The content corpus: realistic documents of different kinds and languages, and what a good deck of
each must show. Plain data and checks, no pytest: the embedded-engine and model-engine tests share it.

DOCUMENTS          -> the documents, each with what its deck is expected to hold
check_deck(...)    -> every check that applies to any deck, whichever engine wrote it
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.content._phrases import LANGUAGES, phrases
from deckgen.content.embedded import EmbeddedEngine
from deckgen.domain import ChartType, Deck, GenerationSpec, Layout, OutlineItem, Slide, SourceDocument, limits

__all__ = [
    "CORPUS",
    "DOCUMENTS",
    "Document",
    "check_deck",
    "code_blocks",
    "headings",
    "shown_texts",
    "source",
]

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class Document:
    name: str
    kind: str
    language: str
    title: str
    """The deck's title: the document's own, never its file name."""
    slide_count: int
    """What a caller would ask for."""
    charts: tuple[ChartType, ...] = ()
    """The native charts its numeric tables call for, in order."""
    timeline: bool = False
    statistics: bool = False
    questions: int = 0
    """Question-and-answer pairs that must stay together."""
    conclusion: str = ""
    """A heading whose section the closing slide holds."""
    extra: dict[str, str] = field(default_factory=dict)


DOCUMENTS = (
    Document(
        "idempotent-payments.md",
        "technical article with code",
        "en",
        "Designing Idempotent Payment APIs",
        10,
        conclusion="Conclusion",
    ),
    Document(
        "q3-report.md",
        "quarterly report with three numeric tables",
        "en",
        "Harbour Logistics: Third Quarter 2026",
        10,
        charts=(ChartType.COLUMN, ChartType.COLUMN, ChartType.PIE),
        statistics=True,
    ),
    Document("c-essay.txt", "plain-text essay", "en", "On Slowness in Software", 8),
    Document("note.txt", "three-line note", "en", "Office closed on Friday", 10),
    Document(
        "handbook.md", "long handbook with 22 sections", "en", "Fieldwork Handbook for Survey Teams", 12
    ),
    Document("faq.md", "FAQ", "en", "Travel Expenses: Frequently Asked Questions", 10, questions=2),
    Document("meeting-notes.md", "meeting notes", "en", "Platform Team Weekly – 14 October 2026", 8),  # noqa: RUF001 -- the document's own dash
    Document("changelog.md", "changelog (dated list)", "en", "Tessera Release History", 6, timeline=True),
    Document("remote-work-ja.md", "Japanese report", "ja", "リモートワーク導入の成果と課題", 7),
    Document("water-ar.md", "Arabic report", "ar", "إدارة المياه في المدن الذكية", 6),
    Document(
        "waermepumpen-de.md",
        "German field study with a table",
        "de",
        "Wärmepumpen im Bestand: Erfahrungen aus 120 Häusern",
        6,
        charts=(ChartType.COLUMN,),
        conclusion="Fazit",
    ),
    Document("README.md", "README with code and a settings table", "en", "quickcache", 8),
    Document(
        "ledger-api.md",
        "API reference: contents, comments, typed entries, TeX, repeated subsections, link definitions",
        "en",
        "Ledger API reference",
        8,
    ),
    Document(
        "night-bus-trial.md",
        "research summary with long sentences and caveats",
        "en",
        "Night Buses for Late-Shift Workers: Results of a Six-Month Trial",
        8,
        statistics=True,
        conclusion="Conclusions",
    ),
    Document(
        "benchmarks-appendix.md",
        "appendix of captioned tables under one heading",
        "en",
        "Tessera 3.1 Benchmarks",
        10,
        charts=(ChartType.COLUMN, ChartType.COLUMN, ChartType.COLUMN, ChartType.COLUMN, ChartType.COLUMN),
    ),
)


def source(document: Document) -> SourceDocument:
    media_type = "text/plain" if document.name.endswith(".txt") else "text/markdown"
    return SourceDocument(document.name, media_type, (CORPUS / document.name).read_bytes())


def headings(document: Document) -> list[str]:
    """The document's section headings (below its title), numbering left off, read straight from it."""
    text = (CORPUS / document.name).read_text(encoding="utf-8")
    found = re.findall(r"^#{2,6}\s+(.+?)\s*#*$", text, re.MULTILINE)
    return [re.sub(r"^\d+\.\s+", "", heading).strip() for heading in found]


def code_blocks(document: Document) -> list[str]:
    """Fenced and indented code blocks, read straight from the Markdown."""
    text = (CORPUS / document.name).read_text(encoding="utf-8")
    fenced = re.findall(r"^```[^\n]*\n(.*?)\n```", text, re.MULTILINE | re.DOTALL)
    indented = re.findall(r"(?:(?<=\n\n)|^)((?: {4}.*\n)+)", text)
    return [*fenced, *(re.sub(r"^ {4}", "", block, flags=re.MULTILINE).rstrip("\n") for block in indented)]


_RAW_MARKDOWN = re.compile(r"\*\*|__|`|^#{1,6}\s|\]\(|^\s*[-*+]\s", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+).+?\1(?!`)")
"""A code span of the document, which a slide keeps (the renderer draws it in monospace, as written)."""


def _raw_markdown(text: str) -> bool:
    """Whether `text` holds Markdown the engine should have reduced (code spans are meant)."""
    return _RAW_MARKDOWN.search(_CODE_SPAN.sub("code", text)) is not None


_ENGLISH_FIXED = ("Agenda", "Key takeaways", "Summary", "Thank you", "Questions?", "(cont.)", "Overview")
_NOT_A_TAKEAWAY = re.compile(
    r"[?:]$|^(?:However|But|Although|Still|None of this)\b|\b(?:further research|more research|not yet known|"
    r"limitations?|caveat)\b|\b(?:is|are|does|do) not\.$",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"^(?:This|These|That|Those|It|They)\b(?! (?:article|page|handbook|report|document|guide|project)\b)"
)


_LEANS_BACK = re.compile(r"^(?:(?:\w+\s+){0,2}(?:they|them)\b|\w+\s+it\b(?!\s+(?:is|was)\b))", re.IGNORECASE)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def shown_texts(slide: Slide) -> list[str]:
    """Every piece of running text a slide shows on its face (not its notes, not its code panel)."""
    texts = [slide.subtitle, slide.body, *(b.text for b in slide.bullets)]
    for column in (slide.left, slide.right):
        if column is not None:
            texts += [column.heading, column.body, *(b.text for b in column.bullets)]
    if slide.quote is not None:
        texts += [slide.quote.text, slide.quote.attribution]
    if slide.table is not None:
        texts += [*slide.table.header, *(cell for row in slide.table.rows for cell in row)]
    texts += [text for step in slide.steps for text in (step.label, step.title, step.detail)]
    texts += [text for stat in slide.statistics for text in (stat.value, stat.label, stat.context)]
    return [text for text in texts if text]


def _sentences(slide: Slide) -> list[str]:
    """Normalised sentences (of four words or more) a slide shows, for the no-repeat check."""
    pieces: list[str] = []
    for text in shown_texts(slide):
        pieces += re.split("(?<=[.!?\u3002\uff01\uff1f\u061f])\\s+", text)
    return [normal for normal in (_normal(piece) for piece in pieces) if len(normal.split()) >= 4]


_SENTENCE_END = re.compile("[.!?:\u3002\uff01\uff1f\u061f\uff1a][\"'\u201d\u2019)]*$")
_SENTENCE_SPLIT = re.compile("(?<=[.!?\u061f])\\s+|(?<=[\u3002\uff01\uff1f])")


@dataclass(frozen=True)
class _Source:
    sentences: tuple[str, ...]
    """Every sentence of the document (and every list item, cell and heading), normalised."""
    units: tuple[str, ...]
    """Every paragraph, list item, table cell and heading, normalised."""
    leads: frozenset[str]
    """What a slide may put before a sentence and a colon: headings, table headers."""
    headers: frozenset[str]
    """Table headers: "Header: cell, Header: cell" is a table's row merged into bullets."""


def _read(document: Document) -> _Source:
    text = (CORPUS / document.name).read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"\*\*|__|`|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", text)
    units: list[str] = []
    leads: set[str] = {_normal(phrases(document.language).overview)}
    headers: set[str] = set()
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        if lines and all(line.lstrip().startswith("|") for line in lines):
            rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
            units += [cell for row in rows for cell in row]
            leads.update(_normal(cell) for cell in rows[0])
            headers.update(_normal(cell) for cell in rows[0])
            continue
        current: list[str] = []
        for line in lines:
            marker = re.match(r"^\s*(?:[-*+]|\d+[.)]|#+|>|Q:|A:)\s+", line)
            if marker is not None or not current:
                if current:
                    units.append(" ".join(current))
                current = []
                if line.lstrip().startswith("#"):
                    heading = re.sub(r"^#+\s+(?:\d+\.\s+)?", "", line.strip())
                    leads.add(_normal(heading))
            current.append(line[marker.end() :] if marker is not None else line.strip())
        if current:
            units.append(" ".join(current))
    sentences = [piece for unit in units for piece in _SENTENCE_SPLIT.split(unit)]
    return _Source(
        tuple(_normal(s) for s in sentences if _normal(s)),
        tuple(_normal(u) for u in units if _normal(u)),
        frozenset(leads),
        frozenset(headers),
    )


def _whole_sentence(text: str, source: _Source) -> bool:
    """A bullet is a sentence of the source (possibly shortened by an aside or a trailing clause, or
    led by the heading or table column it belongs to): it starts where a source sentence starts, and
    ends with sentence punctuation unless the source's line ends there without any."""
    if _normal(text) in source.leads:
        return True  # a section's title leading its lines on a slide of several sections
    if "? " in text:  # a question and its answer on one line
        question, _, answer = text.partition("? ")
        return _whole_sentence(question + "?", source) and _whole_sentence(answer, source)
    core = text
    while True:
        # A lead may hold ": " itself ("Class: `Account`"): the longest one that is a lead.
        # A lead with a label of its own takes a dash ("Class: `Account` — an `Account` object is…").
        cuts = [
            (i, len(mark))
            for i in range(len(core))
            for mark in (": ", " \u2014 ")
            if core.startswith(mark, i) and _normal(core[:i]) in source.leads
        ]
        if not cuts:
            break
        lead, rest = core[: cuts[-1][0]], core[sum(cuts[-1]) :]
        if _normal(lead) in source.headers:
            return True  # "Region: North, Revenue: 14.2": a table's row, not a sentence
        core = rest
    normal = _normal(core)
    if not normal or normal in source.sentences:
        return True  # a whole sentence, its end mark left off as a title's is
    head = normal[:40]
    starts = any(sentence.startswith(head) for sentence in source.sentences)
    if _SENTENCE_END.search(core.rstrip('\u201d"')):
        return starts
    tail = normal[-40:]
    return starts and any(unit.endswith(tail) for unit in source.units)


_TEX = re.compile(r"\\[A-Za-z]+|\$\$|\^\{")
"""TeX left as written: a command, display math's delimiters, a braced superscript."""
_DEFINITION = re.compile(r"\[[^\]]+\]:\s*\S")
"""A link reference definition shown as text."""


def check_deck(deck: Deck, document: Document, requested: int | None, warnings: list[str]) -> None:
    """Everything a presentable deck of `document` must get right; raises AssertionError naming the fault."""
    slides = deck.slides
    name = document.name
    source_text = _read(document)
    # Count honoured, or fewer slides with a warning that says so.
    if requested is not None:
        assert len(slides) <= requested, (name, len(slides))
        if len(slides) < requested:
            assert "FEWER_SLIDES" in warnings or "OUTLINE_SHORT" in warnings, (name, len(slides), warnings)
    # Title first, from the content; closing last, and only there.
    assert slides[0].layout is Layout.TITLE, name
    assert slides[0].title == document.title, (name, slides[0].title)
    stem = re.sub(r"[-_]+", " ", Path(name).stem).casefold()
    assert slides[0].title.casefold() != stem, name
    # The subtitle is read first: "Read it before your first field day" has nothing to refer to.
    assert not _DANGLING.match(slides[0].subtitle) and not _LEANS_BACK.match(slides[0].subtitle), name
    if len(slides) >= 2:
        assert slides[-1].layout is Layout.CLOSING, (name, slides[-1].layout)
    assert all(s.layout is not Layout.CLOSING for s in slides[:-1]), name
    assert all(s.layout is not Layout.TITLE for s in slides[1:]), name
    # Fixed strings in the deck's language.
    words = phrases(document.language)
    if len(slides) >= 2:
        assert slides[-1].title in (words.takeaways, words.thank_you), (name, slides[-1].title)
        assert not slides[-1].title.rstrip().endswith(("?", "\uff1f", "\u061f")), name
    if document.language != "en":
        assert document.language in LANGUAGES
        own = {str(getattr(words, f)) for f in words.__dataclass_fields__}  # "Agenda" is German too
        for slide in slides:
            for fixed in _ENGLISH_FIXED:
                assert fixed in own or fixed not in (slide.title, slide.subtitle), (name, slide.title)
            assert not slide.title.endswith("(cont.)"), (name, slide.title)
    # Within bounds, no raw Markdown, no sentence cut into bullet and sub-bullet, no dangling opener.
    for slide in slides:
        assert 0 < len(slide.title) <= limits.MAX_TITLE_CHARS, (name, slide.title)
        assert not _raw_markdown(slide.title), (name, slide.title)
        for text in shown_texts(slide):
            assert not _raw_markdown(text), (name, slide.title, text)
        for before, bullet in zip(slide.bullets, slide.bullets[1:], strict=False):
            if bullet.level > before.level:
                assert not before.text.endswith((",", ";", "\u3001", "\u060c")), (name, before.text)
        # Every bullet (a sub-bullet too) is a whole sentence of the source, never a piece of one.
        bullets = [
            *slide.bullets,
            *(b for c in (slide.left, slide.right) if c is not None for b in c.bullets),
        ]
        for bullet in bullets:
            assert _whole_sentence(bullet.text, source_text), (name, slide.title, bullet.text)
        # An opener that points back needs something before it: a bullet, or a title that is a statement.
        statement = len(slide.title.split()) >= 5
        for i, bullet in enumerate(slide.bullets):
            if _DANGLING.match(bullet.text) and not statement:
                assert i > 0, (name, slide.title, bullet.text)
            # "Overview: read it before…": a section's one line cannot lean on a sentence left out.
            lead, colon, point = bullet.text.partition(": ")
            if colon and _normal(lead) in source_text.leads and bullet.level == 0:
                assert not _DANGLING.match(point[:1].upper() + point[1:]), (name, slide.title, bullet.text)
                assert not _LEANS_BACK.match(point), (name, slide.title, bullet.text)
        # What a reader of the document never sees is not on a slide, and a slide shows something.
        for text in [slide.title, slide.subtitle, *shown_texts(slide)]:
            assert "<!--" not in text and "-->" not in text, (name, slide.title, text)
            assert not _TEX.search(text), (name, slide.title, text)
            assert not _DEFINITION.match(text), (name, slide.title, text)
        if slide.layout is Layout.BULLETS:
            assert slide.bullets or slide.body or slide.code or slide.table or slide.chart, (
                name,
                slide.title,
            )
        # A lead-in is followed by what it announces.
        for i, bullet in enumerate(slide.bullets):
            if bullet.text.endswith(":"):
                # Its list after it, or its code or table on the slide's panel ("Install it from PyPI:").
                shown = i + 1 < len(slide.bullets) or slide.code or slide.table
                assert shown, (name, slide.title, bullet.text)
        assert not slide.subtitle.endswith(":"), (name, slide.subtitle)
        # Notes are whole sentences, never cut.
        if slide.notes:
            assert not slide.notes.rstrip().endswith(("…", ",")), (name, slide.notes)
    # Each slide's title says what it holds: no two alike, and a chart or table is titled after its
    # own data or caption, never "Results (cont.)" unless it continues the same table.
    titles = [slide.title for slide in slides]
    distinct = [title for title in titles if not title.endswith(words.continued)]
    assert len(set(distinct)) == len(distinct), (name, titles)
    for previous, current in itertools.pairwise(slides):
        if current.title.endswith(words.continued):  # only right after the slide it continues
            base = current.title.removesuffix(f" {words.continued}")
            follows = previous.title == current.title or base in previous.title.split(" · ")
            # A slide of several sections names each by its topic: "Installation and usage".
            follows = follows or _normal(base).split()[0] in _normal(previous.title).split()
            assert follows, (name, previous.title, current.title)
        if current.chart is not None or current.table is not None:
            same = previous.table is not None and current.table is not None
            same = same and previous.table.header == current.table.header  # type: ignore[union-attr]
            assert not current.title.endswith(words.continued) or same, (name, current.title)
            assert not re.search(r"\(\d+/\d+\)$", current.title), (name, current.title)
    # The closing slide's points are statements to take away, not hedges, caveats or questions.
    closing = slides[-1] if len(slides) >= 2 else None
    if closing is not None and document.language == "en":
        for bullet in closing.bullets:
            assert not _NOT_A_TAKEAWAY.search(bullet.text), (name, bullet.text)
    # No sentence shown on two slides (notes excepted).
    seen: dict[str, str] = {}
    for slide in slides:
        for sentence in set(_sentences(slide)):
            assert sentence not in seen, (name, sentence, seen.get(sentence), slide.title)
            seen[sentence] = slide.title


async def embedded_deck(spec: GenerationSpec) -> tuple[Deck, list[str]]:
    """The embedded engine's deck for `spec`, as a caller would assemble it, and its warnings' codes."""
    engine = EmbeddedEngine()

    async def emit(index: int, item: OutlineItem) -> None:
        pass

    result = await engine.outline(spec, emit)
    drafts = [draft async for draft in engine.slides(spec, result.outline)]
    slides = tuple(draft.slide for draft in sorted(drafts, key=lambda d: d.index))
    return Deck(title=result.outline.title, slides=slides), [w.code for w in result.warnings]
