"""The local artifact store: atomic writes, ranged reads, and keys that cannot escape the root."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from pathlib import Path

import pytest

from deckgen.providers.storage import InvalidKey, LocalArtifactStore, ObjectNotFound


@pytest.fixture
def store(tmp_path: Path) -> LocalArtifactStore:
    return LocalArtifactStore(tmp_path / "root")


async def test_put_get_stat_read_list_delete(store: LocalArtifactStore) -> None:
    data = os.urandom(300_000)
    stored = await store.put("presentations/p1/deck.pptx", data, "")
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.media_type.endswith("presentationml.presentation")
    assert await store.get("presentations/p1/deck.pptx") == data
    stat = await store.stat("presentations/p1/deck.pptx")
    assert stat is not None and stat.sha256 == stored.sha256
    chunks = [
        chunk async for chunk in store.read("presentations/p1/deck.pptx", offset=1000, chunk_size=65536)
    ]
    assert max(len(c) for c in chunks) == 65536
    assert b"".join(chunks) == data[1000:]
    await store.put("presentations/p1/deck.json", b"{}", "application/json")
    assert [o.key for o in await store.list("presentations/p1")] == [
        "presentations/p1/deck.json",
        "presentations/p1/deck.pptx",
    ]
    assert (await store.url("presentations/p1/deck.json")).startswith("file://")
    assert await store.delete_prefix("presentations/p1") == 2
    assert await store.stat("presentations/p1/deck.pptx") is None
    with pytest.raises(ObjectNotFound):
        await store.get("presentations/p1/deck.pptx")
    with pytest.raises(ObjectNotFound):
        async for _ in store.read("presentations/p1/deck.pptx"):
            pass


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside",
        "a/../../b",
        "a//b",
        ".hidden",
        "a/.tmp-x",
        "a\\b",
        "a/b/",
        "x" * 600,
        "ü/ber",
    ],
)
async def test_keys_cannot_escape_or_hide(store: LocalArtifactStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        await store.put(key, b"x", "text/plain")


async def test_symlink_inside_the_root_cannot_lead_out(store: LocalArtifactStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "link").symlink_to(outside)
    with pytest.raises(InvalidKey):
        await store.put("link/evil.txt", b"x", "text/plain")
    assert not list(outside.iterdir())


async def test_overwrite_is_atomic_and_leaves_no_temp_files(
    store: LocalArtifactStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.put("p/deck.pptx", b"old", "")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        await store.put("p/deck.pptx", b"new content", "")
    monkeypatch.undo()
    assert await store.get("p/deck.pptx") == b"old"
    assert [p.name for p in (store.root / "p").iterdir()] == ["deck.pptx"]
    await store.check()


async def test_the_health_check_does_not_wait_behind_busy_worker_threads(store: LocalArtifactStore) -> None:
    loop = asyncio.get_running_loop()
    threads = min(32, (os.cpu_count() or 1) + 4)
    release = threading.Event()
    busy = [loop.run_in_executor(None, release.wait, 60) for _ in range(threads * 2)]
    try:
        await asyncio.wait_for(store.check(), 10)
    finally:
        release.set()
        await asyncio.gather(*busy)
