"""An artifact store that times and traces every operation of the store it wraps."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from deckgen.observability._metrics import STORAGE_DURATION
from deckgen.providers.storage import ArtifactStore, StoredObject

__all__ = ["InstrumentedStore"]

_tracer = trace.get_tracer("deckgen.storage")


class InstrumentedStore:
    def __init__(self, inner: ArtifactStore, backend: str) -> None:
        self._inner = inner
        self._backend = backend

    async def _timed(self, operation: str, key: str, call: Any) -> Any:
        started = time.perf_counter()
        with _tracer.start_as_current_span(
            f"storage.{operation}",
            attributes={"deckgen.storage.backend": self._backend, "deckgen.storage.key": key},
        ) as span:
            try:
                result = await call
            except Exception as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                STORAGE_DURATION.labels(operation, "error").observe(time.perf_counter() - started)
                raise
            STORAGE_DURATION.labels(operation, "ok").observe(time.perf_counter() - started)
            return result

    async def put(self, key: str, data: bytes, media_type: str) -> StoredObject:
        result: StoredObject = await self._timed("put", key, self._inner.put(key, data, media_type))
        return result

    async def get(self, key: str) -> bytes:
        result: bytes = await self._timed("get", key, self._inner.get(key))
        return result

    def read(self, key: str, *, offset: int = 0, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        # Streamed downloads are measured by the RPC that carries them.
        return self._inner.read(key, offset=offset, chunk_size=chunk_size)

    async def url(self, key: str) -> str:
        result: str = await self._timed("url", key, self._inner.url(key))
        return result

    async def delete_prefix(self, prefix: str) -> int:
        result: int = await self._timed("delete", prefix, self._inner.delete_prefix(prefix))
        return result

    async def stat(self, key: str) -> StoredObject | None:
        result: StoredObject | None = await self._timed("stat", key, self._inner.stat(key))
        return result

    async def list(self, prefix: str) -> list[StoredObject]:
        result: list[StoredObject] = await self._timed("list", prefix, self._inner.list(prefix))
        return result

    async def check(self) -> None:
        await self._timed("check", "", self._inner.check())
