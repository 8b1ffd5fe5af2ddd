"""Parsed documents into sections (a heading and what follows it) and their slide-sized units.

A unit is what a slide shows one of: a key sentence, a list item, or a sentence kept verbatim. Each
carries a score, so that planning can keep the best units when space runs short.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from deckgen.content.embedded._markdown import (
    Block,
    CodeBlock,
    Document,
    Heading,
    ListBlock,
    ListEntry,
    Paragraph,
    QuoteBlock,
)
from deckgen.content.embedded._memo import remembered
from deckgen.content.embedded._summarize import (
    Weights,
    clip,
    score_sentence,
    shorten_sentence,
    split_sentences,
)
from deckgen.domain import Bullet, Column, limits

__all__ = [
    "CODE_SPAN",
    "Part",
    "clean_title",
    "colon_ended",
    "dangling",
    "Section",
    "Unit",
    "document_title",
    "sectionize",
    "completing_lists",
    "ends_open",
    "goes_on",
    "introduced_lists",
    "leads_in",
    "masked_words",
    "points_elsewhere",
    "points_outside",
    "reference_entry",
    "sentence_pieces",
    "shortened",
    "units_of",
    "example_lists",
]

_LIST_BONUS = 0.1
"""Authors write lists to be read as points; a small bonus keeps them when slides are merged."""
_ENTRY_PENALTY = 0.3
"""An API reference's typed entry ("`path` {string}", "Returns: {string}") names the thing's parts
and says nothing of them: when slides are merged, the sentences about the thing come first."""


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    level: int
    score: float
    order: int
    """Position in the deck's source, so that units can be put back in reading order."""
    group: int
    """Paragraph (or list) the unit came from; verbatim text keeps paragraph breaks between groups."""
    dropped: tuple[str, ...] = ()
    """Sentences of the same paragraph left off the slide, for the speaker notes."""
    section: int = -1
    """Index of the section the unit belongs to."""

    def lines(self) -> list[Bullet]:
        pieces = sentence_pieces(self.text)
        deeper = min(self.level + 1, limits.MAX_BULLET_LEVEL)
        return [Bullet(piece, self.level if i == 0 else deeper) for i, piece in enumerate(pieces)]

    def line_count(self) -> int:
        if len(self.text) <= limits.MAX_BULLET_CHARS:
            return 1
        return _sentence_count(self.text)


@remembered
def _sentence_count(text: str) -> int:
    # As many as sentence_pieces() gives, without shortening each: packing a slide counts a unit's
    # lines thousands of times for a long document, and shows them once.
    return len(split_sentences(text))


def sentence_pieces(text: str) -> list[str]:
    """A text too long for one bullet: one piece per sentence, each a whole sentence. A sentence longer
    than a bullet loses an aside or a trailing clause (its whole text goes to the notes), never its end."""
    if len(text) <= limits.MAX_BULLET_CHARS:
        return [text]
    return [_whole(sentence) for sentence in split_sentences(text)]


def _whole(sentence: str) -> str:
    if len(sentence) <= limits.MAX_BULLET_CHARS:
        return sentence
    # Only a sentence without any clause to drop is clipped, marked as such; the notes hold it whole.
    return shorten_sentence(sentence, limits.MAX_BULLET_CHARS) or clip(sentence, limits.MAX_BULLET_CHARS)


def shortened(text: str) -> tuple[str, ...]:
    """`text` itself, for the notes, when a bullet can show it only shortened."""
    if len(text) <= limits.MAX_BULLET_CHARS:
        return ()
    return (text,) if any(len(s) > limits.MAX_BULLET_CHARS for s in split_sentences(text)) else ()


@dataclass(frozen=True, slots=True)
class Part:
    """A block of a section, with its sentences pre-split and pre-scored."""

    block: Block
    group: int
    order: int
    sentences: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()
    anchored: bool = False
    """The first sentence may point back: what it points to titles the section."""


@dataclass(slots=True)
class Section:
    index: int
    document: str
    path: tuple[str, ...]
    title: str
    chapter: int
    chapter_title: str
    level: int
    first_line: int
    last_line: int
    parts: list[Part] = field(default_factory=list)
    columns: tuple[Column, Column] | None = None

    @property
    def locator(self) -> str:
        lines = f"lines {self.first_line}\u2013{self.last_line}"
        return f"{' > '.join(self.path)}, {lines}" if self.path else lines

    def sentence_count(self) -> int:
        return max((len(part.sentences) for part in self.parts), default=0)


def _pretty_name(name: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]{1,10}$", "", name.rsplit("/", 1)[-1])
    words = re.sub(r"[-_]+", " ", stem).strip()
    if words.isupper() and len(words) > 4:
        words = words.lower()  # "LICENSE.md" is shouted by convention, not an acronym ("FAQ")
    return words[:1].upper() + words[1:] if words else "Untitled"


# After a letter, only short numbers are numbering ("A.1", "II.3"): "X.509" is a name.
_NUMBERING = re.compile(
    r"^(?:\d+[.):]|\d+(?:\.\d+)+\.?|\d{1,2}(?=\s+[A-Z])|\d{1,2}\s+[-\u2013\u2014](?=\s+[A-Z])|(?:[IVXLC]+|[A-Z])[.):]|(?:[IVXLC]+|[A-Z])(?:\.\d{1,2})+\.?|§\s*\d+)"
    r"\s+(?=\S)"
)
"""Numbering is marked ("17.", "3)", "1.2", "IV.", "B)", "A.1", "§ 4", "3 - "), or a number of one
or two digits before a capitalised word ("1 Introduction"): "2 spaces of indentation", "2024 in
review", "A guide" and "I Love Lucy" keep their first word."""
_TITLE_CHARS = 90


def clean_title(text: str) -> str:
    """A heading without its numbering: "17. Storage and archiving" -> "Storage and archiving", nor
    a colon it ends on ("Running Redis with TLS:", which a line after it doubled: "…TLS:: please…")."""
    stripped = _NUMBERING.sub("", text.strip(), count=1).rstrip()
    if stripped.endswith((":", "\uff1a")):
        stripped = stripped[:-1].rstrip()
    return stripped if any(ch.isalnum() for ch in stripped) else text.strip()


_GENERIC_NAMES = frozenset(
    ("readme", "index", "notes", "doc", "docs", "document", "untitled", "main", "content", "text")
)


def _has_siblings(headings: list[Heading]) -> bool:
    first = headings[0].level
    return any(heading.level == first for heading in headings[1:])


def document_title(document: Document) -> str:
    """The document's own title: its first top-level heading, else its first heading, else its first
    sentence when that is short enough to be a title. The file name only when there is no text."""
    headings = [block for block in document.blocks if isinstance(block, Heading)]
    # A top-level heading after other headings is a chapter (Redis's README ends on "Redis
    # internals"), not what the document is.
    if headings and headings[0].level == 1:
        return headings[0].text
    if headings and headings[0] is document.blocks[0]:
        # A first heading that has siblings ("## Planning", then "## Implementing") names a part,
        # not the document: its file names it better, unless that name is generic ("README.md").
        named = _pretty_name(document.name)
        if _has_siblings(headings) and named.casefold() not in _GENERIC_NAMES:
            return named
        return headings[0].text
    for block in document.blocks:
        if isinstance(block, Paragraph):
            first = split_sentences(block.text)[:1]
            if first and _OPENS_ON_ITSELF.match(first[0]):
                break  # "This README is just a fast quick start document.": what it is, not its subject
            if first and len(first[0]) <= _TITLE_CHARS:
                return first[0].rstrip(".")
            # Too long for a title, a sentence that says what its subject is names it ("Zstandard, or
            # `zstd` as short version, is a fast lossless compression algorithm…").
            defined = _DEFINES.match(first[0]) if first else None
            if defined is not None and defined["subject"].split()[0].casefold() not in _NO_NAME:
                return defined["subject"]
            break
    if headings:
        # "What is Redis?" names what the document is about.
        asked = _WHAT_IS.fullmatch(headings[0].text.strip())
        return asked["subject"] if asked else headings[0].text
    return _pretty_name(document.name)


_OPENS_ON_ITSELF = re.compile(r"(?:this|the) (?:readme|document|file|page|guide)\b", re.IGNORECASE)
"""A document's first sentence that says what the document is, not what it is about (the planner's
`_ABOUT_ITSELF` finds such words anywhere in a takeaway, in several languages)."""
_WHAT_IS = re.compile(r"what (?:is|are) (?:an? |the )?(?P<subject>[^?]{1,40})\?", re.IGNORECASE)


_DEFINES = re.compile(
    r"(?P<subject>[A-Z`][^\s,.:;()]*(?: [^\s,.:;()]+){0,3})(?:, [^,.]{1,60},)? (?:is|are) (?:a|an)\s"
)
"""A sentence that opens by saying what its subject is ("Zstandard, or `zstd` as short version, is a…")."""
_NO_NAME = frozenset(("this", "these", "that", "those", "it", "there", "the", "a", "an", "our", "your", "my"))
"""Words a subject that names nothing opens with ("This guide is a…", "The tool is a…")."""


_PAIRS = {
    ("pros", "cons"),
    ("advantages", "disadvantages"),
    ("before", "after"),
    ("strengths", "weaknesses"),
    ("benefits", "risks"),
    ("benefits", "drawbacks"),
    ("do", "don't"),
    ("dos", "don'ts"),
    ("what went well", "what didn't"),
    ("what went well", "what could be better"),
}


def _text_of(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, ListBlock):
        return [item.text for item in block.items]
    if isinstance(block, QuoteBlock):
        return [block.text]
    return []


def sectionize(documents: list[Document], untitled: str = "Overview") -> list[Section]:
    """Sections of all documents in order, each in a chapter (what a section divider introduces).

    Several documents make one chapter each. In one document a lone leading H1 titles the deck, and
    the highest remaining heading level makes the chapters. Text before any such heading is a
    chapter without a title.
    """
    sections: list[Section] = []
    order = 0
    group = 0
    many = len(documents) > 1
    chapter = -1
    for document in documents:
        texts = [text for block in document.blocks for text in _text_of(block)]
        weights = Weights(texts)
        headings = [b for b in document.blocks if isinstance(b, Heading)]
        h1_count = sum(1 for h in headings if h.level == 1)
        title_heading = headings[0] if headings and headings[0].level == 1 and h1_count == 1 else None
        rest = [h.level for h in headings if h is not title_heading]
        chapter_level = min(rest, default=1)
        if many:
            chapter += 1
        chapter_title = document_title(document) if many else ""
        stack: list[tuple[int, str]] = []
        current = Section(
            index=len(sections),
            document=document.name,
            path=(),
            title=chapter_title or untitled,
            chapter=chapter,
            chapter_title=chapter_title,
            level=0,
            first_line=1,
            last_line=1,
        )
        document_sections = [current]
        for block in _pair_questions(document.blocks):
            if isinstance(block, Heading):
                while stack and stack[-1][0] >= block.level:
                    stack.pop()
                stack.append((block.level, block.text))
                if block is title_heading:
                    current.first_line = current.last_line = block.end_line + 1
                    current.path = (block.text,)
                    continue
                if len(document_sections) == 1 and not current.parts and _navigation(block.text):
                    # "## Contents" over the opening: its list of links is gone (see `_markdown`),
                    # and what follows it opens the document, as if no heading stood over it.
                    stack.pop()
                    continue
                if not many and block.level <= chapter_level:
                    chapter += 1
                    chapter_title = block.text
                current = Section(
                    index=0,
                    document=document.name,
                    path=tuple(text for _, text in stack),
                    title=block.text,
                    chapter=chapter,
                    chapter_title=chapter_title,
                    level=block.level,
                    first_line=block.line,
                    last_line=block.end_line,
                )
                document_sections.append(current)
                continue
            if isinstance(block, CodeBlock) and current.parts and _twins(current.parts[-1].block, block):
                continue
            sentences: tuple[str, ...] = ()
            scores: tuple[float, ...] = ()
            if isinstance(block, Paragraph):
                sentences = tuple(split_sentences(block.text))
                opening = not current.parts
                scores = tuple(
                    _weigh(score_sentence(s, weights, first=i == 0), s, opening and i == 0)
                    for i, s in enumerate(sentences)
                )
            elif isinstance(block, ListBlock):
                sentences = tuple(item.text for item in block.items)
                scores = tuple(
                    (score_sentence(s, weights) + _LIST_BONUS)
                    * (_ENTRY_PENALTY if reference_entry(s) else 1.0)
                    for s in sentences
                )
            elif isinstance(block, QuoteBlock):
                sentences = tuple(split_sentences(block.text))
                scores = tuple(score_sentence(s, weights) for s in sentences)
            current.parts.append(
                Part(block=block, group=group, order=order, sentences=sentences, scores=scores)
            )
            group += 1
            order += 1000
            current.last_line = max(current.last_line, block.end_line)
        if not chapter_title and document_sections[0].parts:
            headless = len(document_sections) == 1
            document_sections[:1] = _titled_by_sentences(document_sections[0], split=headless)
        _pair_columns(document_sections)
        _demote_boilerplate(document_sections)
        sections.extend(s for s in document_sections if s.parts or s.columns)
    chapters: dict[int, int] = {}
    for index, section in enumerate(sections):
        section.index = index
        section.chapter = chapters.setdefault(section.chapter, len(chapters))
    return sections


_TWIN_LANGUAGES = (
    frozenset(("mjs", "cjs")),
    frozenset(("js", "ts")),
    frozenset(("javascript", "typescript")),
)
"""Languages a document writes the same sample in twice, one after the other (Node.js's API docs: each
example as an ES module, then as CommonJS)."""


def _twins(before: Block, block: CodeBlock) -> bool:
    """`block` is the sample right before it again, in its twin language: a deck shows it once."""
    if not isinstance(before, CodeBlock):
        return False
    pair = frozenset(
        re.split(r"[\s,{]", code.language.strip().casefold(), maxsplit=1)[0] for code in (before, block)
    )
    return pair in _TWIN_LANGUAGES


_NAVIGATION = frozenset(("contents", "table of contents", "toc", "on this page", "in this document"))


def _navigation(heading: str) -> bool:
    """A heading over the document's table of contents, which names no topic."""
    return heading.strip(" :").casefold() in _NAVIGATION


CODE_SPAN = re.compile(r"`[^`]*`")
"""A code span of Markdown: a name or a piece of code inside a sentence."""


def masked_words(sentence: str) -> list[str]:
    """A sentence's shape: its words casefolded, each code span (a name) a bare "`", so that one
    template said of different names reads alike."""
    return CODE_SPAN.sub("`", sentence).casefold().split()


_BOILERPLATE_AT = 3
"""Sections of a document saying one sentence, its names aside, that make it boilerplate."""
_BOILERPLATE_PENALTY = 0.3
_STEM_WORDS = 4
"""Words a boilerplate sentence needs for a longer one that opens with it to be boilerplate too."""


def _demote_boilerplate(sections: list[Section]) -> None:
    """A sentence that many sections of a document say alike, but for the names in it, counts less
    in each: an API reference's "A `TypeError` is thrown if `path` is not a string." was the one
    line of six functions of Node.js's path.md, for what each one does."""
    # Two shapes a sentence: its names aside, and its code spans read as words (one method's
    # "is `undefined`" is the others' "is undefined").
    shapes: dict[str, tuple[str, str]] = {}
    where: dict[str, set[int]] = {}
    for number, section in enumerate(sections):
        for part in section.parts:
            if isinstance(part.block, Paragraph):
                for sentence in part.sentences:
                    both = shapes.setdefault(
                        sentence,
                        (
                            " ".join(masked_words(sentence)),
                            " ".join(sentence.replace("`", "").casefold().split()),
                        ),
                    )
                    for shape in both:
                        where.setdefault(shape, set()).add(number)
    common = {shape for shape, numbers in where.items() if len(numbers) >= _BOILERPLATE_AT}
    if not common:
        return
    # "A `TypeError` is thrown if `path` is not a string or if `suffix` is given …" goes on
    # from the common sentence: boilerplate too.
    stems = tuple(shape.rstrip(".") + " " for shape in common if len(shape.split()) >= _STEM_WORDS)
    # The more sections say it, the less it says of any one: said by all twenty methods of
    # Node.js's assert.md, "If the `message` parameter is undefined, a default error message is
    # assigned." outweighed, once penalised, what each method does.
    penalty = {shape: _BOILERPLATE_PENALTY ** (len(where[shape]) / _BOILERPLATE_AT) for shape in common}
    penalty |= {
        shape: _BOILERPLATE_PENALTY for shape in where if shape not in penalty and shape.startswith(stems)
    }
    for section in sections:
        section.parts = [
            replace(
                part,
                scores=tuple(
                    score * min(penalty.get(shape, 1.0) for shape in shapes[sentence])
                    for sentence, score in zip(part.sentences, part.scores, strict=True)
                ),
            )
            if isinstance(part.block, Paragraph)
            else part
            for part in section.parts
        ]


_FIGURE = re.compile(r"\d")
_SECTION_OPENER_BONUS = 1.5
_DANGLING_PENALTY = 0.5
_FIGURE_BONUS = 1.25
_FILLER_PENALTY = 0.6


def _weigh(score: float, sentence: str, section_opener: bool) -> float:
    """Key sentences win over filler: a section's first sentence and sentences with figures count
    more, and a sentence with next to no content words counts less."""
    if section_opener:
        score *= _SECTION_OPENER_BONUS
    if _FIGURE.search(sentence):
        score *= _FIGURE_BONUS
    if len(sentence) < 40 and len(sentence.split()) < 4:
        score *= _FILLER_PENALTY
    if dangling(sentence):
        score *= _DANGLING_PENALTY
    return score


_QUESTION = re.compile(r"^(?:Q|Question|Frage|F|P|Pregunta|Domanda|Pergunta|Vraag|Pytanie)\s*[:.)]\s*", re.I)
_ANSWER = re.compile(
    r"^(?:A|Answer|Antwort|R|Réponse|Respuesta|Risposta|Resposta|Antwoord|Odpowiedź)\s*[:.)]\s*", re.I
)


def _pair_questions(blocks: tuple[Block, ...]) -> list[Block]:
    """ "Q: …" and "A: …" paragraphs as one two-level list entry each, so that a pair stays together."""
    result: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if (
            isinstance(block, Paragraph)
            and isinstance(following, Paragraph)
            and _QUESTION.match(block.text)
            and _ANSWER.match(following.text)
        ):
            question = _QUESTION.sub("", block.text, count=1)
            answer = _ANSWER.sub("", following.text, count=1)
            entries: tuple[ListEntry, ...] = (
                ListEntry(question, 0, block.line),
                ListEntry(answer, 1, following.line),
            )
            if result and isinstance(result[-1], ListBlock) and result[-1].end_line >= block.line - 2:
                previous = result.pop()
                assert isinstance(previous, ListBlock)
                entries = (*previous.items, *entries)
                result.append(ListBlock(entries, False, previous.line, following.end_line))
            else:
                result.append(ListBlock(entries, False, block.line, following.end_line))
            i += 2
            continue
        result.append(block)
        i += 1
    return result


def _lead_sentence(part: Part) -> str | None:
    """A paragraph's first sentence when it can title the rest of the paragraph."""
    if not isinstance(part.block, Paragraph) or len(part.sentences) < 2:
        return None
    first = part.sentences[0]
    if len(first) > _TITLE_CHARS or dangling(first) or first.endswith(("?", "\uff1f")):
        return None
    return first


def _titled_by_sentences(section: Section, *, split: bool) -> list[Section]:
    """Text before any heading, titled by what it says: its opening sentence titles it (and, in a
    document without headings, each paragraph that opens with a usable sentence starts a section)."""
    sections: list[Section] = []
    for part in section.parts:
        lead = _lead_sentence(part)
        if lead is not None and (split or not sections):
            sections.append(
                Section(
                    index=section.index,
                    document=section.document,
                    path=(*section.path, lead),
                    title=lead.rstrip("."),
                    chapter=section.chapter,
                    chapter_title=section.chapter_title,
                    level=section.level,
                    first_line=part.block.line,
                    last_line=part.block.end_line,
                )
            )
            part = Part(
                part.block, part.group, part.order, part.sentences[1:], part.scores[1:], anchored=True
            )
        elif not sections:
            sections.append(replace(section, parts=[]))
        sections[-1].parts.append(part)
        sections[-1].last_line = max(sections[-1].last_line, part.block.end_line)
    return sections


def _short_list(section: Section) -> list[Bullet] | None:
    if len(section.parts) != 1 or not isinstance(section.parts[0].block, ListBlock):
        return None
    items = section.parts[0].block.items
    if len(items) > limits.MAX_BULLETS or any(len(item.text) > limits.MAX_BULLET_CHARS for item in items):
        return None
    return [Bullet(item.text, item.level) for item in items]


def _pair_columns(sections: list[Section]) -> None:
    """Two short lists side by side: "Pros"/"Cons"-like siblings, or a heading's only two sub-headings."""
    i = 0
    while i < len(sections) - 1:
        parent, left, right = (sections[i - 1] if i else None), sections[i], sections[i + 1]
        left_list, right_list = _short_list(left), _short_list(right)
        if left_list is None or right_list is None or left.level != right.level:
            i += 1
            continue
        following = sections[i + 2] if i + 2 < len(sections) else None
        only_children = (
            parent is not None
            and parent.level < left.level
            and (following is None or following.level <= parent.level)
        )
        paired = (left.title.casefold().strip(" :"), right.title.casefold().strip(" :")) in _PAIRS
        if not (paired or only_children):
            i += 1
            continue
        columns = (
            Column(heading=left.title, bullets=tuple(left_list)),
            Column(heading=right.title, bullets=tuple(right_list)),
        )
        if only_children and parent is not None and not parent.parts:
            host = parent
            host.last_line = right.last_line
            del sections[i : i + 2]
        else:
            host = left
            if host.chapter_title == left.title:
                host.chapter_title = f"{left.title} and {right.title[:1].lower()}{right.title[1:]}"
            host.title = f"{left.title} and {right.title[:1].lower()}{right.title[1:]}"
            host.path = (*left.path[:-1], host.title)
            host.parts = []
            host.last_line = right.last_line
            del sections[i + 1]
        host.columns = columns
        i += 1


_EXPLETIVE = (
    r"recommended|important|necessary|possible|impossible|advisable|essential|crucial|useful|helpful|"
    r"easy|easier|hard|harder|difficult|safe|safer|unsafe|required|expected|common|best|better|worth|"
    r"likely|unlikely|known|clear|true|good|wise|customary|preferable|acceptable|sufficient|enough"
)
"""Words after "It is" when the "it" stands for what follows ("It is recommended to set…", "It is
important that…"), not for something said before ("It is equivalent to `assert.equal()`")."""
_DANGLING = re.compile(
    r"^(?:this|these|that|those|it(?!\s+(?:is|was)\s+(?:" + _EXPLETIVE + r")\s+(?:to|that)\b)|they|such|both|"
    r"the latter|the former|dies|diese[rsm]?|cette|ces|"
    r"esto|esta|estos|estas|questo|questa|questi)\b"
    r"(?!\s+(?:article|handbook|page|report|document|guide|paper|essay|post|book|talk|presentation|"
    r"deck|programme|program|project|library|release|changelog|Artikel|Bericht|Leitfaden|Dokument)\b)",
    re.IGNORECASE,
)
"""Openers that point back at something said before ("This one change…", "These changes…")."""
_GOES_ON_FROM = re.compile(
    r"^(?:otherwise|then|and|but|or|nor|(?:to|in order to) do (?:so|this|that)|in other words|"
    r"(?:when|while|after|before) doing so|"
    r"in (?:that|this|such) cases?(?!\s+stud)|if (?:so|not)|where(?=\s+`)|"
    r"therefore|thus|hence|consequently|as a result|(?:in |by )?doing so|for (?:that|this|these) reasons?|"
    r"the same (?:applies|goes|holds|is true))\b",
    re.IGNORECASE,
)
"""Openers that go on from the sentence before ("Otherwise, it returns `false`.", "Then follow the
rest…", "And to warn on…", "To do so, run…", "When doing so, it is courteous…", "If not, then…",
"Where `3245` is the process id.", "Therefore, the stream…", "Doing so may lead to…"): even after
their section's title, they lack what they answer."""
_CASE_BEFORE = re.compile(
    r"\bin (?:that|such a|either) case\b|\bin both cases\b|\bin (?:this|these|such) cases?\W*$|"
    r"\b(?:everything|anything|everyone|anyone|nothing|all) else\b",
    re.IGNORECASE,
)
"""The case the sentence before set out, named later on ("Please always add the label to the pull
request in that case."), or the rest of what it listed ("Node.js trusts everything else.")."""


_ASIDE = re.compile(r"\([^()]*\)[.!?]?")
"""A sentence set in parentheses whole: an aside to the one before it ("(Later versions search for
more packages, so this may become redundant.)")."""


@remembered
def dangling(sentence: str) -> bool:
    text = sentence.strip()
    return bool(_DANGLING.match(text) or _ASIDE.fullmatch(text)) or goes_on_from(text)


@remembered
def goes_on_from(sentence: str) -> bool:
    """A sentence that answers the one before it: no line of its own, even after a title."""
    text = sentence.strip()
    return bool(_GOES_ON_FROM.match(text) or _CASE_BEFORE.search(text))


_POINTS_OUTSIDE = re.compile(
    r"^(?:(?:its|their)\b|(?:\w+,?\s+){0,2}(?:they|them)\b|"
    r"(?:please\s+)?(?:(?:always|never|also|then|just|simply)\s+)?\w+\s+it\b(?!\s+(?:is|was)\s+\w+\s+(?:to|that)\b))",
    re.IGNORECASE,
)
"""Early words that need something before them: "Read it before…", "When they arrive…", "For
instance, they do not…", "Please always remove it again…"."""
_ABOVE = re.compile(r"\bthe (?:[\w-]+ )?(?:above|below)\b(?!\s+(?:zero|average|the|a|an|\d))", re.IGNORECASE)
"""What the text around the sentence shows ("…also exports the above error codes", "The hook below
registers…"), not a place below something ("the water below the bridge")."""


_POINTER = re.compile(
    r"^(?:see|refer to|please refer to|for (?:more|further) (?:information|details))\b|"
    r"\bfor (?:more|further) (?:information|details)\W*$|\b(?:section|chapter)\s+(?:above|below)\b|"
    r"^below (?:are|is)\b|\b(?:found|listed|available|described) here\W*$|"
    r"^if you (?:want|wish|would like) to (?:know|learn|read) more\b|"
    r"\b(?:is|are) (?:specified|described|explained|covered|documented|listed|detailed) (?:in|under) the "
    r"(?:[\w`'\"-]+ ){0,4}(?:section|chapter)\b",
    re.IGNORECASE,
)
"""A pointer to somewhere else ("See https://… for further details.", "…are specified in the
Guarantees section.", "…from the MacOS section below…", "Below are instructions…", "…can be
found here", "If you want to know more about…, see…") is no point."""


@remembered
def points_elsewhere(text: str) -> bool:
    """A line that sends the reader elsewhere instead of saying something."""
    return bool(_POINTER.search(text.strip()))


_SHOWN_BESIDE = re.compile(
    r"\b(?:above|preceding|previous|following|below)\s+(?:(?:two|three|\d)\s+)?(?:code\s+)?"
    r"(?:examples?|code|snippets?|samples?|commands?|listings?|figures?|output)\b|"
    r"\b(?:examples?|code|snippets?|samples?|commands?|listings?|figures?|output)\s+(?:above|below)\b|"
    r"\b(?:is|are) shown (?:above|below)\b|\bin (?:this|that|the above) example\b|\b(?:items?|steps?) \d+\b|"
    r"^(?:[^,]{0,60},\s+)?let(?:'s|\u2019s|\s+us)\s",
    re.IGNORECASE,
)
"""Words about a sample or a list beside the sentence ("the above example spawns…", "in this
example, the…", "…only does items 2 and 4."), which its line lacks, or
a walk through it ("Let's analyze this basic test…", "For the following steps, let's assume…")."""


@remembered
def speaks_of_a_sample(sentence: str) -> bool:
    """A sentence about a sample beside it ("The following example creates a mock…")."""
    return bool(_SHOWN_BESIDE.search(sentence))


@remembered
def points_outside(sentence: str) -> bool:
    """A sentence that cannot stand alone on a line: it opens by pointing back at something unsaid,
    or speaks of a sample beside it ("The above example spawns a Worker thread for each call.")."""
    text = sentence.strip()
    return (
        dangling(text) or bool(_POINTS_OUTSIDE.match(text) or _ABOVE.search(text)) or speaks_of_a_sample(text)
    )


_LEADS_IN = re.compile(
    r"[:\uff1a]$|,\s*(?:run|use|type|execute|enter|call)$|\s(?:with|by|as|from|into|using|via)$|"
    r"\b(?:the following|as follows)"
    r"(?:\s+(?!(?:years?|months?|weeks?|days?|morning|evening|night)\b)[\w-]+){0,2}[.\s]*$",
    re.IGNORECASE,
)


@remembered
def leads_in(sentence: str) -> bool:
    """A sentence that announces what comes after it ("…via the following methods.", "Node.js does
    NOT trust:", "To allow it, run", "…replace the second line with"): on a line of its own, or as
    a takeaway, it says nothing."""
    return bool(_LEADS_IN.search(sentence.strip()))


_REFERENCE_ENTRY = re.compile(
    r"^(?:`[^`]+`:?\s*)?(?:(?:returns|extends|type):?\s*)?\{[^{}]{1,80}\}|^\w+(?::\s*|\s*(?=\{[^{}]*\}$))\{[^{}]{1,80}\}",
    re.IGNORECASE,
)


def reference_entry(text: str) -> bool:
    """An API reference's typed entry ("`delay` {number} The number of…", "Returns: {URL} The…",
    "Extends: {EventEmitter}", "{string}", "Object {Object}"): a slide's point or a takeaway is a
    sentence about the thing, when there is one."""
    return bool(_REFERENCE_ENTRY.match(text.strip()))


_OPEN_END = re.compile(
    r"\b(?:in|of|to|for|by|with|from|on|at|as|into|about|against|than|include|includes|including|"
    r"is|are|was|were|be|means|contains?|covers?|requires?|supports?|trusts?|such as|like|e\.g\.|"
    r"i\.e\.|if|when|unless|because|that|whether|where|while)\s*[:\uff1a]$",
    re.IGNORECASE,
)
"""A lead-in whose sentence its list ends ("…may result in:", "Node.js does NOT trust:")."""


def colon_ended(text: str) -> bool:
    """`text` ends on a colon: it announces what follows it."""
    return text.rstrip().endswith((":", "\uff1a"))


def ends_open(sentence: str) -> bool:
    """A lead-in whose sentence the list after it ends ("…may result in:")."""
    text = sentence.strip()
    # The colon first: the pattern's words are tried at every word of the sentence.
    return colon_ended(text) and bool(_OPEN_END.search(text))


_GOES_ON_WITH = re.compile(r"[;,]\s*(?:and|or|but)$", re.IGNORECASE)
"""An item that ends on the conjunction joining it to the next ("…no top-level `await`); and")."""


def goes_on(text: str) -> bool:
    """An item of an enumeration that the next one goes on from ("…receives its `'end'` event;",
    "…the signal,"): not a line of its own."""
    text = text.rstrip()
    return text.endswith((";", ",", "\uff1b", "\u3001", "\u061b", "\u060c")) or bool(
        _GOES_ON_WITH.search(text)
    )


def completing_lists(section: Section) -> set[int]:
    """Groups of the section's lists whose items end the sentence before them ("Failure to follow
    these guidelines may result in:" / "Rejection of the report."): apart from it, an item says
    something else, so it is neither a section's one line nor a takeaway."""
    return _lists_after(section, ends_open)


def introduced_lists(section: Section) -> set[int]:
    """Groups of the section's lists that a lead-in announces ("`sign` can have 2 values:"): an item
    that is no sentence of its own ("-1 if the sign bit is 1.") needs it."""
    return _lists_after(section, leads_in)


_EXAMPLES_AHEAD = re.compile(r"^(?:for example|for instance|e\.g\.|an? example|examples?)\b", re.IGNORECASE)


def example_lists(section: Section) -> set[int]:
    """Groups of the section's lists that its sentence before announces as examples ("Example of
    list of contributions:" / "Commits in the nodejs/node repository."): samples, not points."""
    return _lists_after(section, lambda sentence: bool(_EXAMPLES_AHEAD.match(sentence.strip())))


def _lists_after(section: Section, lead_in: Callable[[str], bool]) -> set[int]:
    return {
        part.group
        for before, part in zip(section.parts, section.parts[1:], strict=False)
        if isinstance(part.block, ListBlock)
        and isinstance(before.block, Paragraph)
        and before.sentences
        and lead_in(before.sentences[-1])
    }


def says_more(section: Section) -> bool:
    """Whether a section says anything besides the typed entries of an API reference."""
    return any(
        not reference_entry(sentence)
        for part in section.parts
        if isinstance(part.block, Paragraph | ListBlock)
        for sentence in part.sentences
    )


def units_of(section: Section, part: Part, density: int | None) -> list[Unit]:
    """The units a part shows: `density` key sentences per paragraph, or every sentence when None.

    A kept sentence that points back ("These changes…") keeps the sentence before it too, or goes
    when there is none; sentences too long for a bullet give way to shorter ones.
    """
    block = part.block
    if isinstance(block, ListBlock):
        # Condensed, a section that says something of its thing leaves out the typed entries of its
        # parts ("`path` {string}", "Returns: {string}"): names of parts, not points about them.
        typed = density is not None and says_more(section)
        return [
            Unit(
                text=item.text,
                level=item.level,
                score=part.scores[i],
                order=part.order + i,
                group=part.group,
                dropped=shortened(item.text),
                section=section.index,
            )
            for i, item in enumerate(block.items)
            if not (typed and reference_entry(item.text))
        ]
    if not isinstance(block, Paragraph):
        return []
    sentences = part.sentences
    keep = (
        list(range(len(sentences)))
        if density is None
        else _choose(sentences, part.scores, density, anchored=part.anchored)
    )
    kept = set(keep)
    dropped = tuple(s for i, s in enumerate(sentences) if i not in kept)
    return [
        Unit(
            text=sentences[i],
            level=0,
            score=part.scores[i],
            order=part.order + i,
            group=part.group,
            dropped=(dropped if n == 0 else ()) + shortened(sentences[i]),
            section=section.index,
        )
        for n, i in enumerate(keep)
    ]


def _choose(
    sentences: tuple[str, ...], scores: tuple[float, ...], k: int, *, anchored: bool = False
) -> list[int]:
    # A long sentence that can lose an aside or a trailing clause fits too (whole in the notes).
    fits = [
        i
        for i, s in enumerate(sentences)
        if len(s) <= limits.MAX_BULLET_CHARS or shorten_sentence(s, limits.MAX_BULLET_CHARS) is not None
    ]
    # Nor a pointer elsewhere ("Consult the documentation for more information."), while the
    # paragraph says something itself.
    usable = [
        i
        for i in fits
        if not (dangling(sentences[i]) and i == 0 and not anchored) and not points_elsewhere(sentences[i])
    ] or fits
    if not usable:
        # Every sentence is longer than a bullet: the best one, to be shown in full on its own.
        return _top(scores, 1)
    ranked = sorted(usable, key=lambda i: (-scores[i], i))[:k]
    chosen = _supported(sentences, set(ranked), usable, anchored)
    if chosen:
        return sorted(chosen)
    # Every chain worth keeping went, its start unable to stay: the best sentence that does not
    # point back, if any; else, as before chains were followed, the best each with the one before it.
    plain = [i for i in usable if not dangling(sentences[i])]
    if plain:
        return [min(plain, key=lambda i: (-scores[i], i))]
    chosen = set(ranked)
    for i in ranked:
        if dangling(sentences[i]) and i - 1 not in chosen and not (i == 0 and anchored):
            if i - 1 in usable:
                chosen.add(i - 1)
            else:
                chosen.discard(i)
    return sorted(chosen)


def _supported(sentences: tuple[str, ...], chosen: set[int], usable: list[int], anchored: bool) -> set[int]:
    """`chosen`, each sentence that points back with the one it points to, however long the chain
    ("This increases…", "Therefore, run:"); a chain whose start cannot stay goes whole."""
    chosen = set(chosen)
    refused: set[int] = set()
    while broken := [
        i
        for i in sorted(chosen)
        if dangling(sentences[i]) and i - 1 not in chosen and not (i == 0 and anchored)
    ]:
        for i in broken:
            if i - 1 in usable and i - 1 not in refused:
                chosen.add(i - 1)
            else:
                chosen.discard(i)
                refused.add(i)
    return chosen


def _top(scores: tuple[float, ...], k: int) -> list[int]:
    if k >= len(scores):
        return list(range(len(scores)))
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return sorted(ranked[:k])
