"""Artifacts in a private Supabase Storage bucket, through the `storage3` async client."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from storage3 import AsyncStorageClient
from storage3.exceptions import StorageApiError
from storage3.types import ListBucketFilesOptions

from deckgen.providers._retry import RetryPolicy, retry_after_seconds
from deckgen.providers.storage._base import ObjectNotFound, StorageError, StoredObject, validate_key
from deckgen.providers.storage._local import _media_type

__all__ = ["SupabaseArtifactStore", "SupabaseStorageError"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

_PAGE = 1000
# Storage caps how many names one remove call may carry.
_REMOVE_BATCH = 1000
# Not a valid key (segments start alphanumeric), so a health probe never collides with an artifact.
_PROBE_FOLDER = "_health"


class _BucketMissing(Exception):
    pass


class SupabaseStorageError(StorageError):
    """Supabase Storage refused a request, or stayed unreachable for every try."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _http_response(error: BaseException) -> httpx.Response | None:
    """The HTTP response behind a storage3 error: storage3 chains it as a cause or a context."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, httpx.HTTPStatusError):
            return seen.response
        seen = seen.__cause__ or seen.__context__
    return None


def _statuses(error: StorageApiError) -> set[int]:
    """Both the HTTP status and the body's `statusCode`: Storage sends most errors as HTTP 400
    with the meaningful status (e.g. "404") only in the body."""
    found = set()
    with_body = str(error.status)
    if with_body.isdigit():
        found.add(int(with_body))
    if (response := _http_response(error)) is not None:
        found.add(response.status_code)
    return found


def _status(error: StorageApiError) -> int | None:
    """The status Storage meant: the body's when it sent one, else the HTTP status."""
    with_body = str(error.status)
    if with_body.isdigit():
        return int(with_body)
    response = _http_response(error)
    return response.status_code if response is not None else None


def _is_transient(error: Exception) -> bool:
    if isinstance(error, httpx.TransportError):
        return True
    return isinstance(error, StorageApiError) and any(s == 429 or s >= 500 for s in _statuses(error))


def _is_not_found(error: StorageApiError) -> bool:
    return 404 in _statuses(error)


def _describe(error: Exception) -> str:
    if isinstance(error, StorageApiError):
        statuses = "/".join(str(status) for status in sorted(_statuses(error)))
        return f"HTTP {statuses} {error.code}: {error.message}"
    return f"{type(error).__name__}: {error}"


class SupabaseArtifactStore:
    """Objects are files in a private bucket, created on first use if it does not exist.

    `url` is the project URL (https://<ref>.supabase.co) and `key` a service-role key. Every call is
    retried on connection errors, 429 and 5xx; uploads upsert, so retrying one whose answer was lost
    is harmless. A put returns only once Storage has confirmed the whole object.
    """

    def __init__(
        self,
        url: str,
        key: str,
        bucket: str,
        signed_url_expiry: int = 3600,
        client: AsyncStorageClient | None = None,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"Supabase URL must be http(s): {url!r}")
        if not key:
            raise ValueError("Supabase key is required")
        if signed_url_expiry < 1:
            raise ValueError("signed_url_expiry must be at least one second")
        self.project_url = url.rstrip("/")
        self.bucket = bucket
        self.signed_url_expiry = signed_url_expiry
        self._retry = retry or RetryPolicy()
        self._http: httpx.AsyncClient | None = None
        if client is None:
            # Our own HTTP client rather than storage3's default: HTTP/1.1 and a timeout we choose.
            headers = {"apikey": key, "Authorization": f"Bearer {key}"}
            self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=True)
            # The trailing slash matters: without it storage3 warns and yarl drops the last segment.
            client = AsyncStorageClient(f"{self.project_url}/storage/v1/", headers, http_client=self._http)
        self._storage = client
        self._bucket_ready = False
        self._bucket_lock = asyncio.Lock()

    def __repr__(self) -> str:
        # Spelled out so the key can never reach a log line through a repr.
        return f"SupabaseArtifactStore(url={self.project_url!r}, bucket={self.bucket!r})"

    async def aclose(self) -> None:
        """Close the HTTP client this store created (a client passed in belongs to the caller)."""
        if self._http is not None:
            await self._http.aclose()

    async def __aenter__(self) -> SupabaseArtifactStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- plumbing ----------------------------------------------------------------------------------------

    async def _call(
        self,
        operation: str,
        key: str,
        call: Callable[[], Awaitable[_T]],
        *,
        on_missing: Callable[[], Exception] | None = None,
    ) -> _T:
        """Run `call`, retrying transient failures. A 404 raises `on_missing()` when given; any other
        final failure becomes a SupabaseStorageError naming the operation and the object."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await call()
            except (httpx.TransportError, StorageApiError) as error:
                if isinstance(error, StorageApiError) and _is_not_found(error):
                    if on_missing is not None:
                        raise on_missing() from error
                    # Only a vanished bucket makes these 404: look for it again on the next call.
                    self._bucket_ready = False
                response = _http_response(error)
                retry_after = retry_after_seconds(response.headers) if response is not None else None
                delay = self._retry.delay(attempt, retry_after) if _is_transient(error) else None
                if delay is None:
                    tries = f" after {attempt} tries" if attempt > 1 else ""
                    raise SupabaseStorageError(
                        f"Supabase Storage {operation} of {self.bucket}/{key} failed{tries}: "
                        f"{_describe(error)}",
                        status=_status(error) if isinstance(error, StorageApiError) else None,
                    ) from error
                logger.warning(
                    "Supabase Storage %s of %s/%s failed (%s); retry %d in %.2fs",
                    operation,
                    self.bucket,
                    key,
                    _describe(error),
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        async with self._bucket_lock:
            if self._bucket_ready:
                return
            try:
                await self._call(
                    "get bucket", "", lambda: self._storage.get_bucket(self.bucket), on_missing=_BucketMissing
                )
            except _BucketMissing:
                try:
                    await self._call(
                        "create bucket",
                        "",
                        lambda: self._storage.create_bucket(self.bucket, options={"public": False}),
                    )
                except SupabaseStorageError as error:
                    # Another process created it between our get and our create.
                    if error.status != 409:
                        raise
                logger.info("created private Supabase Storage bucket %s", self.bucket)
            self._bucket_ready = True

    # -- the ArtifactStore port --------------------------------------------------------------------------

    async def put(self, key: str, data: bytes, media_type: str) -> StoredObject:
        validate_key(key)
        media_type = media_type or _media_type(Path(key))
        await self._ensure_bucket()
        files = self._storage.from_(self.bucket)
        response = await self._call(
            "put",
            key,
            lambda: files.upload(key, data, {"content-type": media_type, "upsert": "true"}),
        )
        if response.full_path != f"{self.bucket}/{key}":
            raise SupabaseStorageError(
                f"Supabase Storage confirmed {response.full_path!r} for a put of {self.bucket}/{key}"
            )
        return StoredObject(key, len(data), hashlib.sha256(data).hexdigest(), media_type)

    async def get(self, key: str) -> bytes:
        validate_key(key)
        await self._ensure_bucket()
        files = self._storage.from_(self.bucket)
        return await self._call(
            "get", key, lambda: files.download(key), on_missing=lambda: ObjectNotFound(key)
        )

    async def read(self, key: str, *, offset: int = 0, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        # Artifacts are small enough to fetch whole; slicing keeps read() one request per object.
        data = await self.get(key)
        for start in range(offset, len(data), chunk_size):
            yield data[start : start + chunk_size]

    async def stat(self, key: str) -> StoredObject | None:
        try:
            data = await self.get(key)
        except ObjectNotFound:
            return None
        path = Path(key)
        entry = next(
            (
                found
                for found in await self._list_folder(str(path.parent), search=path.name)
                if found["name"] == path.name
            ),
            None,
        )
        metadata = entry.get("metadata") if entry else None
        stored_type = metadata.get("mimetype") if isinstance(metadata, dict) else None
        media_type = stored_type if isinstance(stored_type, str) else _media_type(path)
        return StoredObject(key, len(data), hashlib.sha256(data).hexdigest(), media_type)

    async def _list_folder(self, folder: str, *, search: str = "") -> list[dict[str, Any]]:
        """Every entry directly in `folder`: files, and sub-folders (entries without an id)."""
        files = self._storage.from_(self.bucket)
        prefix = "" if folder in ("", ".") else f"{folder}/"
        entries: list[dict[str, Any]] = []
        while True:
            options: ListBucketFilesOptions = {"limit": _PAGE, "offset": len(entries), "search": search}
            page = await self._call("list", prefix, functools.partial(files.list, prefix, options))
            entries.extend(page)
            if len(page) < _PAGE:
                return entries

    async def list(self, prefix: str) -> list[StoredObject]:
        folder = validate_key(prefix.rstrip("/"))
        await self._ensure_bucket()
        found: list[StoredObject] = []
        pending = [folder]
        while pending:
            current = pending.pop()
            for entry in await self._list_folder(current):
                name = entry.get("name")
                if not isinstance(name, str) or name.startswith("."):
                    # Dashboard-made folders hold a `.emptyFolderPlaceholder`; no key can name it.
                    continue
                if entry.get("id") is None:
                    pending.append(f"{current}/{name}")
                    continue
                metadata = entry.get("metadata") or {}
                size = metadata.get("size")
                stored_type = metadata.get("mimetype")
                key = f"{current}/{name}"
                found.append(
                    StoredObject(
                        key,
                        size if isinstance(size, int) else 0,
                        "",
                        stored_type if isinstance(stored_type, str) else _media_type(Path(key)),
                    )
                )
        return sorted(found, key=lambda stored: stored.key)

    async def delete_prefix(self, prefix: str) -> int:
        objects = await self.list(prefix)
        files = self._storage.from_(self.bucket)
        keys = [stored.key for stored in objects]
        for start in range(0, len(keys), _REMOVE_BATCH):
            batch = keys[start : start + _REMOVE_BATCH]
            await self._call("delete", prefix, functools.partial(files.remove, batch))
        return len(objects)

    async def url(self, key: str) -> str:
        validate_key(key)
        await self._ensure_bucket()
        files = self._storage.from_(self.bucket)
        signed = await self._call(
            "sign",
            key,
            lambda: files.create_signed_url(key, self.signed_url_expiry),
            on_missing=lambda: ObjectNotFound(key),
        )
        location = signed["signedURL"]
        if not location:
            raise SupabaseStorageError(f"Supabase Storage returned no signed URL for {self.bucket}/{key}")
        return location

    async def check(self) -> None:
        """Write and delete a probe object: reading the bucket alone would not catch a read-only key."""
        await self._ensure_bucket()
        files = self._storage.from_(self.bucket)
        probe = f"{_PROBE_FOLDER}/probe-{uuid.uuid4().hex}"
        await self._call("check", probe, lambda: files.upload(probe, b"", {"upsert": "true"}))
        await self._call("check", probe, lambda: files.remove([probe]))
