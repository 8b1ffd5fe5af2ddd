"""The local artifact store: atomic writes, ranged reads, and keys that cannot escape the root."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from pathlib import Path

import pytest

from deckgen.providers.storage import InvalidKey, LocalArtifactStore, ObjectNotFound, StorageError
from tests.support.disks import fill, read_only, tiny_filesystem


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
    assert await store.url("presentations/p1/deck.json") == ""  # never a server path
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
    with pytest.raises(StorageError, match="local disk refused"):
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


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


async def test_a_full_disk_is_a_storage_error_and_leaves_nothing_behind(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path / "disk") as disk:
        store = LocalArtifactStore(disk)
        await store.put("presentations/old/deck.pptx", b"kept", "")
        filler = fill(disk)
        with pytest.raises(StorageError) as caught:
            await store.put("presentations/new/slides/deck.pptx", os.urandom(256 * 1024), "")
        assert "ENOSPC" in str(caught.value) and str(disk) not in str(caught.value)
        assert _tree(disk) == [
            "filler.bin",
            "presentations",
            "presentations/old",
            "presentations/old/deck.pptx",
        ]
        with pytest.raises(StorageError, match="local disk refused"):
            await store.check()
        filler.unlink()
        await store.check()


async def test_a_read_only_disk_is_a_storage_error_and_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "disk").mkdir()
    with read_only(tmp_path / "disk") as disk:
        store = LocalArtifactStore(disk)
        with pytest.raises(StorageError) as caught:
            await store.put("presentations/p/deck.pptx", b"data", "")
        assert ("EROFS" in str(caught.value) or "EACCES" in str(caught.value)) and str(disk) not in str(
            caught.value
        )
        assert _tree(disk) == []
        with pytest.raises(StorageError, match="local disk refused"):
            await store.check()


async def test_delete_prefix_removes_the_emptied_folders_and_temp_files(store: LocalArtifactStore) -> None:
    await store.put("presentations/p/previews/1.png", b"png", "")
    await store.put("presentations/p/deck.pptx", b"pptx", "")
    await store.put("presentations/q/deck.pptx", b"other", "")
    (store.root / "presentations/p/previews/.tmp-abc").write_bytes(b"half")
    assert await store.delete_prefix("presentations/p") == 2
    assert _tree(store.root) == ["presentations", "presentations/q", "presentations/q/deck.pptx"]


async def test_sweep_removes_leftovers_of_interrupted_work_only(store: LocalArtifactStore) -> None:
    await store.put("presentations/done/deck.pptx", b"x", "")
    await store.put("presentations/orphan/deck.pptx", b"x", "")
    await store.put("presentations/young-orphan/deck.pptx", b"x", "")
    (store.root / "presentations/done/.tmp-1").write_bytes(b"half")
    old = 1_000_000_000.0
    for path in [
        *(store.root / "presentations/done").rglob("*"),
        *(store.root / "presentations/orphan").rglob("*"),
    ]:
        os.utime(path, (old, old))
    for folder in ("done", "orphan"):
        os.utime(store.root / "presentations" / folder, (old, old))

    async def orphan(name: str) -> bool:
        return name != "done"

    assert await store.sweep("presentations", 3600, orphan) == 2
    assert _tree(store.root) == [
        "presentations",
        "presentations/done",
        "presentations/done/deck.pptx",
        "presentations/young-orphan",
        "presentations/young-orphan/deck.pptx",
    ]
