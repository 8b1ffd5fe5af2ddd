"""The content corpus: realistic documents of different kinds and languages, and what a good deck of
each must show. Plain data and checks, no pytest: the embedded-engine and model-engine tests share it.

DOCUMENTS          -> the documents, each with what its deck is expected to hold
check_deck(...)    -> every check that applies to any deck, whichever engine wrote it
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from deckgen.content._phrases import LANGUAGES, phrases
from deckgen.domain import ChartType, Deck, Layout, Slide, SourceDocument, limits

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
_ENGLISH_FIXED = ("Agenda", "Key takeaways", "Summary", "Thank you", "Questions?", "(cont.)", "Overview")
_DANGLING = re.compile(
    r"^(?:This|These|That|Those|It|They)\b(?! (?:article|page|handbook|report|document|guide|project)\b)"
)


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


def check_deck(deck: Deck, document: Document, requested: int | None, warnings: list[str]) -> None:
    """Everything a presentable deck of `document` must get right; raises AssertionError naming the fault."""
    slides = deck.slides
    name = document.name
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
        assert not _RAW_MARKDOWN.search(slide.title), (name, slide.title)
        for text in shown_texts(slide):
            assert not _RAW_MARKDOWN.search(text), (name, slide.title, text)
        for before, bullet in zip(slide.bullets, slide.bullets[1:], strict=False):
            if bullet.level > before.level:
                assert not before.text.endswith((",", ";", "\u3001", "\u060c")), (name, before.text)
        # An opener that points back needs something before it: a bullet, or a title that is a statement.
        statement = len(slide.title.split()) >= 5
        for i, bullet in enumerate(slide.bullets):
            if _DANGLING.match(bullet.text) and not statement:
                assert i > 0, (name, slide.title, bullet.text)
        # Notes are whole sentences, never cut.
        if slide.notes:
            assert not slide.notes.rstrip().endswith(("…", ",")), (name, slide.notes)
    # No sentence shown on two slides (notes excepted).
    seen: dict[str, str] = {}
    for slide in slides:
        for sentence in set(_sentences(slide)):
            assert sentence not in seen, (name, sentence, seen.get(sentence), slide.title)
            seen[sentence] = slide.title
