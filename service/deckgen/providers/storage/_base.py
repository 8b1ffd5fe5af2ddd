"""The artifact-store port: atomic puts, ranged reads, listing and deletes under safe keys."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ArtifactStore", "InvalidKey", "ObjectNotFound", "StorageError", "StoredObject", "validate_key"]

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class InvalidKey(ValueError):
    """A key that could escape the store's root or name something the store does not own."""


class StorageError(RuntimeError):
    """The store could not be reached or refused the operation (after its retries)."""


class ObjectNotFound(KeyError):
    """No object is stored under the key."""


def validate_key(key: str) -> str:
    """Accept only relative keys of safe segments: no `..`, no absolute paths, no hidden names."""
    if not key or len(key) > 512:
        raise InvalidKey(f"key must be 1-512 characters: {key!r}")
    segments = key.split("/")
    for segment in segments:
        if not _SEGMENT.match(segment) or segment in (".", ".."):
            raise InvalidKey(f"invalid key segment {segment!r} in {key!r}")
    return key


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    media_type: str


class ArtifactStore(Protocol):
    """Where artifacts live. Implementations: `LocalArtifactStore` (embedded default)."""

    async def put(self, key: str, data: bytes, media_type: str) -> StoredObject:
        """Store `data` under `key` atomically: readers see the old object or the whole new one."""
        ...

    async def get(self, key: str) -> bytes: ...

    def read(self, key: str, *, offset: int = 0, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        """Yield the object's bytes from `offset` in chunks; raise `ObjectNotFound` first if absent."""
        ...

    async def stat(self, key: str) -> StoredObject | None: ...

    async def list(self, prefix: str) -> list[StoredObject]: ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix`; return how many were deleted."""
        ...

    async def url(self, key: str) -> str:
        """Where a caller can fetch the object directly (a signed URL), or "" when only
        DownloadArtifact serves it; never a path on the server."""
        ...

    async def check(self) -> None:
        """Raise if the store cannot be written to (for health checks)."""
        ...
