"""Text that can be written into an Office file: what XML 1.0 allows, within the lengths files allow.

Text a caller sends is checked at the API (`xml_illegal` finds what would be refused); text a
model or a document wrote is cleaned before it is drawn (`clean_deck`), so that a stray control
character never fails a render after the slides were streamed.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from deckgen.domain._deck import Deck

__all__ = ["MAX_PROPERTY_CHARS", "clean_deck", "clean_text", "unquoted", "xml_illegal"]

MAX_PROPERTY_CHARS = 255
"""The longest document property (title, subject, author, keywords) Office files hold."""

# Everything XML 1.0 forbids: C0 controls but tab, newline and carriage return; surrogates; U+FFFE/F.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_T = TypeVar("_T")


def xml_illegal(text: str) -> str | None:
    """The first character of `text` an XML file cannot hold, or None."""
    found = _ILLEGAL.search(text)
    return found.group() if found else None


def clean_text(text: str) -> str:
    return _ILLEGAL.sub("", text)


_MARKS = {"\u201c": "\u201d", '"': '"', "\u2018": "\u2019", "'": "'", "\u00ab": "\u00bb", "\u00bb": "\u00ab",
          "\u201e": "\u201c", "\u300c": "\u300d", "\u300e": "\u300f"}  # fmt: skip


def unquoted(text: str) -> str:
    """`text` without the quotation marks around the whole of it, for a slide that sets its own: a
    quote written “A check proves nothing.” was drawn ““A check proves nothing.””. Marks around a
    part only ("“A” and “B”") stay."""
    stripped = text.strip()
    closing = _MARKS.get(stripped[:1])
    if closing is None or len(stripped) < 3 or not stripped.endswith(closing):
        return text
    inner = stripped[1:-1]
    return text if closing in inner or stripped[0] in inner else inner.strip()


def _clean(value: _T) -> _T:
    # Every deck goes through here on the event loop, and almost none has anything to remove: what
    # is clean is returned as it is (not rebuilt, every dataclass checked again on the way).
    if isinstance(value, str):
        return value if _ILLEGAL.search(value) is None else clean_text(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        items = tuple(_clean(item) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            before = getattr(value, f.name)
            after = _clean(before)
            if after is not before:
                changes[f.name] = after
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _cap(text: str, limit: int = MAX_PROPERTY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    kept: list[str] = []
    for tag in tags:
        if len(", ".join([*kept, tag])) > MAX_PROPERTY_CHARS:
            break
        kept.append(tag)
    return tuple(kept)


def clean_deck(deck: Deck) -> Deck:
    """The deck with every character XML cannot hold removed, and the texts that become document
    properties (title, subtitle, author, tags) cut to the length a file holds."""
    cleaned = _clean(deck)
    return dataclasses.replace(
        cleaned,
        title=_cap(cleaned.title),
        subtitle=_cap(cleaned.subtitle),
        author=_cap(cleaned.author),
        tags=_tags(cleaned.tags),
    )
