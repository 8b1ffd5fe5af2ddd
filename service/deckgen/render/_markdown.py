"""Inline Markdown, as models write it inside slide text: bold, italic, code and links become runs.

spans("Use **one** `flag`") -> (Span("Use "), Span("one", bold=True), Span(" "), Span("flag", code=True))
plain(text)                  -> the text as shown, markers removed (what is measured)
split_words(text)            -> words that keep code spans and links whole
balance(head, tail)          -> a text cut in two, emphasis open at the cut closed and reopened
literal(text)                -> markup that shows `text` as written (what it would read as markup escaped)
markup(pieces)               -> markup of pieces of text, each shown as written or as code

Recognised: `**bold**` and `__bold__`, `*italic*` and `_italic_`, `` `code` ``, `[text](url)`, and
backslash escapes. A marker opens only before a non-space and closes only after one, so "5 * 3"
and "a * b * c" stay as written; `_` never opens or closes inside a word (snake_case stays). Markers
without a partner are shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

__all__ = [
    "Span",
    "balance",
    "has_markup",
    "link_target",
    "literal",
    "markup",
    "plain",
    "spans",
    "split_words",
]


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str = ""
    """The target of a link; empty for other text."""


_ATOMS = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)(?!`)"
    r"|\[(?P<link_text>[^\]\n]+)\]\((?P<url>[^()\s]+)\)"
    r"|\\(?P<escaped>[\\`*_\[\]()#+\-.!])"
    r"|(?P<delim>\*\*\*|___|\*\*|__|\*|_)"
)
_MARKUP = re.compile(r"[*_`\[\\]")


def has_markup(text: str) -> bool:
    return _MARKUP.search(text) is not None


@dataclass(slots=True)
class _Token:
    kind: str
    """text, code, link or delim"""
    text: str
    url: str = ""
    opens: bool = False
    closes: bool = False
    pair: int = -1
    """For a delimiter: the index of its partner, or -1 when it is shown as written."""
    start: int = 0
    """Where the token begins in the source text."""


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    for match in _ATOMS.finditer(text):
        if match.start() > position:
            tokens.append(_Token("text", text[position : match.start()], start=position))
        position = match.end()
        start = match.start()
        if match.group("code") is not None:
            tokens.append(_Token("code", match.group("code_text"), start=start))
        elif match.group("link_text") is not None:
            tokens.append(_Token("link", match.group("link_text"), match.group("url"), start=start))
        elif match.group("escaped") is not None:
            tokens.append(_Token("text", match.group("escaped"), start=start))
        else:
            delim = match.group("delim")
            before = text[match.start() - 1] if match.start() else " "
            after = text[match.end()] if match.end() < len(text) else " "
            opens = not after.isspace()
            closes = not before.isspace()
            if delim[0] == "_":
                # Inside a word an underscore is part of it (snake_case, file_names).
                opens = opens and not before.isalnum()
                closes = closes and not after.isalnum()
            if len(delim) == 3:
                # "***both***": italic around bold when opening, bold closed first when closing.
                outer, inner = delim[0], delim[:2]
                first, second = (outer, inner) if opens else (inner, outer)
                tokens.append(_Token("delim", first, opens=opens, closes=closes, start=start))
                tokens.append(_Token("delim", second, opens=opens, closes=closes, start=start + len(first)))
            else:
                tokens.append(_Token("delim", delim, opens=opens, closes=closes, start=start))
    if position < len(text):
        tokens.append(_Token("text", text[position:], start=position))
    _pair(tokens)
    return tokens


def _pair(tokens: list[_Token]) -> None:
    """Match each closing delimiter with the nearest open one of the same kind."""
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind != "delim":
            continue
        partner = next((i for i in reversed(stack) if tokens[i].text == token.text), None)
        if token.closes and partner is not None:
            # Delimiters opened inside this pair and never closed are shown as written.
            del stack[stack.index(partner) :]
            tokens[partner].pair, token.pair = index, partner
        elif token.opens:
            stack.append(index)


def spans(text: str) -> tuple[Span, ...]:
    """The runs `text` shows, adjacent runs of one style merged."""
    if not has_markup(text):
        return (Span(text),) if text else ()
    result: list[Span] = []
    bold = italic = False
    for token in _tokens(text):
        if token.kind == "delim" and token.pair >= 0:
            if len(token.text) == 2:
                bold = not bold
            else:
                italic = not italic
            continue
        span = Span(
            token.text,
            bold=bold,
            italic=italic,
            code=token.kind == "code",
            link=token.url if token.kind == "link" else "",
        )
        if result and replace(result[-1], text="") == replace(span, text=""):
            result[-1] = replace(result[-1], text=result[-1].text + span.text)
        else:
            result.append(span)
    return tuple(span for span in result if span.text)


def plain(text: str) -> str:
    """`text` as it is shown: the markers removed."""
    if not has_markup(text):
        return text
    return "".join(span.text for span in spans(text))


_WORDS = re.compile(r"(?:`+[^`]*?`+|\[[^\]\n]+\]\([^()\s]+\)|\S)+")


def split_words(text: str) -> list[str]:
    """`text` split at whitespace outside code spans and links, so that neither is cut in two."""
    if "`" not in text and "[" not in text:
        return text.split()
    return _WORDS.findall(text)


def balance(head: str, tail: str) -> tuple[str, str]:
    """`head` and `tail`, two parts of one text, each readable alone: emphasis the full text opens
    in `head` and closes in `tail` is closed at the end of `head` and reopened at the start of `tail`."""
    if not has_markup(head):
        return head, tail
    whole = _tokens(f"{head} {tail}")
    cut = len(head)
    open_ = [
        token.text
        for index, token in enumerate(whole)
        if token.kind == "delim" and token.pair > index and token.start < cut <= whole[token.pair].start
    ]
    if not open_:
        return head, tail
    return head + "".join(reversed(open_)), "".join(open_) + tail


_LINK_SCHEMES = ("http://", "https://", "mailto:")


def link_target(url: str) -> str:
    """`url` if a deck may link to it (web and mail addresses), else "" (the text stays, unlinked)."""
    return url if url.lower().startswith(_LINK_SCHEMES) and len(url) <= 2000 else ""


# --- writing markup ------------------------------------------------------------------------------

_MARKERS = frozenset("\\`*_[")
"""What can start markup; escaping each of them with a backslash shows it as written."""
_ROUNDS = 8
_BACKTICKS = re.compile("`+")


def literal(text: str) -> str:
    """Markup that `spans` shows as `text` exactly, in one plain run (`plain(literal(t)) == t`).

    Only what would be read as markup is escaped, so ordinary text comes back as it is: "snake_case",
    "5 * 3" and "2**10 bytes" unchanged, "__init__.py" as "\\_\\_init\\_\\_.py", "2*3*4" as "2\\*3\\*4".
    For text taken from a document that must reach the slide as written, not as emphasis."""
    return markup(((text, False),))


def markup(pieces: Iterable[tuple[str, bool]]) -> str:
    """Markup of `pieces` in order, each `(text, code)`: code pieces become code spans (shown in
    monospace, exactly), the others are shown as written, as `literal` writes them. A marker is
    escaped only where `spans` would read it, judged on the whole text: a `*` is emphasis or not
    depending on what follows it, in this piece or the next."""
    merged: list[tuple[str, bool]] = []
    for text, code in pieces:
        if code:
            text = text.replace("\n", " ")
        if not text:
            continue
        if merged and merged[-1][1] == code:
            # Two code spans side by side would read as one opened and never closed.
            merged[-1] = (merged[-1][0] + text, code)
        else:
            merged.append((text, code))
    if not any(code or has_markup(text) for text, code in merged):
        return "".join(text for text, _ in merged)
    escaped: set[tuple[int, int]] = set()
    for _ in range(_ROUNDS):
        text, origin, code_at = _compose(merged, escaped)
        found = _read_as_markup(text, origin, code_at)
        if not found:
            if _shows(text, merged, code_at):
                return text
            break
        if found <= escaped:
            break
        escaped |= found
    # Every marker escaped is always read as written (no text tried so far needed it).
    everything = {
        (index, offset)
        for index, (piece, code) in enumerate(merged)
        if not code
        for offset, char in enumerate(piece)
        if char in _MARKERS
    }
    return _compose(merged, everything)[0]


def _shows(text: str, pieces: list[tuple[str, bool]], code_at: dict[int, str]) -> bool:
    """Whether `text` shows `pieces` as meant: their plain runs and code spans, in order, nothing else."""
    shown = iter(code_at.values())
    wanted = [(next(shown), True) if code else (piece, False) for piece, code in pieces]
    runs = spans(text)
    return [(run.text, run.code) for run in runs] == wanted and not any(
        run.bold or run.italic or run.link for run in runs
    )


def _code_span(text: str) -> str:
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _compose(
    pieces: list[tuple[str, bool]], escaped: set[tuple[int, int]]
) -> tuple[str, list[tuple[int, int] | None], dict[int, str]]:
    """The markup, where each of its characters came from (piece and offset; None for a backslash
    added or a code span), and the code spans it holds by where they start."""
    out: list[str] = []
    origin: list[tuple[int, int] | None] = []
    code_at: dict[int, str] = {}
    for index, (text, code) in enumerate(pieces):
        if code:
            span = _code_span(text)
            code_at[len(out)] = span[len(span) - len(span.lstrip("`")) : len(span.rstrip("`"))]
            out += span
            origin += [None] * len(span)
            continue
        for offset, char in enumerate(text):
            if (index, offset) in escaped:
                out.append("\\")
                origin.append(None)
            out.append(char)
            origin.append((index, offset))
    return "".join(out), origin, code_at


def _read_as_markup(
    text: str, origin: list[tuple[int, int] | None], code_at: dict[int, str]
) -> set[tuple[int, int]]:
    """The characters of plain pieces that `spans` would read as markup in `text`."""
    marked: list[int] = []
    tokens = _tokens(text)
    for index, token in enumerate(tokens):
        end = tokens[index + 1].start if index + 1 < len(tokens) else len(text)
        if token.kind == "code" and code_at.get(token.start) != token.text:
            # A backtick of the text opened or closed this span: escaped, they leave only ours.
            marked += [i for i in range(token.start, end) if text[i] == "`"]
        elif token.kind == "link":
            marked.append(token.start)
        elif token.kind == "delim" and token.pair >= 0:
            marked += range(token.start, token.start + len(token.text))
        elif token.kind == "text" and end - token.start == 2 and text[token.start] == "\\":
            marked.append(token.start)  # a backslash of the text would escape what follows it
    # Backslashes added and code spans of our own have no origin: they are meant as markup.
    return {own for own in (origin[i] for i in marked) if own is not None}
