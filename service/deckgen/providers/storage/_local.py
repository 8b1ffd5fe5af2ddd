"""Artifacts on the local filesystem: the embedded default store."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deckgen.providers.storage._base import InvalidKey, ObjectNotFound, StoredObject, validate_key

__all__ = ["LocalArtifactStore"]

_MEDIA_TYPES = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".md": "text/markdown",
}
_TEMP_PREFIX = ".tmp-"
_PROBE_BYTES = 64 * 1024


def _media_type(path: Path) -> str:
    return (
        _MEDIA_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


class LocalArtifactStore:
    """Objects are files under `root`; a put writes a hidden temp file, fsyncs it and renames it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        # Health checks get a thread of their own: in the shared pool they would wait behind
        # renders and uploads, and a busy server would look like a broken disk.
        self._probe = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deckgen-store-probe")

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        # validate_key already forbids `..`; resolving catches symlinks planted inside the root.
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidKey(f"key escapes the store: {key!r}")
        return path

    def _put_sync(self, key: str, data: bytes, media_type: str) -> StoredObject:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return StoredObject(key, len(data), hashlib.sha256(data).hexdigest(), media_type or _media_type(path))

    async def put(self, key: str, data: bytes, media_type: str) -> StoredObject:
        return await asyncio.to_thread(self._put_sync, key, data, media_type)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    async def read(self, key: str, *, offset: int = 0, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(key) from None
        try:
            handle.seek(offset)
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            handle.close()

    def _stat_sync(self, key: str) -> StoredObject | None:
        path = self._path(key)
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
        return StoredObject(key, path.stat().st_size, digest.hexdigest(), _media_type(path))

    async def stat(self, key: str) -> StoredObject | None:
        return await asyncio.to_thread(self._stat_sync, key)

    def _list_sync(self, prefix: str) -> list[StoredObject]:
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return []
        found = []
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith(_TEMP_PREFIX):
                key = path.relative_to(self.root).as_posix()
                found.append(StoredObject(key, path.stat().st_size, "", _media_type(path)))
        return found

    async def list(self, prefix: str) -> list[StoredObject]:
        return await asyncio.to_thread(self._list_sync, prefix)

    def _delete_sync(self, prefix: str) -> int:
        objects = self._list_sync(prefix)
        for stored in objects:
            self._path(stored.key).unlink(missing_ok=True)
        return len(objects)

    async def delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._delete_sync, prefix)

    async def url(self, key: str) -> str:
        return self._path(key).as_uri()

    def _check_sync(self) -> None:
        # Some bytes, not an empty file: a full disk still has inodes for empty files.
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
        try:
            os.write(fd, b"\0" * _PROBE_BYTES)
        finally:
            os.close(fd)
            Path(temp).unlink()

    async def check(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._probe, self._check_sync)
