"""Inline Markdown spans replaced in time linear in the text.

Each function returns exactly what `pattern.sub(...)` returned for the pattern in its docstring. The
patterns themselves rescanned the rest of the line or text from every opening delimiter that never
closed, so a caller's paragraph of 5,000 backticks held a planning thread for seconds, and one of a
megabyte for hours. Here every closer is looked up in the positions found by one pass over the text.
`tests/content/test_inline_spans.py` checks each function against its pattern on every short string
of the characters that matter.

The emphasis and code span patterns never match across a line end (their `.` excludes `\\n`, and
their lookarounds read a line end as they read the end of the text), so those run line by line.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

__all__ = [
    "MATH",
    "sub_autolinks",
    "sub_code_spans",
    "sub_em_star",
    "sub_em_underscore",
    "sub_html",
    "sub_images",
    "sub_links",
    "sub_math",
    "sub_strike",
    "sub_strong",
]

Replace = Callable[[str], str]
"""Takes the span's content (the pattern's content group) and returns what stands in its place."""


def _by_line(text: str, one: Callable[[str], str]) -> str:
    if "\n" not in text:
        return one(text)
    return "\n".join(one(line) for line in text.split("\n"))


def _after(positions: list[int], start: int) -> int:
    """The first position at or after `start`, or -1."""
    index = bisect_left(positions, start)
    return positions[index] if index < len(positions) else -1


# --- code spans ----------------------------------------------------------------------------------

_BACKTICKS = re.compile(r"`+")


def sub_code_spans(text: str, replace: Replace) -> str:
    """`(`+)(.+?)\\1`: a run of k backticks, at least one character, then k backticks again.

    From a start inside a run with L backticks left, the pattern keeps the longest k that can still
    close: k backticks can close either inside the same run (when L - k - 1 >= k) or as the start of a
    later run of at least k. That makes k = min(L, max((L - 1) // 2, longest later run)), and the
    closer the first place where it fits.
    """
    if "`" not in text:
        return text
    return _by_line(text, lambda line: _code_line(line, replace))


def _code_line(line: str, replace: Replace) -> str:
    runs = [(m.start(), m.end() - m.start()) for m in _BACKTICKS.finditer(line)]
    later = [0] * len(runs)
    longest = 0
    for index in range(len(runs) - 1, -1, -1):
        later[index] = longest
        longest = max(longest, runs[index][1])
    out: list[str] = []
    done = 0
    index = 0
    while index < len(runs):
        run_start, run_length = runs[index]
        start = max(run_start, done)
        left = run_start + run_length - start
        width = min(left, max((left - 1) // 2, later[index])) if left > 0 else 0
        if width == 0:
            index += 1
            continue
        if left - width - 1 >= width:
            close = start + width + 1
        else:
            ahead = index + 1
            while runs[ahead][1] < width:
                ahead += 1
            close = runs[ahead][0]
        out.append(line[done:start])
        out.append(replace(line[start + width : close]))
        done = close + width
    out.append(line[done:])
    return "".join(out)


# --- emphasis ------------------------------------------------------------------------------------


def _paired(opener: re.Pattern[str], closer: re.Pattern[str], marks: str) -> Callable[[str, Replace], str]:
    """A replacer for `D(?=\\S)(.+?)(?<=\\S)D` shapes: `opener` and `closer` are zero-width patterns
    that find every position where a delimiter could open or close, with the delimiter in group 1.
    The span is the leftmost opener and the first closer of the same delimiter at least one
    character after it. `marks` are the characters a delimiter is made of."""

    def line_sub(line: str, replace: Replace) -> str:
        opens = [(m.start(), m.group(1)) for m in opener.finditer(line)]
        if not opens:
            return line
        closes: dict[str, list[int]] = {}
        for m in closer.finditer(line):
            closes.setdefault(m.group(1), []).append(m.start())
        out: list[str] = []
        done = 0
        for start, delimiter in opens:
            if start < done:
                continue
            close = _after(closes.get(delimiter, []), start + len(delimiter) + 1)
            if close < 0:
                continue
            out.append(line[done:start])
            out.append(replace(line[start + len(delimiter) : close]))
            done = close + len(delimiter)
        out.append(line[done:])
        return "".join(out)

    def sub(text: str, replace: Replace) -> str:
        if not any(mark in text for mark in marks):
            return text
        return _by_line(text, lambda line: line_sub(line, replace))

    return sub


sub_strong = _paired(re.compile(r"(?=(\*\*|__)\S)"), re.compile(r"(?<=\S)(?=(\*\*|__))"), "*_")
"""`(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1`"""
sub_strike = _paired(re.compile(r"(?=(~~)\S)"), re.compile(r"(?<=\S)(?=(~~))"), "~")
"""`~~(?=\\S)(.+?)(?<=\\S)~~`"""
sub_em_star = _paired(re.compile(r"(?=(\*)\S)"), re.compile(r"(?<=\S)(?=(\*))"), "*")
"""`\\*(?=\\S)(.+?)(?<=\\S)\\*`"""
sub_em_underscore = _paired(re.compile(r"(?<!\w)(?=(_)\S)"), re.compile(r"(?<=\S)(?=(_)(?!\w))"), "_")
"""`(?<![\\w])_(?=\\S)(.+?)(?<=\\S)_(?![\\w])`"""


# --- links, images, autolinks and tags (these may span lines) -----------------------------------


def _positions(text: str, char: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(char), text)]


def _bracketed(text: str, opening: str, replace: Replace, empty: bool) -> str:
    """`OPENING([^\\]]*)\\](?:\\([^)]*\\)|\\[[^\\]]*\\])`, with `+` instead of `*` unless `empty`."""
    if opening not in text or "]" not in text:
        return text
    brackets = _positions(text, "]")
    parens = _positions(text, ")")
    out: list[str] = []
    done = 0
    for m in re.finditer(re.escape(opening), text):
        start = m.start()
        if start < done:
            continue
        label = _after(brackets, m.end())
        if label < 0 or (label == m.end() and not empty):
            continue
        tail = label + 1
        if text.startswith("(", tail):
            end = _after(parens, tail + 1)
        elif text.startswith("[", tail):
            end = _after(brackets, tail + 1)
        else:
            continue
        if end < 0:
            continue
        out.append(text[done:start])
        out.append(replace(text[m.end() : label]))
        done = end + 1
    out.append(text[done:])
    return "".join(out)


def sub_images(text: str, replace: Replace) -> str:
    """`!\\[[^\\]]*\\](?:\\([^)]*\\)|\\[[^\\]]*\\])`, `replace` given the alt text."""
    return _bracketed(text, "![", replace, empty=True)


def sub_links(text: str, replace: Replace) -> str:
    """`\\[([^\\]]+)\\](?:\\([^)]*\\)|\\[[^\\]]*\\])`, `replace` given the link text."""
    return _bracketed(text, "[", replace, empty=False)


_AUTOLINK_OPEN = re.compile(r"<(?:https?|mailto|ftp):")
_AUTOLINK_STOP = re.compile(r"[>\s]")


def sub_autolinks(text: str, replace: Replace) -> str:
    """`<((?:https?|mailto|ftp):[^>\\s]+)>`, `replace` given the address."""
    if "<" not in text:
        return text
    stops: list[int] | None = None
    out: list[str] = []
    done = 0
    for m in _AUTOLINK_OPEN.finditer(text):
        if m.start() < done:
            continue
        if stops is None:
            stops = [stop.start() for stop in _AUTOLINK_STOP.finditer(text)]
        stop = _after(stops, m.end())
        if stop <= m.end() or text[stop] != ">":
            continue
        out.append(text[done : m.start()])
        out.append(replace(text[m.start() + 1 : stop]))
        done = stop + 1
    out.append(text[done:])
    return "".join(out)


_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_COMMENT_END = re.compile(r"(?=-->)")


def sub_html(text: str) -> str:
    """`</?[A-Za-z][A-Za-z0-9-]*(?:\\s[^<>]*)?/?>|<!--.*?-->` removed.

    The tag alternative stops at the next `<` or `>`, so trying it at every `<` stays linear; only a
    comment's end is looked up.
    """
    if "<" not in text:
        return text
    ends: list[int] | None = None
    lines: list[int] | None = None
    out: list[str] = []
    done = 0
    for m in re.finditer("<", text):
        start = m.start()
        if start < done:
            continue
        tag = _TAG.match(text, start)
        if tag is not None:
            end = tag.end()
        elif text.startswith("<!--", start):
            if ends is None or lines is None:
                ends = [end.start() for end in _COMMENT_END.finditer(text)]
                lines = _positions(text, "\n")
            close = _after(ends, start + 4)
            line_end = _after(lines, start + 4)
            if close < 0 or 0 <= line_end < close:
                continue
            end = close + 3
        else:
            continue
        out.append(text[done:start])
        done = end
    out.append(text[done:])
    return "".join(out)


# --- TeX math ------------------------------------------------------------------------------------

MATH = re.compile(r"(?<!\\)\$\$([^\n]+?)\$\$|(?<!\\)\$(?=\S)([^$\n]*)(?<=[^\s\\])\$(?!\d)")
"""TeX math in Markdown (`$1 - 1023$`, `$$f = 2^{e}$$`), delimited as pandoc and GitHub read it: an
opening `$` before a non-space, a closing one after a non-space and not before a digit, so that
"$5 and $10" and "$5-$10" stay sums of money; an escaped `\\$` is a dollar sign. Linear as it
stands: a try from any `$` ends at the next one (or, for `$$`, at the next `$$`)."""


def sub_math(text: str, replace: Replace) -> str:
    """`MATH` replaced: `replace` gets the formula without its delimiters."""
    if "$" not in text:
        return text
    return MATH.sub(lambda m: replace(m.group(1) if m.group(1) is not None else m.group(2)), text)
