"""Markdown and plain text into a small tree of blocks, each with the lines it came from.

Only what a slide can use is kept: headings, paragraphs, lists, pipe tables, blockquotes and fenced
code. Parsing never raises on odd input: bad bytes are replaced, unknown constructs become
paragraphs.

Text comes out as slide text, the inline Markdown the renderer reads (`deckgen.render._markdown`):
a code span of the document stays a code span (drawn in monospace), emphasis, links, images and HTML
tags are reduced to their text, and everything else is shown as written: a `*`, `_`, backtick or
backslash the renderer would read as markup is escaped ("2*3*4" -> "2\\*3\\*4"), so that
"`__init__.py`" never comes out as a bold "init.py". Plain-text documents are shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from deckgen.content.embedded import _inline
from deckgen.content.embedded._math import tex_text
from deckgen.render._markdown import literal, markup

__all__ = [
    "Block",
    "CodeBlock",
    "Document",
    "Heading",
    "ListBlock",
    "ListEntry",
    "Paragraph",
    "QuoteBlock",
    "TableBlock",
    "decode",
    "is_markdown",
    "parse",
    "parse_markdown",
    "parse_plain",
    "strip_inline",
]


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ListEntry:
    text: str
    level: int
    line: int


@dataclass(frozen=True, slots=True)
class ListBlock:
    items: tuple[ListEntry, ...]
    ordered: bool
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class TableBlock:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class QuoteBlock:
    text: str
    attribution: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    language: str
    line: int
    end_line: int


Block = Heading | Paragraph | ListBlock | TableBlock | QuoteBlock | CodeBlock


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    blocks: tuple[Block, ...]


_MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def is_markdown(media_type: str, name: str) -> bool:
    kind = media_type.split(";", 1)[0].strip().lower()
    return kind in _MARKDOWN_TYPES or name.lower().endswith(_MARKDOWN_SUFFIXES)


def decode(content: bytes) -> str:
    """Bytes to text with `\\n` line ends, no BOM and tabs expanded; undecodable bytes become U+FFFD."""
    text = content.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.expandtabs(4).rstrip() for line in text.split("\n"))


def parse(name: str, media_type: str, content: bytes) -> Document:
    text = decode(content)
    blocks = parse_markdown(text) if is_markdown(media_type, name) else parse_plain(text)
    return Document(name=name, blocks=tuple(blocks))


# --- inline markup -------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<$])")
_INTRAWORD = re.compile(r"(?<=[^\W_])(?:\*+|_+)(?=[^\W_])")
"""An asterisk or underscore run between two letters or digits is text ("2*3*4", "snake_case")."""
_SPACE = re.compile(r"\s+")
_FOOTNOTE_MARK = re.compile(r"\[\^\w{1,40}\]")
"""A footnote's mark in the text ("…toolchain[^7]"): its note is not on the slide."""
# Code spans, escaped characters and markers inside words are parked in the private-use area so
# that the emphasis rules cannot touch them, then restored as code spans and as text.
_PARK = 0xE000
_PARK_ROOM = 0xF8FF - 0xE000 + 1
_PARKED = re.compile("([\ue000-\uf8ff])")


def _same(content: str) -> str:
    return content


_PICTURE = "\ufffc"
"""Where an image was, until the links are read."""
_STRONG_INTO_WORD = re.compile(r"(?<![^\s(])\*\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*\*(?=[^\W_])")
"""Strong emphasis opened at a word's start and closed inside it ("the **t**ag"), which the rule for
markers between two letters ("2*3*4") would otherwise keep as text."""
_MAY_BE_MARKUP = re.compile("[`$\\\\*_\\[<~\ue000-\uf8ff\ufffc]")
"""What the rules of `strip_inline` start from: a line without any of it (most lines of prose) only has
its spaces collapsed."""


def _unless_pictures(content: str) -> str:
    """A link's text, or nothing when it held only images."""
    return "" if not content.replace(_PICTURE, "").strip() else content


def strip_inline(text: str) -> str:
    """A line of inline Markdown as slide text: code spans kept, emphasis, links, images and tags
    reduced to their text, the rest shown as written."""
    if not _MAY_BE_MARKUP.search(text):
        return literal(_SPACE.sub(" ", text).strip())
    parked: list[tuple[str, bool]] = []

    def park(value: str, code: bool) -> str:
        if len(parked) == _PARK_ROOM:
            # A hostile paragraph could ask for more than the private-use area holds (and past
            # U+10FFFF, `chr` raises); what is past the room stays unprotected text.
            return value
        parked.append((value, code))
        return chr(_PARK + len(parked) - 1)

    # The document's own private-use characters would be read back as parked text; they draw
    # nothing without the document's symbol font (Word's Wingdings bullets are one), so they go.
    text = _PARKED.sub("", text)
    text = _inline.sub_code_spans(text, lambda code: park(_SPACE.sub(" ", code).strip(), True))
    # Before escapes: TeX's backslashes are its commands. Parked: `x_1 * y_2` is no emphasis.
    text = _inline.sub_math(text, lambda formula: park(tex_text(formula), False))
    text = _ESCAPE.sub(lambda m: park(m.group(1), False), text)
    text = _STRONG_INTO_WORD.sub(r"\1", text)
    text = _INTRAWORD.sub(lambda m: park(m.group(0), False), text)
    # An image is marked where it was, so that a link around nothing but images (a README's badges,
    # "[![build](…)](…)") goes with them rather than leaving its empty brackets.
    text = _inline.sub_images(text.replace(_PICTURE, ""), lambda _alt: _PICTURE)
    text = _inline.sub_links(text, _unless_pictures).replace(_PICTURE, "")
    text = _inline.sub_autolinks(text, _same)
    text = _inline.sub_html(text)
    text = _FOOTNOTE_MARK.sub("", text)
    text = _inline.sub_strong(text, _same)
    text = _inline.sub_strike(text, _same)
    text = _inline.sub_em_star(text, _same)
    text = _inline.sub_em_underscore(text, _same)
    text = _SPACE.sub(" ", text).strip()
    if not parked:
        return literal(text)
    pieces: list[tuple[str, bool]] = []
    for part in _PARKED.split(text):
        index = ord(part) - _PARK if len(part) == 1 else -1
        pieces.append(parked[index] if 0 <= index < len(parked) else (part, False))
    return markup(pieces)


# --- Markdown ------------------------------------------------------------------------------------

_INDENTED = re.compile(r"^ {4}\s*\S")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")
_ATX_OPEN = re.compile(r" {0,3}(#{1,6})(?=[ ]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ ]*$")
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ ]*\1){2,}[ ]*$")
_QUOTE = re.compile(r"^ {0,3}>[ ]?(.*)$")
_ITEM = re.compile(r"^( *)([-*+•]|\d{1,9}[.)])[ ]+(.*)$")
_EMPTY_ITEM = re.compile(r"^( *)([-*+•]|\d{1,9}[.)])$")
_TASK = re.compile(r"^\\?\[[ xX]\]\s+")
"""A task list's box, also as markdownlint writes it (`\\[ ]`)."""
_ALIGN_CELL = re.compile(r"^:?-+:?$")
_ATTRIBUTION = re.compile("^(?:\u2014|\u2013|--|\u2015|~)\\s*(\\S.*)$")
_FRONT_KEY = re.compile(r"^[A-Za-z0-9_-]+\s*:")
_LETTERED = re.compile(r"^[a-z][.)]\s+(?=[A-Z`])")
"""A paragraph lettered as one of a list ("**c.** **Release builds:** …"): the letter says nothing
on a slide without its siblings beside it."""
_ANCHOR_LINK = re.compile(r"\s*(\*\*|__|\*|_)?\[[^\]]*\]\(#[^)\s]*\)\1?\s*")
"""A link to a heading of the same document (`[Collaborators](#collaborators)`), emphasised too
(`**[Installation](#installation)**`)."""
_FOOTNOTE = re.compile(r" {0,3}\[\^[^\]\s]{1,40}\]:")
_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s*\S+(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*")
"""A link reference definition (`[TSC Charter]: https://…`): a renderer shows nothing of it."""
_HIDDEN_HTML = re.compile(r"[ ]*(?:(<!--)|<(script|style)(?=[\s>]|$))", re.IGNORECASE)
"""HTML blocks a reader of the rendered document never sees: comments, scripts and style sheets
(CommonMark's HTML blocks of kinds 1 and 2; a `<pre>` or `<textarea>` shows its text, so it is read)."""


def _hidden_html(lines: list[str], i: int, indented: bool) -> int | None:
    """Index of the last line of the hidden HTML block that opens `lines[i]` (None if none does; with
    four spaces before it, only if `indented` blocks may open one). The block ends on the first line
    holding its end marker, and an unclosed one runs to the document's end, as a renderer hides it.
    A text after the marker is left on that line, as a renderer shows it."""
    opening = _HIDDEN_HTML.match(lines[i])
    at = len(lines[i]) - len(lines[i].lstrip(" "))
    if opening is None or (at > 3 and not indented):
        return None
    close = "-->" if opening.group(1) else f"</{opening.group(2).lower()}>"
    for j in range(i, len(lines)):
        line = lines[j] if close == "-->" else lines[j].lower()
        found = line.find(close, at if j == i else 0)
        if found >= 0:
            lines[j] = lines[j][found + len(close) :].strip()
            return j
    lines[-1] = ""
    return len(lines) - 1


def _cells(line: str) -> list[str]:
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells = re.split(r"(?<!\\)\|", row)
    return [strip_inline(cell.replace("\\|", "|")) for cell in cells]


def _is_alignment(line: str) -> bool:
    if "-" not in line:
        return False
    cells = _cells(line)
    return bool(cells) and all(_ALIGN_CELL.match(cell.replace(" ", "")) for cell in cells)


def _skip_front_matter(lines: list[str]) -> int:
    """Index of the first line after a YAML front-matter block, or 0 when there is none."""
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            body = [line for line in lines[1:end] if line.strip()]
            if body and all(_FRONT_KEY.match(line) or line.startswith((" ", "-")) for line in body):
                return end + 1
            return 0
    return 0


class _ListBuilder:
    """Gathers list items, turning indentation into nesting levels."""

    def __init__(self, ordered: bool, line: int, inline: Callable[[str], str] = strip_inline) -> None:
        self.ordered = ordered
        self.inline = inline
        """Markdown items are read as inline Markdown, plain-text items are shown as written."""
        self.line = line
        self.end_line = line
        self.indents: list[int] = []
        self.entries: list[tuple[list[str], int, int]] = []

    def add(self, indent: int, text: str, line: int) -> None:
        while self.indents and indent < self.indents[-1]:
            self.indents.pop()
        if not self.indents or indent > self.indents[-1]:
            self.indents.append(indent)
        self.entries.append(([_TASK.sub("", text)], len(self.indents) - 1, line))
        self.end_line = line

    def extend(self, text: str, line: int) -> None:
        self.entries[-1][0].append(text)
        self.end_line = line

    def build(self) -> ListBlock | None:
        if self.inline is strip_inline and all(
            _ANCHOR_LINK.fullmatch(" ".join(parts)) for parts, _, _ in self.entries
        ):
            return None  # the document's table of contents: links to its own headings, which the deck has
        items = []
        for parts, level, line in self.entries:
            text = self.inline(" ".join(parts))
            if text:
                items.append(ListEntry(text=text, level=min(level, 2), line=line))
        if not items:
            return None
        return ListBlock(items=tuple(items), ordered=self.ordered, line=self.line, end_line=self.end_line)


def parse_markdown(text: str) -> list[Block]:
    lines = text.split("\n")
    blocks: list[Block] = []
    paragraph: list[str] = []
    paragraph_start = 0
    current_list: _ListBuilder | None = None
    i = _skip_front_matter(lines)
    shown = -1  # the line whose rest after a hidden HTML block is read as text

    def flush_paragraph(end: int) -> None:
        nonlocal paragraph
        if paragraph:
            joined = _LETTERED.sub("", strip_inline(" ".join(paragraph)), count=1)
            if joined:
                blocks.append(Paragraph(text=joined, line=paragraph_start, end_line=end))
            paragraph = []

    def flush_list() -> None:
        nonlocal current_list
        if current_list is not None:
            built = current_list.build()
            if built is not None:
                blocks.append(built)
            current_list = None

    while i < len(lines):
        line = lines[i]
        number = i + 1
        stripped = line.strip()

        hidden = _hidden_html(lines, i, current_list is not None) if "<" in line and i != shown else None
        if hidden is not None:
            # A comment between items leaves the list open; one that starts a line interrupts a
            # paragraph, as any HTML block does. A text after its end is read from where it ends
            # (once: inline comments in it are the inline rules', so a line of them stays linear).
            if current_list is None:
                flush_paragraph(number - 1)
            i, shown = (hidden, hidden) if lines[hidden] else (hidden + 1, -1)
            continue

        if current_list is not None:
            item = _ITEM.match(line)
            ordered = bool(item) and item is not None and item.group(2)[0].isdigit()
            top_level = item is not None and len(item.group(1)) <= current_list.indents[0]
            if item and not (top_level and ordered != current_list.ordered):
                current_list.add(len(item.group(1)), item.group(3), number)
                i += 1
                continue
            continues = line.startswith("  ") or lines[i - 1].strip()
            if not item and stripped and continues and not _starts_block(line, lines, i):
                current_list.extend(stripped, number)
                i += 1
                continue
            if not item and not stripped:
                following = _next_nonblank(lines, i)
                if following is not None and (
                    _ITEM.match(lines[following]) or lines[following].startswith("  ")
                ):
                    i += 1
                    continue
            flush_list()

        if not stripped:
            flush_paragraph(number - 1)
            i += 1
            continue

        if not paragraph and _INDENTED.match(line) and (i == 0 or not lines[i - 1].strip()):
            # An indented code block: every line indented four spaces (blank lines inside it kept).
            indented: list[str] = []
            j = i
            while j < len(lines) and (_INDENTED.match(lines[j]) or not lines[j].strip()):
                indented.append(lines[j][4:])
                j += 1
            while indented and not indented[-1].strip():
                indented.pop()
                j -= 1
            blocks.append(CodeBlock(text="\n".join(indented), language="", line=number, end_line=j))
            i = j
            continue

        fence = _FENCE.match(line)
        if fence:
            flush_paragraph(number - 1)
            marker = fence.group(1)
            body: list[str] = []
            j = i + 1
            while j < len(lines) and not (
                lines[j].strip().startswith(marker[0] * len(marker)) and not lines[j].strip().strip(marker[0])
            ):
                body.append(lines[j])
                j += 1
            code = "\n".join(body).strip("\n")
            if code.strip():
                blocks.append(
                    CodeBlock(
                        text=code, language=fence.group(2), line=number, end_line=min(j + 1, len(lines))
                    )
                )
            i = j + 1
            continue

        atx = _atx(line)
        if atx is not None:
            flush_paragraph(number - 1)
            level, heading = atx[0], strip_inline(atx[1])
            if heading:
                blocks.append(Heading(level=level, text=heading, line=number, end_line=number))
            i += 1
            continue

        setext = _SETEXT.match(line)
        if setext and paragraph:
            heading = strip_inline(" ".join(paragraph))
            paragraph = []
            if heading:
                level = 1 if setext.group(1).startswith("=") else 2
                blocks.append(Heading(level=level, text=heading, line=paragraph_start, end_line=number))
            i += 1
            continue

        if _BREAK.match(line):
            flush_paragraph(number - 1)
            i += 1
            continue

        if "|" in line and i + 1 < len(lines) and _is_alignment(lines[i + 1]):
            flush_paragraph(number - 1)
            header = _cells(line)
            rows: list[tuple[str, ...]] = []
            j = i + 2
            while j < len(lines) and lines[j].strip() and "|" in lines[j]:
                cells = _cells(lines[j])
                cells = (cells + [""] * len(header))[: len(header)]
                rows.append(tuple(cells))
                j += 1
            blocks.append(TableBlock(header=tuple(header), rows=tuple(rows), line=number, end_line=j))
            i = j
            continue

        if _QUOTE.match(line):
            flush_paragraph(number - 1)
            quoted: list[str] = []
            j = i
            while j < len(lines):
                match = _QUOTE.match(lines[j])
                if match:
                    quoted.append(match.group(1))
                elif (
                    lines[j].strip()
                    and quoted
                    and quoted[-1].strip()
                    and not _starts_block(lines[j], lines, j)
                ):
                    quoted.append(lines[j].strip())  # a lazy continuation line
                else:
                    break
                j += 1
            attribution = ""
            if j < len(lines) and _ATTRIBUTION.match(lines[j].strip()):
                attribution = lines[j].strip()
                j += 1
            blocks.extend(_quote(quoted, attribution, number, j))
            i = j
            continue

        item = _ITEM.match(line)
        if item:
            flush_paragraph(number - 1)
            current_list = _ListBuilder(ordered=item.group(2)[0].isdigit(), line=number)
            current_list.add(len(item.group(1)), item.group(3), number)
            i += 1
            continue

        if _EMPTY_ITEM.match(line):
            i += 1
            continue

        if not paragraph and _DEFINITION.fullmatch(line):
            i += 1  # cannot interrupt a paragraph: only where one could start
            continue

        if not paragraph and _FOOTNOTE.match(line):
            # A footnote's text, with its indented lines: a renderer sets it apart at the end, as
            # small print; on a slide it would read as a point ("[^7]: Binaries produced on…").
            i += 1
            while i < len(lines) and lines[i].startswith(("    ", "\t")):
                i += 1
            continue

        if not paragraph:
            paragraph_start = number
        paragraph.append(stripped[:-1] if stripped.endswith("\\") else stripped)
        i += 1

    flush_list()
    flush_paragraph(len(lines))
    return blocks


def _quote(quoted: list[str], attribution: str, line: int, end: int) -> list[Block]:
    lines = [part.strip() for part in quoted]
    while lines and not lines[-1]:
        lines.pop()
    if not attribution and lines and _ATTRIBUTION.match(lines[-1]):
        attribution = lines.pop()
    match = _ATTRIBUTION.match(attribution)
    who = strip_inline(match.group(1)) if match else ""
    # Nested quote markers and list markers inside a quote carry no meaning on a slide.
    text = strip_inline(" ".join(re.sub(r"^(?:>\s?)+|^[-*+]\s+", "", part) for part in lines if part))
    if not text:
        return []
    return [QuoteBlock(text=text, attribution=who, line=line, end_line=end)]


def _next_nonblank(lines: list[str], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j].strip():
            return j
    return None


def _atx(line: str) -> tuple[int, str] | None:
    """An ATX heading's level and text, without its closing hashes (`## Title ##`); None if `line`
    is not one. In code rather than one pattern: a lazy text before an optional closing sequence
    scanned a long run of spaces again from each of its spaces (20,000 in a heading: seconds)."""
    opening = _ATX_OPEN.match(line)
    if opening is None:
        return None
    text = line[opening.end() :].lstrip(" ").rstrip(" ")
    unhashed = text.rstrip("#")
    if unhashed != text and unhashed.endswith(" "):
        text = unhashed.rstrip(" ")  # a closing sequence needs a space before it
    return len(opening.group(1)), text


def _starts_block(line: str, lines: list[str], i: int) -> bool:
    return bool(
        _FENCE.match(line)
        or _atx(line) is not None
        or _QUOTE.match(line)
        or _BREAK.match(line)
        or _ITEM.match(line)
        or ("|" in line and i + 1 < len(lines) and _is_alignment(lines[i + 1]))
    )


# --- plain text ----------------------------------------------------------------------------------

_PLAIN_ITEM = re.compile(r"^( *)([-*•‣◦·]|\d{1,3}[.)])[ ]+(.*)$")
_FINAL_PUNCTUATION = ".!?\u2026:;,\u3002\uff01\uff1f"
_MAX_HEADING = 60


def _plain_heading(line: str) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= _MAX_HEADING
        and not text.endswith(tuple(_FINAL_PUNCTUATION))
        and not _PLAIN_ITEM.match(line)
        and any(ch.isalnum() for ch in text)
    )


def _wrapped(first: str, rest: list[str]) -> bool:
    """True when `first` looks like a hard-wrapped line of a paragraph rather than its own line."""
    if not rest:
        return False
    width = max(len(line) for line in [first, *rest])
    next_word = rest[0].strip().split(" ", 1)[0]
    return len(first) + 1 + len(next_word) > width


def parse_plain(text: str) -> list[Block]:
    lines = text.split("\n")
    groups: list[tuple[int, list[str]]] = []
    start = 0
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            groups.append((start, current))
            current = []
    if current:
        groups.append((start, current))

    blocks: list[Block] = []
    for index, (start, group) in enumerate(groups):
        first = group[0]
        is_last = index == len(groups) - 1
        if len(group) == 1 and _plain_heading(first) and not is_last:
            level = 1 if not blocks else 2
            blocks.append(Heading(level=level, text=literal(first.strip()), line=start, end_line=start))
            continue
        if len(group) > 1 and _plain_heading(first) and not _wrapped(first, group[1:]):
            level = 1 if not blocks else 2
            blocks.append(Heading(level=level, text=literal(first.strip()), line=start, end_line=start))
            group = group[1:]
            start += 1
        blocks.extend(_plain_group(start, group))
    return blocks


def _plain_group(start: int, group: list[str]) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    paragraph_start = start
    builder: _ListBuilder | None = None

    def flush_paragraph(end: int) -> None:
        nonlocal paragraph
        if paragraph:
            blocks.append(
                Paragraph(
                    text=literal(_SPACE.sub(" ", " ".join(paragraph)).strip()),
                    line=paragraph_start,
                    end_line=end,
                )
            )
            paragraph = []

    for offset, line in enumerate(group):
        number = start + offset
        item = _PLAIN_ITEM.match(line)
        if item:
            flush_paragraph(number - 1)
            if builder is None:
                builder = _ListBuilder(ordered=item.group(2)[0].isdigit(), line=number, inline=literal)
            builder.add(len(item.group(1)), item.group(3), number)
        elif builder is not None:
            builder.extend(line.strip(), number)
        else:
            if not paragraph:
                paragraph_start = number
            paragraph.append(line.strip())
    flush_paragraph(start + len(group) - 1)
    if builder is not None:
        built = builder.build()
        if built is not None:
            blocks.append(built)
    return blocks
