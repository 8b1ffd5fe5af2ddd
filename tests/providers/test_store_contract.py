"""One contract for every artifact store, then what only the Supabase store has to get right.

The Supabase store runs against `FakeSupabaseServer`, a real HTTP server, so the storage3 client's
routes, headers and error shapes are exercised exactly as they would be against Supabase.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from storage3 import AsyncStorageClient

from deckgen.providers._retry import RetryPolicy
from deckgen.providers.storage import (
    ArtifactStore,
    InvalidKey,
    LocalArtifactStore,
    ObjectNotFound,
    SupabaseArtifactStore,
    SupabaseStorageError,
)
from tests.support.fake_supabase import FakeSupabaseServer, Fault

SECRET = "service-role-test-key-7f3a"
BUCKET = "artifacts"
DECK = "presentations/p1/deck.pptx"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
UPLOADS = f"/object/{BUCKET}/"
# Three tries with millisecond backoff: the retry paths run without slowing the suite.
FAST_RETRY = RetryPolicy(3, base_delay=0.01, max_delay=0.02)


def supabase_store(server: FakeSupabaseServer, key: str = SECRET, **options: float) -> SupabaseArtifactStore:
    timeout = options.pop("timeout", 5.0)
    expiry = int(options.pop("signed_url_expiry", 3600))
    return SupabaseArtifactStore(
        server.url, key, BUCKET, signed_url_expiry=expiry, retry=FAST_RETRY, timeout=timeout
    )


@pytest.fixture
def fake() -> Iterator[FakeSupabaseServer]:
    with FakeSupabaseServer(key=SECRET) as server:
        yield server
        assert not server.errors


@pytest.fixture
async def supabase(fake: FakeSupabaseServer) -> AsyncIterator[SupabaseArtifactStore]:
    async with supabase_store(fake) as store:
        yield store


@pytest.fixture(params=["local", "supabase"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ArtifactStore]:
    if request.param == "local":
        yield LocalArtifactStore(tmp_path / "root")
        return
    with FakeSupabaseServer(key=SECRET) as server:
        async with supabase_store(server) as store:
            yield store
        assert not server.errors


async def fetch(url: str) -> bytes:
    """What a client handed the URL gets, with no credentials of its own."""
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.content


# -- the contract ------------------------------------------------------------------------------------------


async def test_put_then_get_round_trips_with_digest_size_and_media_type(store: ArtifactStore) -> None:
    data = os.urandom(300_000)
    stored = await store.put(DECK, data, "")
    assert (stored.key, stored.size, stored.sha256) == (DECK, len(data), hashlib.sha256(data).hexdigest())
    assert stored.media_type == PPTX
    explicit = await store.put("presentations/p1/deck.json", b"{}", "application/json")
    assert explicit.media_type == "application/json"
    assert await store.get(DECK) == data
    assert await store.stat(DECK) == stored


async def test_read_streams_from_an_offset_in_chunks(store: ArtifactStore) -> None:
    data = os.urandom(200_001)
    await store.put(DECK, data, "")
    chunks = [chunk async for chunk in store.read(DECK, offset=1000, chunk_size=65536)]
    assert [len(chunk) for chunk in chunks[:-1]] == [65536] * (len(chunks) - 1)
    assert b"".join(chunks) == data[1000:]
    assert [chunk async for chunk in store.read(DECK, offset=len(data))] == []


async def test_a_put_replaces_the_previous_object(store: ArtifactStore) -> None:
    await store.put(DECK, b"old deck", "")
    replaced = await store.put(DECK, b"the new, longer deck", "")
    assert await store.get(DECK) == b"the new, longer deck"
    assert await store.stat(DECK) == replaced
    assert [(o.key, o.size) for o in await store.list("presentations")] == [
        (DECK, len(b"the new, longer deck"))
    ]


async def test_a_missing_object_is_object_not_found(store: ArtifactStore) -> None:
    await store.put("presentations/p1/other.json", b"{}", "")
    with pytest.raises(ObjectNotFound):
        await store.get(DECK)
    with pytest.raises(ObjectNotFound):
        async for _ in store.read(DECK):
            pass
    assert await store.stat(DECK) is None
    assert await store.list("presentations/p2") == []


@pytest.mark.parametrize("key", ["../x", "a/../../b", "/etc/passwd", "", "a//b", ".hidden", "a/b/"])
async def test_invalid_keys_are_refused_before_anything_happens(store: ArtifactStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        await store.put(key, b"x", "text/plain")
    with pytest.raises(InvalidKey):
        await store.get(key)
    with pytest.raises(InvalidKey):
        await store.url(key)


async def test_delete_prefix_removes_that_prefix_only(store: ArtifactStore) -> None:
    for key in ("a/deck.pptx", "a/b/deck.json", "a/b/c/d.png", "ab/deck.pptx", "other/a.md"):
        await store.put(key, key.encode(), "")
    assert [o.key for o in await store.list("a")] == ["a/b/c/d.png", "a/b/deck.json", "a/deck.pptx"]
    assert await store.delete_prefix("a") == 3
    assert await store.list("a") == []
    assert [o.key for o in await store.list("ab")] == ["ab/deck.pptx"]
    assert await store.get("other/a.md") == b"other/a.md"
    assert await store.delete_prefix("a") == 0


async def test_url_can_be_fetched_directly_or_is_empty(store: ArtifactStore) -> None:
    data = os.urandom(5000)
    await store.put(DECK, data, "")
    url = await store.url(DECK)
    if isinstance(store, LocalArtifactStore):
        assert url == ""  # a local file is served by DownloadArtifact; its path is the server's business
        return
    assert url.startswith("https://") or url.startswith("http://")
    assert await fetch(url) == data


async def test_check_passes_on_a_writable_store(store: ArtifactStore) -> None:
    await store.check()


# -- Supabase only ------------------------------------------------------------------------------------------


async def test_the_bucket_is_created_private_when_missing(fake: FakeSupabaseServer) -> None:
    assert fake.bucket_info(BUCKET) is None
    async with supabase_store(fake) as store:
        await store.put(DECK, b"deck", "")
        await store.put(DECK, b"deck", "")
    info = fake.bucket_info(BUCKET)
    assert info is not None and info["public"] is False
    assert [(r.method, r.route) for r in fake.requests if r.route.startswith("/bucket")] == [
        ("GET", f"/bucket/{BUCKET}"),
        ("POST", "/bucket"),
    ]
    async with supabase_store(fake) as again:
        await again.put(DECK, b"deck", "")
    assert sum(r.method == "POST" and r.route == "/bucket" for r in fake.requests) == 1


async def test_uploads_carry_content_type_and_upsert(
    fake: FakeSupabaseServer, supabase: SupabaseArtifactStore
) -> None:
    await supabase.put(DECK, b"deck", "")
    await supabase.put("presentations/p1/notes.md", b"# notes", "text/markdown")
    stored = fake.objects(BUCKET)
    assert stored[DECK].content_type == PPTX
    assert stored["presentations/p1/notes.md"].content_type == "text/markdown"
    uploads = [r for r in fake.requests if r.method == "POST" and r.route.startswith(UPLOADS)]
    assert [r.headers.get("x-upsert") for r in uploads] == ["true", "true"]


async def test_every_request_carries_the_key_and_the_key_is_never_shown(
    fake: FakeSupabaseServer, supabase: SupabaseArtifactStore
) -> None:
    await supabase.put(DECK, b"deck", "")
    await supabase.get(DECK)
    await supabase.stat(DECK)
    await supabase.url(DECK)
    await supabase.delete_prefix("presentations")
    await supabase.check()
    assert len(fake.requests) >= 8
    for record in fake.requests:
        assert record.headers.get("apikey") == SECRET, record
        assert record.headers.get("authorization") == f"Bearer {SECRET}", record
    assert SECRET not in repr(supabase)
    assert SECRET not in supabase.project_url


@pytest.mark.parametrize("key", ["wrong-key", ""])
async def test_a_wrong_key_fails_clearly_and_at_once(fake: FakeSupabaseServer, key: str) -> None:
    if not key:
        with pytest.raises(ValueError, match="key is required"):
            supabase_store(fake, key)
        return
    async with supabase_store(fake, key) as store:
        with pytest.raises(SupabaseStorageError, match="401") as raised:
            await store.put(DECK, b"deck", "")
    assert raised.value.status == 401
    assert key not in str(raised.value) and SECRET not in str(raised.value)
    assert len(fake.requests) == 1, "a refused key is not worth retrying"
    assert fake.objects(BUCKET) == {}


async def test_a_bearer_token_that_does_not_match_is_refused(fake: FakeSupabaseServer) -> None:
    # The right apikey but another JWT: Storage checks the JWT itself, past the gateway.
    headers = {"apikey": SECRET, "Authorization": "Bearer someone-else"}
    async with httpx.AsyncClient() as http:
        client = AsyncStorageClient(f"{fake.storage_url}/", headers, http_client=http)
        store = SupabaseArtifactStore(fake.url, SECRET, BUCKET, client=client, retry=FAST_RETRY)
        with pytest.raises(SupabaseStorageError, match="403") as raised:
            await store.put(DECK, b"deck", "")
        await store.aclose()
        assert not http.is_closed, "a client passed in belongs to the caller"
    assert raised.value.status == 403
    assert len(fake.requests) == 1


async def test_a_bucket_deleted_under_the_store_is_reported_then_recreated(
    fake: FakeSupabaseServer, supabase: SupabaseArtifactStore
) -> None:
    await supabase.put(DECK, b"deck", "")
    fake.reset()
    with pytest.raises(SupabaseStorageError, match="404"):
        await supabase.put(DECK, b"deck", "")
    await supabase.put(DECK, b"deck", "")
    assert fake.objects(BUCKET)[DECK].data == b"deck"


@pytest.mark.parametrize(
    "fault",
    [
        Fault("status", 503, method="POST", path_prefix=UPLOADS),
        Fault("status", 500, method="POST", path_prefix=UPLOADS),
        Fault("status", 429, method="POST", path_prefix=UPLOADS),
        Fault("drop", method="POST", path_prefix=UPLOADS),
        # The object is stored but the answer is lost: the retry must upsert, not fail as a duplicate.
        Fault("drop_after", method="POST", path_prefix=UPLOADS),
        Fault("hang", method="POST", path_prefix=UPLOADS, hang_for=2.0),
    ],
    ids=lambda fault: f"{fault.kind}-{fault.status}",
)
async def test_a_transient_upload_failure_is_retried(fake: FakeSupabaseServer, fault: Fault) -> None:
    fake.fail_next(1, fault)
    data = os.urandom(10_000)
    async with supabase_store(fake, timeout=0.3) as store:
        stored = await store.put(DECK, data, "")
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        assert await store.get(DECK) == data
    uploads = [r for r in fake.requests if r.method == "POST" and r.route.startswith(UPLOADS)]
    assert [r.fault for r in uploads] == [fault.kind, None]


async def test_transient_failures_are_retried_on_reads_lists_and_deletes(
    fake: FakeSupabaseServer, supabase: SupabaseArtifactStore
) -> None:
    await supabase.put(DECK, b"deck", "")
    fake.fail_next(1, Fault("status", 503, method="GET", path_prefix=UPLOADS))
    fake.fail_next(1, Fault("drop", path_prefix="/object/list/"))
    fake.fail_next(1, Fault("status", 502, method="DELETE"))
    assert await supabase.get(DECK) == b"deck"
    assert await supabase.delete_prefix("presentations") == 1
    assert fake.objects(BUCKET) == {}
    assert sum(r.fault is not None for r in fake.requests) == 3


async def test_a_persistent_outage_fails_the_put_and_stores_nothing(
    fake: FakeSupabaseServer, supabase: SupabaseArtifactStore
) -> None:
    await supabase.put("presentations/p0/deck.pptx", b"earlier", "")
    fake.fail_next(None, Fault("status", 503, method="POST", path_prefix=UPLOADS))
    with pytest.raises(
        SupabaseStorageError, match=r"put of artifacts/presentations/p1/deck\.pptx .*3 tries.*503"
    ):
        await supabase.put(DECK, b"deck", "")
    fake.clear_faults()
    assert [o.key for o in await supabase.list("presentations")] == ["presentations/p0/deck.pptx"]
    with pytest.raises(ObjectNotFound):
        await supabase.get(DECK)
    uploads = [r for r in fake.requests if r.method == "POST" and r.route == f"{UPLOADS}{DECK}"]
    assert len(uploads) == 3


async def test_a_server_that_never_answers_times_out_with_a_clear_error(fake: FakeSupabaseServer) -> None:
    async with supabase_store(fake, timeout=0.2) as store:
        await store.put("presentations/p0/deck.pptx", b"earlier", "")
        fake.fail_next(None, Fault("hang", path_prefix=UPLOADS, hang_for=5.0))
        with pytest.raises(SupabaseStorageError, match=r"3 tries.*Timeout"):
            await store.put(DECK, b"deck", "")
    assert DECK not in fake.objects(BUCKET)


async def test_signed_urls_carry_the_configured_expiry_and_expire(fake: FakeSupabaseServer) -> None:
    async with supabase_store(fake, signed_url_expiry=60) as store:
        await store.put(DECK, b"deck", "")
        url = await store.url(DECK)
    assert url.startswith(f"{fake.storage_url}/object/sign/{BUCKET}/{DECK}?token=")
    sign = next(r for r in fake.requests if r.method == "POST" and r.route.startswith("/object/sign/"))
    assert sign.body_size > 0
    assert await fetch(url) == b"deck"
    fake.advance_clock(50)  # well inside the minute, even on a loaded machine
    assert await fetch(url) == b"deck"
    fake.advance_clock(15)
    async with httpx.AsyncClient() as client:
        expired = await client.get(url)
        forged = await client.get(url.replace(DECK, "presentations/p1/other.pptx"))
    assert expired.status_code == 400 and "exp" in json.loads(expired.content)["message"]
    assert forged.status_code == 400


async def test_a_url_for_a_missing_object_is_object_not_found(supabase: SupabaseArtifactStore) -> None:
    with pytest.raises(ObjectNotFound):
        await supabase.url(DECK)
