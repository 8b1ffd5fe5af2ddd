"""Three real server processes sharing one Redis: any replica serves any call, no work is lost.

Each server is `deckgen serve` in a child process (API and worker) writing slides with a paced
loopback model; the tests kill, stop and cancel across them and read what a client would see.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import grpc
import pytest
import redis.asyncio as redis
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.deck_model import DeckModel, slide_number, task_of
from tests.support.decks import assert_gap_free
from tests.support.fake_llm import FakeLLMServer
from tests.support.redis import REDIS_URL, PrivateRedis, isolated_prefix
from tests.support.servers import ChildServer, start_child_server
from tests.support.status import rich_error

pytestmark = pytest.mark.slow

Stream: TypeAlias = "grpc.aio.UnaryStreamCall[Any, Any]"
API_KEY = "sk-cluster"
SLIDES = 8


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=API_KEY) as server:
        # Paced, one slide at a time: a generation lasts a few seconds and can be interrupted.
        server.responder = DeckModel(ttft=0.35).respond
        yield server


@dataclass
class Cluster:
    servers: list[ChildServer]
    redis_url: str
    prefix: str

    def stub(self, index: int) -> spb_grpc.PresentationServiceStub:
        return spb_grpc.PresentationServiceStub(self.channels[index])

    channels: list[grpc.aio.Channel]

    def by_pid(self, pid: int) -> int:
        return next(i for i, s in enumerate(self.servers) if s.process.pid == pid)

    async def holder(self, within: float = 10) -> int:
        """The index of the server whose worker holds the (only) running job."""
        client = redis.Redis.from_url(self.redis_url, decode_responses=True)
        try:
            deadline = time.monotonic() + within
            while time.monotonic() < deadline:
                pending = await client.xpending_range(f"{self.prefix}jobs:{{0}}", "workers", "-", "+", 10)
                if pending:
                    consumer = str(pending[0]["consumer"])
                    return self.by_pid(int(consumer.split("-")[-2]))
                await asyncio.sleep(0.05)
        finally:
            await client.aclose()
        raise AssertionError("no worker claimed the job")


def _env(storage: Path, llm: FakeLLMServer, redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        "RESUME_TOKEN_SECRET": "one-key-for-every-replica-of-this-test",
        "STORAGE_DIR": str(storage),  # one folder for all: the ReadWriteMany volume of a cluster
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": API_KEY,
        "LLM_CONCURRENCY": "1",
        "LLM_RETRY_BASE_DELAY": "0.01",
        "CACHE_ENABLED": "false",
        "EXPORT_ENABLED": "false",
        "METRICS_ENABLED": "false",
        "JOB_LEASE": "2",
        "SHUTDOWN_GRACE": "0.5",
        "HEALTH_CHECK_INTERVAL": "1",
        **extra,
    }


@asynccontextmanager
async def cluster_of(
    tmp_path: Path, llm: FakeLLMServer, redis_url: str, prefix: str, count: int = 3
) -> AsyncIterator[Cluster]:
    # The last replica stops a generation the moment its last reader leaves; the others wait.
    envs = [
        _env(tmp_path / "artifacts", llm, redis_url, prefix, DETACH_GRACE="0" if i == 2 else "30")
        for i in range(count)
    ]
    servers = list(await asyncio.gather(*(asyncio.to_thread(start_child_server, env) for env in envs)))
    channels = [grpc.aio.insecure_channel(server.target) for server in servers]
    try:
        yield Cluster(servers, redis_url, prefix, channels)
    finally:
        for channel in channels:
            await channel.close()
        for server in servers:
            if server.process.poll() is None:
                server.process.kill()
            await asyncio.to_thread(server.process.communicate, timeout=10)


@pytest.fixture
async def cluster(tmp_path: Path, llm: FakeLLMServer) -> AsyncIterator[Cluster]:
    async with isolated_prefix() as prefix, cluster_of(tmp_path, llm, REDIS_URL, prefix) as running:
        yield running


def request(**fields: object) -> spb.GeneratePresentationRequest:
    return spb.GeneratePresentationRequest(topic="Failover", slide_count=SLIDES, **fields)  # type: ignore[arg-type]


def resume(seen: list[spb.GenerationEvent]) -> spb.GeneratePresentationRequest:
    return spb.GeneratePresentationRequest(resume_token=seen[-1].resume_token)


async def read_rest_into(call: Stream, into: list[spb.GenerationEvent]) -> None:
    while (event := await call.read()) is not grpc.aio.EOF:
        into.append(event)


async def read_until_slides(call: Stream, count: int) -> list[spb.GenerationEvent]:
    events: list[spb.GenerationEvent] = []
    while len([e for e in events if e.HasField("slide")]) < count:
        event = await call.read()
        assert event is not grpc.aio.EOF
        events.append(event)
    return events


async def read_all(call: Stream) -> list[spb.GenerationEvent]:
    return [event async for event in call]


def slide_indices(events: list[spb.GenerationEvent]) -> list[int]:
    return [e.slide.slide.index for e in events if e.HasField("slide")]


def assert_complete(events: list[spb.GenerationEvent]) -> None:
    assert_gap_free(events)
    assert events[-1].HasField("completed"), events[-1]
    assert sorted(slide_indices(events)) == list(range(SLIDES))  # every slide, none twice


def assert_not_rewritten(llm: FakeLLMServer, seen: list[spb.GenerationEvent], since: float) -> None:
    """The model was not asked again for a slide readers had before `since`."""
    written = {index + 1 for index in slide_indices(seen)}
    again = [
        slide_number(r)
        for r in llm.chat_requests
        if task_of(r) == "slide" and slide_number(r) in written and r.received_at > since
    ]
    assert not again, f"slides {again} were requested again"


async def test_a_killed_worker_is_replaced_and_the_stream_resumes_elsewhere(
    cluster: Cluster, llm: FakeLLMServer
) -> None:
    call = cluster.stub(0).GeneratePresentation(request())
    before = await read_until_slides(call, 3)
    victim = await cluster.holder()
    killed_at = time.time()
    cluster.servers[victim].process.send_signal(signal.SIGKILL)
    call.cancel()
    # Resume on a replica that is neither the reader's first one nor the dead one.
    other = next(i for i in (1, 2) if i != victim)
    after = await read_all(
        cluster.stub(other).GeneratePresentation(request(resume_token=before[-1].resume_token))
    )
    events = before + after
    assert_complete(events)
    moved = [e for e in after if e.HasField("warning") and e.warning.code == "JOB_MOVED"]
    assert len(moved) == 1
    assert_not_rewritten(llm, before, killed_at)


async def test_sigterm_hands_the_job_back_and_the_reader_resumes_elsewhere(
    cluster: Cluster, llm: FakeLLMServer
) -> None:
    call = cluster.stub(0).GeneratePresentation(request())
    before = await read_until_slides(call, 2)
    holder = await cluster.holder()
    stopped_at = time.time()
    cluster.servers[holder].process.send_signal(signal.SIGTERM)
    if holder == 0:
        # The draining replica ends its readers' streams clearly; they resume on another one.
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            await read_rest_into(call, before)
        assert rich_error(ended.value).reason == "SERVER_SHUTTING_DOWN"
    else:
        call.cancel()
    other = next(i for i in (1, 2) if i != holder)
    after = await read_all(
        cluster.stub(other).GeneratePresentation(request(resume_token=before[-1].resume_token))
    )
    assert_complete(before + after)
    # The draining replica may still relay the takeover's first events before it lets go.
    moved = [e for e in before + after if e.HasField("warning") and e.warning.code == "JOB_MOVED"]
    assert len(moved) == 1
    assert_not_rewritten(llm, before, stopped_at)
    assert await asyncio.to_thread(cluster.servers[holder].process.wait, 15) == 0


async def test_cancel_from_another_replica_stops_the_worker_within_a_second(
    cluster: Cluster, llm: FakeLLMServer
) -> None:
    call = cluster.stub(0).GeneratePresentation(request())
    before = await read_until_slides(call, 2)
    name = before[0].accepted.presentation.name
    watcher = cluster.stub(2).GeneratePresentation(resume(before))
    assert (await watcher.read()) is not grpc.aio.EOF
    call.cancel()  # A's reader leaves; C's still reads, so the generation goes on
    await asyncio.sleep(0.5)
    assert llm.in_flight == 1
    cancelled_at = time.time()
    watcher.cancel()  # the last reader leaves on C, which has no grace: cancel, wherever it runs
    assert await llm.await_until(lambda s: s.in_flight == 0, 3)
    closed = [r for r in llm.chat_requests if r.client_closed and r.closed_at is not None]
    assert closed and all(r.closed_at - cancelled_at < 1.0 for r in closed if r.closed_at >= cancelled_at)  # type: ignore[operator]
    presentation = await cluster.stub(1).GetPresentation(spb.GetPresentationRequest(name=name))
    for _ in range(20):
        if presentation.state == pb.Presentation.STATE_CANCELLED:
            break
        await asyncio.sleep(0.1)
        presentation = await cluster.stub(1).GetPresentation(spb.GetPresentationRequest(name=name))
    assert presentation.state == pb.Presentation.STATE_CANCELLED


async def test_one_request_id_is_one_generation_on_every_replica(cluster: Cluster) -> None:
    same = request(request_id=str(uuid.uuid4()))
    first, second = await asyncio.gather(
        read_all(cluster.stub(0).GeneratePresentation(same)),
        read_all(cluster.stub(1).GeneratePresentation(same)),
    )
    assert first[0].accepted.presentation.name == second[0].accepted.presentation.name
    assert [e.sequence for e in first] == [e.sequence for e in second]
    assert_complete(first)
    name = first[0].accepted.presentation.name
    presentation = await cluster.stub(2).GetPresentation(spb.GetPresentationRequest(name=name))
    assert presentation.state == pb.Presentation.STATE_SUCCEEDED
    (pptx,) = [a for a in presentation.artifacts if a.name.endswith(".pptx")]
    chunks = [c async for c in cluster.stub(2).DownloadArtifact(spb.DownloadArtifactRequest(name=pptx.name))]
    assert sum(len(c.data) for c in chunks) == pptx.size_bytes


async def _ready(channel: grpc.aio.Channel) -> int:
    health = health_pb2_grpc.HealthStub(channel)
    reply = await health.Check(health_pb2.HealthCheckRequest(service="readiness"), timeout=5)
    return int(reply.status)


async def _wait_for_readiness(channel: grpc.aio.Channel, status: int, within: float) -> None:
    deadline = time.monotonic() + within
    while await _ready(channel) != status:
        assert time.monotonic() < deadline, "readiness did not change"
        await asyncio.sleep(0.2)


async def test_redis_stopped_and_started_during_a_generation(tmp_path: Path, llm: FakeLLMServer) -> None:
    private = PrivateRedis(tmp_path / "redis")
    private.directory.mkdir()
    private.start()
    try:
        async with cluster_of(tmp_path, llm, private.url, "deckgen:", count=2) as cluster:
            call = cluster.stub(0).GeneratePresentation(request())
            before = await read_until_slides(call, 2)
            name = before[0].accepted.presentation.name
            await asyncio.to_thread(private.stop)
            # Calls fail fast, saying why; readiness follows; the stream in flight ends clearly.
            started = time.monotonic()
            with pytest.raises(grpc.aio.AioRpcError) as down:
                await cluster.stub(1).GetPresentation(spb.GetPresentationRequest(name=name), timeout=10)
            assert time.monotonic() - started < 3
            assert down.value.code() == grpc.StatusCode.UNAVAILABLE
            assert rich_error(down.value).reason == "REDIS_UNAVAILABLE"
            with suppress(grpc.aio.AioRpcError):
                await read_rest_into(call, before)
            await _wait_for_readiness(cluster.channels[1], health_pb2.HealthCheckResponse.NOT_SERVING, 10)

            await asyncio.to_thread(private.start)
            await _wait_for_readiness(cluster.channels[1], health_pb2.HealthCheckResponse.SERVING, 10)
            after = await read_all(
                cluster.stub(1).GeneratePresentation(
                    request(resume_token=before[-1].resume_token), timeout=60
                )
            )
            assert_complete(before + after)
    finally:
        private.stop()


async def test_an_api_replica_and_a_worker_replica_split_the_work(tmp_path: Path, llm: FakeLLMServer) -> None:
    async with isolated_prefix() as prefix:
        envs = [_env(tmp_path / "artifacts", llm, REDIS_URL, prefix, ROLE=role) for role in ("api", "worker")]
        api, worker = await asyncio.gather(*(asyncio.to_thread(start_child_server, env) for env in envs))
        try:
            async with grpc.aio.insecure_channel(api.target) as channel:
                stub = spb_grpc.PresentationServiceStub(channel)
                events = await read_all(stub.GeneratePresentation(request()))
                assert_complete(events)
            client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
            try:
                consumers = await client.xinfo_consumers(f"{prefix}jobs:{{0}}", "workers")
            finally:
                await client.aclose()
            # Only the worker replica ever claimed a job.
            assert {int(str(c["name"]).split("-")[-2]) for c in consumers} == {worker.process.pid}
        finally:
            for server in (api, worker):
                server.process.kill()
                await asyncio.to_thread(server.process.communicate, timeout=10)
