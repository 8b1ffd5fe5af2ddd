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

Reading text (`spans`, `plain`, `split_words`, `balance`) takes time linear in its length whatever
it holds, as text from callers' documents may hold anything.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Span",
    "balance",
    "code_spans",
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


# --- reading markup ------------------------------------------------------------------------------
#
# The text comes from callers' documents (a paragraph may be megabytes) and from models, so reading
# it takes time linear in its length. The grammar is still the one the regular expression
#     (?P<code>`+)(?P<code_text>.+?)(?P=code)(?!`)
#     | \[(?P<link_text>[^\]\n]+)\]\((?P<url>[^()\s]+)\)
#     | \\(?P<escaped>[\\`*_\[\]()#+\-.!])
#     | (?P<delim>\*\*\*|___|\*\*|__|\*|_)
# gave when scanned with finditer, and `split_words` keeps the words that
#     (?:`+[^`]*?`+|\[[^\]\n]+\]\([^()\s]+\)|\S)+
# found. Run as patterns, both rescanned the rest of the line from every backtick or "[" that never
# closed (seconds for a few thousand of them); here each closer is looked up in positions found once.
# tests/render/test_markdown_linear.py checks both against the patterns.

_BACKTICKS = re.compile("`+")
_CANDIDATE = re.compile(r"[`\[\\*_]")
"""Where a token read as markup can start: anything else is plain text."""
_ESCAPABLE = frozenset("\\`*_[]()#+-.!")
_DELIM = re.compile(r"\*{1,3}|_{1,3}")
_LABEL_STOP = re.compile(r"[\]\n]")
_URL_STOP = re.compile(r"[()\s]")


class _NextMatch:
    """The first position at or after a given one where `pattern` matches in `text` (len(text) when
    none). The last answer holds for every position between where its search began and it, so asked
    for increasing positions, as the readers here ask, it reads the text once in all."""

    __slots__ = ("_found", "_from", "_pattern", "_text")

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self._pattern = pattern
        self._text = text
        # No position lies between 1 and 0: the first question searches.
        self._from = 1
        self._found = 0

    def __call__(self, position: int) -> int:
        if not self._from <= position <= self._found:
            match = self._pattern.search(self._text, position)
            self._from = position
            self._found = match.start() if match is not None else len(self._text)
        return self._found


class _Links:
    """`\\[([^\\]\\n]+)\\]\\(([^()\\s]+)\\)` at a "[". Backtracking never moves either end: the label
    can only stop at the first "]" or line end, the url at the first parenthesis or space, so each
    end is one lookup."""

    __slots__ = ("_label_end", "_text", "_url_end")

    def __init__(self, text: str) -> None:
        self._text = text
        self._label_end = _NextMatch(_LABEL_STOP, text)
        self._url_end = _NextMatch(_URL_STOP, text)

    def at(self, start: int) -> tuple[int, int] | None:
        """Where the label's "]" and the url's ")" are, for a link starting at `start`; None if none does."""
        label_end = self._label_end(start + 1)
        if label_end == start + 1 or not self._text.startswith("](", label_end):
            return None
        url_end = self._url_end(label_end + 2)
        if url_end == label_end + 2 or not self._text.startswith(")", url_end):
            return None
        return label_end, url_end


class _Runs:
    """The runs of backticks in a text, in order."""

    __slots__ = ("ends", "later", "starts")

    def __init__(self, text: str) -> None:
        found = list(_BACKTICKS.finditer(text))
        self.starts = [match.start() for match in found]
        self.ends = [match.end() for match in found]
        self.later = [0] * len(found)
        """For each run, the longest run after it on its line (code spans never cross a line end)."""
        lines = "\n" in text
        longest = 0
        for index in range(len(found) - 1, -1, -1):
            if (
                lines
                and index + 1 < len(found)
                and text.find("\n", self.ends[index], self.starts[index + 1]) >= 0
            ):
                longest = 0
            self.later[index] = longest
            longest = max(longest, self.ends[index] - self.starts[index])

    def containing(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1

    def code_span(self, start: int) -> tuple[int, int] | None:
        """`(`+)(.+?)\\1(?!`)` at `start`, a backtick: the width of its fences and where the closing
        one starts, or None.

        With L backticks left in the run, k of them close only as the last k of a run (the lookahead):
        of their own run when L >= 2k + 1, else of a later run on the line at least k long. The
        pattern keeps the widest k that closes, min(L, max((L - 1) // 2, longest later run)), and the
        first closer for it. The runs passed over to find that closer lie inside the span, so the
        reader, going on after it, never looks at them again."""
        index = self.containing(start)
        end = self.ends[index]
        left = end - start
        width = min(left, max((left - 1) // 2, self.later[index]))
        if width == 0:
            return None
        if left >= 2 * width + 1:
            return width, end - width
        ahead = index + 1
        while self.ends[ahead] - self.starts[ahead] < width:
            ahead += 1
        return width, self.ends[ahead] - width


def code_spans(text: str) -> list[tuple[int, int]]:
    """Where code spans are in `text`, start and end: what the grammar's code span branch,
    `(`+).+?\\1(?!`)`, finds scanned alone (without links and escapes), in linear time."""
    start = text.find("`")
    if start < 0:
        return []
    runs = _Runs(text)
    found: list[tuple[int, int]] = []
    while start >= 0:
        code = runs.code_span(start)
        if code is None:
            start = text.find("`", start + 1)
            continue
        width, close = code
        found.append((start, close + width))
        start = text.find("`", close + width)
    return found


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    runs: _Runs | None = None
    links: _Links | None = None
    candidate = _CANDIDATE.search(text)
    while candidate is not None:
        start = candidate.start()
        char = text[start]
        if char == "\\":
            escaped = text[start + 1 : start + 2]
            if escaped not in _ESCAPABLE:
                candidate = _CANDIDATE.search(text, start + 1)
                continue
            token = _Token("text", escaped, start=start)
            end = start + 2
        elif char == "`":
            runs = runs or _Runs(text)
            code = runs.code_span(start)
            if code is None:
                candidate = _CANDIDATE.search(text, start + 1)
                continue
            width, close = code
            token = _Token("code", text[start + width : close], start=start)
            end = close + width
        elif char == "[":
            links = links or _Links(text)
            link = links.at(start)
            if link is None:
                candidate = _CANDIDATE.search(text, start + 1)
                continue
            label_end, url_end = link
            token = _Token("link", text[start + 1 : label_end], text[label_end + 2 : url_end], start=start)
            end = url_end + 1
        else:
            delim = _DELIM.match(text, start)
            assert delim is not None
            end = delim.end()
            if start > position:
                tokens.append(_Token("text", text[position:start], start=position))
            tokens += _delimiters(text, start, end)
            position = end
            candidate = _CANDIDATE.search(text, end)
            continue
        if start > position:
            tokens.append(_Token("text", text[position:start], start=position))
        tokens.append(token)
        position = end
        candidate = _CANDIDATE.search(text, end)
    if position < len(text):
        tokens.append(_Token("text", text[position:], start=position))
    _pair(tokens)
    return tokens


def _delimiters(text: str, start: int, end: int) -> list[_Token]:
    """The emphasis delimiters `text[start:end]` (one to three "*" or "_"), and whether each may open
    or close."""
    delim = text[start:end]
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
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
        return [
            _Token("delim", first, opens=opens, closes=closes, start=start),
            _Token("delim", second, opens=opens, closes=closes, start=start + len(first)),
        ]
    return [_Token("delim", delim, opens=opens, closes=closes, start=start)]


def _pair(tokens: list[_Token]) -> None:
    """Match each closing delimiter with the nearest open one of the same kind."""
    stack: list[int] = []
    # Per delimiter, (height on the stack, token index) of each opener pushed. One whose place on the
    # stack was cut away is dropped when next looked at, so finding the partner needs no scan of
    # the stack (which a run of unmatched openers of another kind would make quadratic).
    opened: dict[str, list[tuple[int, int]]] = {}
    for index, token in enumerate(tokens):
        if token.kind != "delim":
            continue
        if token.closes:
            candidates = opened.get(token.text, [])
            while candidates:
                height, partner = candidates[-1]
                if height < len(stack) and stack[height] == partner:
                    break
                candidates.pop()
            if candidates:
                candidates.pop()
                # Delimiters opened inside this pair and never closed are shown as written.
                del stack[height:]
                tokens[partner].pair, token.pair = index, partner
                continue
        if token.opens:
            opened.setdefault(token.text, []).append((len(stack), index))
            stack.append(index)


def spans(text: str) -> tuple[Span, ...]:
    """The runs `text` shows, adjacent runs of one style merged."""
    if not has_markup(text):
        return (Span(text),) if text else ()
    styles: list[tuple[bool, bool, bool, str]] = []
    texts: list[list[str]] = []
    bold = italic = False
    for token in _tokens(text):
        if token.kind == "delim" and token.pair >= 0:
            if len(token.text) == 2:
                bold = not bold
            else:
                italic = not italic
            continue
        style = (bold, italic, token.kind == "code", token.url if token.kind == "link" else "")
        if styles and styles[-1] == style:
            texts[-1].append(token.text)
        else:
            styles.append(style)
            texts.append([token.text])
    # Joined once per run: a run of many tokens (escapes, unpaired markers) grown a token at a time
    # would be copied again for each of them.
    shown = (
        Span("".join(parts), bold=bold, italic=italic, code=code, link=link)
        for (bold, italic, code, link), parts in zip(styles, texts, strict=True)
    )
    return tuple(span for span in shown if span.text)


def plain(text: str) -> str:
    """`text` as it is shown: the markers removed."""
    if not has_markup(text):
        return text
    return "".join(span.text for span in spans(text))


_WORD_MARKERS = re.compile(r"[`\[]")
_WORD_PLAIN = re.compile(r"[^\s`\[]*")


def split_words(text: str) -> list[str]:
    """`text` split at whitespace outside code spans and links, so that neither is cut in two."""
    if "`" not in text and "[" not in text:
        return text.split()
    words: list[str] = []
    done = 0
    run_ends = [run.end() for run in _BACKTICKS.finditer(text)]
    links = _Links(text)
    marker = _WORD_MARKERS.search(text)
    while marker is not None:
        # Only a word with a backtick or "[" can run on past a space; the words before it are
        # plain, and the last of them, when it reaches the marker, is where its word begins.
        before = text[done : marker.start()].split()
        start = marker.start()
        if before and not text[start - 1].isspace():
            start -= len(before.pop())
        words += before
        done = _word_end(text, start, run_ends, links)
        words.append(text[start:done])
        marker = _WORD_MARKERS.search(text, done)
    words += text[done:].split()
    return words


def _word_end(text: str, start: int, run_ends: list[int], links: _Links) -> int:
    """Where the word at `start` ends: `(?:`+[^`]*?`+|\\[[^\\]\\n]+\\]\\([^()\\s]+\\)|\\S)+` there.

    Nothing follows the repetition, so it never goes back on a part it took: each part is the first
    of the three that matches, and the word ends at the first space no part starts with. A code part
    is the rest of its backtick run and everything up to the end of the next run, wherever that is
    (`[^`]` crosses spaces and lines); with no backtick after it, the run alone if two or more long."""
    position = start
    while True:
        match = _WORD_PLAIN.match(text, position)
        assert match is not None
        position = match.end()
        if position == len(text):
            return position
        char = text[position]
        if char == "`":
            run = bisect_right(run_ends, position)
            if run + 1 < len(run_ends):
                position = run_ends[run + 1]
            elif run_ends[run] - position >= 2:
                position = run_ends[run]
            else:
                position += 1
        elif char == "[":
            link = links.at(position)
            position = link[1] + 1 if link is not None else position + 1
        else:
            return position


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
