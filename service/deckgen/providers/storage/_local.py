"""Artifacts on the local filesystem: the embedded default store.

A disk that is full, read-only or otherwise refuses raises `StorageError` (the pipeline makes it
UNAVAILABLE with reason STORAGE_UNAVAILABLE, and the health check turns readiness off), and a put
that fails leaves nothing behind: no temp file and no folder it created. Messages name the
failure, never the server's paths: they reach callers.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import logging
import mimetypes
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from deckgen.providers.storage._base import (
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StoredObject,
    validate_key,
)

__all__ = ["LocalArtifactStore"]

_MEDIA_TYPES = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".md": "text/markdown",
}
log = logging.getLogger(__name__)

_TEMP_PREFIX = ".tmp-"
_PROBE_BYTES = 64 * 1024


def _media_type(path: Path) -> str:
    return (
        _MEDIA_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


@contextmanager
def _disk_errors() -> Iterator[None]:
    """OSError → StorageError naming the failure (ENOSPC, EROFS…) but not the path."""
    try:
        yield
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise
    except OSError as error:
        code = errno.errorcode.get(error.errno or 0, "")
        reason = os.strerror(error.errno) if error.errno else type(error).__name__
        raise StorageError(f"the local disk refused: {reason}" + (f" ({code})" if code else "")) from error


def _remove_empty_dirs(path: Path, stop: Path) -> None:
    """Remove `path` and its parents while they are empty, up to (not including) `stop`."""
    while path != stop and path.is_relative_to(stop):
        try:
            path.rmdir()
        except OSError:
            return
        path = path.parent


def _leftovers(root: Path, prefix: str, cutoff: float) -> tuple[list[Path], list[Path]]:
    """Temp files, and folders directly under `prefix`, with nothing modified since `cutoff`."""
    temps = [t for t in root.rglob(f"{_TEMP_PREFIX}*") if t.is_file() and t.stat().st_mtime < cutoff]
    base = root / prefix
    folders = [
        folder
        for folder in (sorted(base.iterdir()) if base.is_dir() else [])
        if folder.is_dir() and all(e.stat().st_mtime < cutoff for e in [folder, *folder.rglob("*")])
    ]
    return temps, folders


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
        missing = next((p for p in reversed(path.parents) if not p.exists()), None)
        temp = ""
        try:
            with _disk_errors():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, path)
        except BaseException:
            if temp:
                Path(temp).unlink(missing_ok=True)
            if missing is not None:
                _remove_empty_dirs(path.parent, missing.parent)
            raise
        return StoredObject(key, len(data), hashlib.sha256(data).hexdigest(), media_type or _media_type(path))

    async def put(self, key: str, data: bytes, media_type: str) -> StoredObject:
        return await asyncio.to_thread(self._put_sync, key, data, media_type)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            with _disk_errors():
                return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    async def read(self, key: str, *, offset: int = 0, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            with _disk_errors():
                handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        try:
            with _disk_errors():
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
        with _disk_errors():
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
        with _disk_errors():
            return await asyncio.to_thread(self._list_sync, prefix)

    def _delete_sync(self, prefix: str) -> int:
        objects = self._list_sync(prefix)
        for stored in objects:
            self._path(stored.key).unlink(missing_ok=True)
        base = self._path(prefix.rstrip("/"))
        if base.is_dir():
            # Temp files of interrupted puts and the emptied folders go too: nothing half-made stays.
            for path in sorted(base.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                if path.is_dir():
                    _remove_empty_dirs(path, base)
                elif path.name.startswith(_TEMP_PREFIX):
                    path.unlink(missing_ok=True)
            _remove_empty_dirs(base, self.root)
        return len(objects)

    async def delete_prefix(self, prefix: str) -> int:
        with _disk_errors():
            return await asyncio.to_thread(self._delete_sync, prefix)

    async def url(self, key: str) -> str:
        # Files are served by DownloadArtifact only: a file:// URI would show callers the server's disk.
        self._path(key)
        return ""

    async def sweep(self, prefix: str, max_age: float, orphan: Callable[[str], Awaitable[bool]]) -> int:
        """Remove what interrupted work (a crash, a kill) left behind; return how many entries went.

        `.tmp-*` files anywhere, and each folder directly under `prefix` that `orphan(name)` says
        belongs to nothing known, once nothing in it is younger than `max_age` seconds (so a
        sibling process's running generation is left alone).
        """
        with _disk_errors():
            temps, folders = await asyncio.to_thread(_leftovers, self.root, prefix, time.time() - max_age)
            for temp in temps:
                temp.unlink(missing_ok=True)
            removed = len(temps)
            for folder in folders:
                if await orphan(folder.name):
                    await asyncio.to_thread(shutil.rmtree, folder, True)
                    removed += 1
        if removed:
            log.info("swept %d leftover(s) of interrupted work from the local store", removed)
        return removed

    def _check_sync(self) -> None:
        # Some bytes, not an empty file: a full disk still has inodes for empty files.
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
        try:
            os.write(fd, b"\0" * _PROBE_BYTES)
        finally:
            os.close(fd)
            Path(temp).unlink()

    async def check(self) -> None:
        with _disk_errors():
            await asyncio.get_running_loop().run_in_executor(self._probe, self._check_sync)
