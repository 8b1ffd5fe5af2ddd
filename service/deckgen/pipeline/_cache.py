"""Reuse the content (outline and slides) of identical requests."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from deckgen.domain import GenerationSpec, Outline, Slide, Usage
from deckgen.domain._codec import to_jsonable

__all__ = ["CachedContent", "ContentCache", "MemoryContentCache", "content_key"]


@dataclass(frozen=True, slots=True)
class CachedContent:
    outline: Outline
    slides: tuple[Slide, ...]
    usage: Usage


class ContentCache(Protocol):
    """Where generated content is kept for reuse; a shared cache implements the same two calls."""

    async def get(self, key: str) -> CachedContent | None: ...

    async def put(self, key: str, content: CachedContent) -> None: ...


def content_key(spec: GenerationSpec, engine: str) -> str:
    """Fingerprint of everything that shapes the content; theme, formats and request id do not."""
    material = to_jsonable(spec)
    # Look (theme, brand, template) and file formats do not change what the slides say.
    for unrelated in (
        "request_id",
        "theme",
        "output_formats",
        "image_mode",
        "type",
        "brand",
        "logo",
        "template",
    ):
        material.pop(unrelated, None)
    material["topic"] = " ".join(spec.topic.split()).casefold()
    material["tone"] = " ".join(spec.tone.split()).casefold()
    material["engine"] = engine
    encoded = json.dumps(material, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


class MemoryContentCache:
    """A bounded LRU in this process."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[str, CachedContent] = OrderedDict()
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    async def get(self, key: str) -> CachedContent | None:
        content = self._entries.get(key)
        if content is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return content

    async def put(self, key: str, content: CachedContent) -> None:
        self._entries[key] = content
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
