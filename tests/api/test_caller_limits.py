"""Limits per caller through a real server: budgets by kind of call, per principal, per address."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import grpc
import pytest
import redis.asyncio as redis

from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import API_KEY, llm, llm_settings  # noqa: F401  (llm is a fixture)
from tests.support.engines import SlowEngine
from tests.support.fake_llm import FakeLLMServer
from tests.support.identity import Metadata, api_key_caller
from tests.support.redis import REDIS_URL, isolated_prefix
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import failure_of

MD = "text/markdown"
ALICE = api_key_caller("alice")
BOB = api_key_caller("bob")
KEYS = {"AUTH_MODE": "api_key", "API_KEYS": f"{ALICE.entry}\n{BOB.entry}"}


def _source(examples: Path) -> spb.SourceDocument:
    return spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )


async def _themes(server: RunningServer, metadata: Metadata = ()) -> None:
    await server.stub.ListThemes(spb.ListThemesRequest(), metadata=metadata)


async def test_each_principal_has_its_own_budget_and_it_refills(tmp_path: Path) -> None:
    settings = server_settings(
        tmp_path / "a",
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_READS_BURST="3",
        RATE_LIMIT_READS_PER_MINUTE="600",
        **KEYS,
    )
    async with running_server(settings) as server:
        for _ in range(3):
            await _themes(server, ALICE.metadata)
        error = await failure_of(_themes(server, ALICE.metadata))
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED and error.reason == "RATE_LIMITED"
        assert error.quota_subjects == ["rate_limit.reads"]
        assert error.retry_after is not None and 0 < error.retry_after <= 0.2
        # Bob is not Alice: his budget is untouched.
        for _ in range(3):
            await _themes(server, BOB.metadata)
        await asyncio.sleep(error.retry_after + 0.05)
        await _themes(server, ALICE.metadata)


async def test_downloads_and_reads_do_not_use_up_the_calls_budget(tmp_path: Path, examples: Path) -> None:
    # The client README's loop: one generation, then every artifact downloaded, more than a burst.
    settings = server_settings(
        tmp_path / "a", RATE_LIMIT_ENABLED="true", RATE_LIMIT_BURST="2", RATE_LIMIT_PER_MINUTE="1"
    )
    async with running_server(settings) as server:
        request = spb.GeneratePresentationRequest(sources=[_source(examples)], slide_count=4)
        events = [e async for e in server.stub.GeneratePresentation(request)]
        artifact = events[-1].completed.presentation.artifacts[0].name
        for _ in range(25):
            download = server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=artifact))
            assert [chunk async for chunk in download]
            await server.stub.GetPresentation(spb.GetPresentationRequest(name=events[0].presentation))
        # The calls budget is still there for one more generation, then it is spent.
        assert [e async for e in server.stub.GeneratePresentation(request)][-1].HasField("completed")
        error = await failure_of(server.stub.GeneratePresentation(request))
        assert error.quota_subjects == ["rate_limit.calls"]
        assert error.retry_after is not None and error.retry_after > 1


async def test_concurrent_generations_are_limited_per_principal(tmp_path: Path, examples: Path) -> None:
    settings = server_settings(
        tmp_path / "a", RATE_LIMIT_ENABLED="true", MAX_GENERATIONS_PER_CALLER="1", **KEYS
    )
    request = spb.GeneratePresentationRequest(sources=[_source(examples)], slide_count=5)
    async with running_server(settings, SlowEngine(0.2)) as server:
        first = server.stub.GeneratePresentation(request, metadata=ALICE.metadata)
        assert (await first.read()).HasField("accepted")
        error = await failure_of(server.stub.GeneratePresentation(request, metadata=ALICE.metadata))
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.quota_subjects == ["concurrent_generations_per_caller"]
        assert error.retry_after is not None and error.retry_after > 0
        # Bob may still generate while Alice's runs.
        bobs = [e async for e in server.stub.GeneratePresentation(request, metadata=BOB.metadata)]
        assert bobs[-1].HasField("completed")
        while (event := await first.read()) is not grpc.aio.EOF:
            last = event
        assert last.HasField("completed")
        # Alice's slot came back when her generation ended.
        again = [e async for e in server.stub.GeneratePresentation(request, metadata=ALICE.metadata)]
        assert again[-1].HasField("completed")


async def test_model_tokens_per_day(tmp_path: Path, llm: FakeLLMServer) -> None:  # noqa: F811
    settings = server_settings(
        tmp_path / "a", MODEL_TOKENS_PER_DAY="1", **llm_settings(tmp_path, llm), **KEYS
    )
    request = spb.GeneratePresentationRequest(topic="Tide pools", slide_count=4)
    async with running_server(settings) as server:
        events = [e async for e in server.stub.GeneratePresentation(request, metadata=ALICE.metadata)]
        usage = events[-1].completed.presentation.usage
        assert usage.prompt_tokens + usage.completion_tokens > 1
        error = await failure_of(server.stub.GeneratePresentation(request, metadata=ALICE.metadata))
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED and error.reason == "TOKEN_QUOTA_EXHAUSTED"
        assert error.quota_subjects == ["model_tokens_per_day"]
        assert error.retry_after is not None and 0 < error.retry_after <= 86_400
        name = events[-1].completed.presentation.name
        regenerate = server.stub.RegenerateSlide(
            spb.RegenerateSlideRequest(presentation=name, slide_index=1, instruction="shorter"),
            metadata=ALICE.metadata,
        )
        assert (await failure_of(regenerate)).reason == "TOKEN_QUOTA_EXHAUSTED"
        # Bob's day has just begun.
        bobs = [e async for e in server.stub.GeneratePresentation(request, metadata=BOB.metadata)]
        assert bobs[-1].HasField("completed")


def _forwarded(client: str) -> Metadata:
    return (("x-forwarded-for", f"{client}, 127.0.0.9"),)


async def test_a_spoofed_forwarded_header_is_ignored(tmp_path: Path) -> None:
    # AUTH_MODE=none: every caller is anonymous, so the budget follows the client address.
    settings = server_settings(
        tmp_path / "a", RATE_LIMIT_ENABLED="true", RATE_LIMIT_READS_BURST="2", RATE_LIMIT_READS_PER_MINUTE="1"
    )
    async with running_server(settings) as server:
        await _themes(server, _forwarded("203.0.113.7"))
        await _themes(server, (("x-envoy-external-address", "203.0.113.8"),))
        # Anyone may send these headers: from an untrusted peer a new "client" is still the peer.
        error = await failure_of(_themes(server, _forwarded("198.51.100.9")))
        assert error.quota_subjects == ["rate_limit.reads"]


async def test_forwarded_clients_behind_a_trusted_proxy_have_their_own_budgets(tmp_path: Path) -> None:
    settings = server_settings(
        tmp_path / "a",
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_READS_BURST="2",
        RATE_LIMIT_READS_PER_MINUTE="1",
        TRUSTED_PROXIES="127.0.0.0/8",
    )
    async with running_server(settings) as server:
        for client in (_forwarded("203.0.113.7"), _forwarded("198.51.100.9")):
            await _themes(server, client)
            await _themes(server, client)
            assert (await failure_of(_themes(server, client))).quota_subjects == ["rate_limit.reads"]
        envoy = (("x-envoy-external-address", "203.0.113.50"),)
        await _themes(server, envoy)
        await _themes(server, envoy)
        assert (await failure_of(_themes(server, envoy))).quota_subjects == ["rate_limit.reads"]


async def test_replicas_sharing_redis_share_each_callers_budget(tmp_path: Path) -> None:
    async with isolated_prefix() as prefix:
        shared = {
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
            "RESUME_TOKEN_SECRET": "k" * 32,
            "RATE_LIMIT_ENABLED": "true",
            "RATE_LIMIT_READS_BURST": "2",
            "RATE_LIMIT_READS_PER_MINUTE": "1",
            **KEYS,
        }
        async with (
            running_server(server_settings(tmp_path / "a", **shared)) as first,
            running_server(server_settings(tmp_path / "b", **shared)) as second,
        ):
            await _themes(first, ALICE.metadata)
            await _themes(second, ALICE.metadata)
            # Alice's budget is spent on both replicas at once; Bob's is not.
            for replica in (first, second):
                error = await failure_of(_themes(replica, ALICE.metadata))
                assert error.quota_subjects == ["rate_limit.reads"]
            await _themes(second, BOB.metadata)
            client = redis.Redis.from_url(REDIS_URL)
            assert [key async for key in client.scan_iter(match=f"{prefix}limits:*")]  # really in Redis
            await client.aclose()


async def test_an_unreachable_redis_lifts_the_limits_instead_of_failing_calls(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Calls that need nothing else from Redis (ListThemes) are still served; generations, whose
    # queue is in Redis too, answer UNAVAILABLE from the service itself.
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    settings = server_settings(
        tmp_path / "a",
        REDIS_URL=dead,
        RESUME_TOKEN_SECRET="k" * 32,
        RATE_LIMIT_ENABLED="true",
        MODEL_TOKENS_PER_DAY="100",
        **KEYS,
    )
    async with running_server(settings) as server:
        for _ in range(3):
            await _themes(server, ALICE.metadata)
    assert "per-caller limits are not enforced" in caplog.text
