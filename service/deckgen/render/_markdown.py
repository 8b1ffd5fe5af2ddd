"""Inline Markdown, as models write it inside slide text: bold, italic, code and links become runs.

spans("Use **one** `flag`") -> (Span("Use "), Span("one", bold=True), Span(" "), Span("flag", code=True))
plain(text)                  -> the text as shown, markers removed (what is measured)
split_words(text)            -> words that keep code spans and links whole
balance(head, tail)          -> a text cut in two, emphasis open at the cut closed and reopened

Recognised: `**bold**` and `__bold__`, `*italic*` and `_italic_`, `` `code` ``, `[text](url)`, and
backslash escapes. A marker opens only before a non-space and closes only after one, so "5 * 3"
and "a * b * c" stay as written; `_` never opens or closes inside a word (snake_case stays). Markers
without a partner are shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

__all__ = ["Span", "balance", "has_markup", "link_target", "plain", "spans", "split_words"]


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
