"""Three real server processes sharing one Redis: any replica serves any call, no work is lost.

Each server is `deckgen serve` in a child process (API and worker) writing slides with a paced
loopback model; the tests kill, stop and cancel across them and read what a client would see.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import grpc
import pytest
import redis.asyncio as redis
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.deck_model import DeckModel, slide_number, task_of, topic_of
from tests.support.decks import assert_gap_free
from tests.support.fake_llm import FakeLLMServer, Reply
from tests.support.redis import REDIS_URL, PrivateRedis, isolated_prefix
from tests.support.servers import ChildServer, start_child_server
from tests.support.status import rich_error

pytestmark = pytest.mark.slow

Stream: TypeAlias = "grpc.aio.UnaryStreamCall[Any, Any]"
API_KEY = "sk-cluster"
IMAGES = "/v1/images/generations"
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

    async def queued(self) -> int:
        """Jobs in the queue, waiting or held (an acknowledged job is deleted)."""
        client = redis.Redis.from_url(self.redis_url, decode_responses=True)
        try:
            return int(await client.xlen(f"{self.prefix}jobs:{{0}}"))
        finally:
            await client.aclose()

    async def holdings(self) -> Counter[int]:
        """How many jobs each server's worker holds now, by server index."""
        client = redis.Redis.from_url(self.redis_url, decode_responses=True)
        try:
            pending = await client.xpending_range(f"{self.prefix}jobs:{{0}}", "workers", "-", "+", 100)
        finally:
            await client.aclose()
        return Counter(self.by_pid(int(str(p["consumer"]).split("-")[-2])) for p in pending)


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
    tmp_path: Path, llm: FakeLLMServer, redis_url: str, prefix: str, count: int = 3, **extra: str
) -> AsyncIterator[Cluster]:
    # The last replica stops a generation the moment its last reader leaves; the others wait.
    envs = [
        _env(tmp_path / "artifacts", llm, redis_url, prefix, DETACH_GRACE="0" if i == 2 else "30", **extra)
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


def assert_not_rewritten(llm: FakeLLMServer, seen: list[spb.GenerationEvent]) -> None:
    """The model was asked once for each slide readers had before the job moved.

    Counted rather than timed: a draining worker goes on for its grace period, and on a busy
    machine may ask for its next slide only after the signal, which is no rewrite."""
    written = {index + 1 for index in slide_indices(seen)}
    asked = Counter(slide_number(r) for r in llm.chat_requests if task_of(r) == "slide")
    again = sorted(number for number in written if asked[number] > 1)
    assert not again, f"slides {again} were requested again"


async def test_a_killed_worker_is_replaced_and_the_stream_resumes_elsewhere(
    cluster: Cluster, llm: FakeLLMServer
) -> None:
    call = cluster.stub(0).GeneratePresentation(request())
    before = await read_until_slides(call, 3)
    victim = await cluster.holder()
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
    assert_not_rewritten(llm, before)


async def test_sigterm_hands_the_job_back_and_the_reader_resumes_elsewhere(
    cluster: Cluster, llm: FakeLLMServer
) -> None:
    call = cluster.stub(0).GeneratePresentation(request())
    before = await read_until_slides(call, 2)
    holder = await cluster.holder()
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
    events = before + after
    moved = [i for i, e in enumerate(events) if e.HasField("warning") and e.warning.code == "JOB_MOVED"]
    assert len(moved) == 1
    # Slides after the warning are the new worker's, whether the draining replica relayed them or
    # not: one the first worker had not finished is rightly asked for again.
    assert_not_rewritten(llm, events[: moved[0]])
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


@dataclass
class _Follower:
    """One caller of a burst: reads its generation to the end, resuming elsewhere when cut off."""

    cluster: Cluster
    down: set[int]
    topic: str
    replica: int
    request_id: str = ""
    received: list[tuple[float, spb.GenerationEvent]] = field(default_factory=list)
    resumes: int = 0

    @property
    def events(self) -> list[spb.GenerationEvent]:
        return [event for _, event in self.received]

    def slides(self) -> int:
        return sum(1 for _, event in self.received if event.HasField("slide"))

    async def follow(self) -> None:
        self.request_id = str(uuid.uuid4())
        while True:
            # Resume from the last event; with none yet, the request id joins the same generation.
            token = self.received[-1][1].resume_token if self.received else ""
            call = self.cluster.stub(self.replica).GeneratePresentation(
                spb.GeneratePresentationRequest(resume_token=token)
                if token
                else spb.GeneratePresentationRequest(
                    topic=self.topic, slide_count=SLIDES, request_id=self.request_id
                ),
                timeout=90,
            )
            try:
                async for event in call:
                    self.received.append((time.time(), event))
                return
            except grpc.aio.AioRpcError as error:
                cut = error
            # Only a stopped replica ends a stream early, and then with UNAVAILABLE.
            assert cut.code() == grpc.StatusCode.UNAVAILABLE, cut
            assert self.replica in self.down, f"replica {self.replica} is up: {cut}"
            self.resumes += 1
            assert self.resumes <= 5, "resumed too often"
            alive = [i for i in range(len(self.cluster.servers)) if i not in self.down]
            self.replica = alive[(self.replica + self.resumes) % len(alive)]


async def _until(
    condition: Callable[[], bool], within: float, what: str, reading: asyncio.Future[list[None]]
) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if reading.done():
            reading.result()  # a caller failed: its error, rather than a timeout
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_burst_survives_worker_restarts(tmp_path: Path, llm: FakeLLMServer) -> None:
    """Ten generations at once; one worker is stopped (SIGTERM) and replaced, another killed: every
    generation still completes, each slide once, and no finished slide is written again."""
    burst = 10
    async with (
        isolated_prefix() as prefix,
        cluster_of(tmp_path, llm, REDIS_URL, prefix, MAX_CONCURRENT_GENERATIONS="4") as cluster,
    ):
        down: set[int] = set()
        followers = [_Follower(cluster, down, f"Burst {n:02d}", replica=n % 3) for n in range(burst)]
        reading = asyncio.gather(*(f.follow() for f in followers))
        try:

            def total() -> int:
                return sum(f.slides() for f in followers)

            await _until(lambda: total() >= burst, 60, "the burst to get going", reading)

            # SIGTERM: it stops claiming, drains for SHUTDOWN_GRACE, hands the rest back.
            held = await cluster.holdings()
            stopped = max((0, 1, 2), key=lambda i: held[i])
            assert held[stopped], held
            down.add(stopped)
            cluster.servers[stopped].process.send_signal(signal.SIGTERM)
            # The replacement starts meanwhile: on a busy machine that takes seconds, long enough for
            # the burst to end before anything is killed if the test waited for it.
            starting = asyncio.create_task(
                asyncio.to_thread(
                    start_child_server,
                    _env(tmp_path / "artifacts", llm, REDIS_URL, prefix, MAX_CONCURRENT_GENERATIONS="4"),
                )
            )

            # SIGKILL another worker once it holds jobs handed back by the stopped one: they are
            # taken over once their lease lapses.
            await _until(lambda: total() >= 2 * burst, 60, "the burst to go on", reading)
            deadline = time.monotonic() + 30
            while True:
                held = await cluster.holdings()
                live = [i for i in range(len(cluster.servers)) if i not in down]
                killed = max(live, key=lambda i: held[i])
                if held[killed]:
                    break
                assert time.monotonic() < deadline, f"no live worker held a job: {held}"
                await asyncio.sleep(0.05)
            down.add(killed)
            cluster.servers[killed].process.send_signal(signal.SIGKILL)
            replacement = await starting
            cluster.servers.append(replacement)
            cluster.channels.append(grpc.aio.insecure_channel(replacement.target))
            assert await asyncio.to_thread(cluster.servers[stopped].process.wait, 30) == 0

            await asyncio.wait_for(asyncio.shield(reading), 120)
        finally:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)

        survivor = next(i for i in range(len(cluster.servers)) if i not in down)
        for follower in followers:
            assert_complete(follower.events)
            name = follower.events[0].accepted.presentation.name
            record = await cluster.stub(survivor).GetPresentation(spb.GetPresentationRequest(name=name))
            assert record.state == pb.Presentation.STATE_SUCCEEDED
            # A slide the caller had was never asked of the model again.
            delivered = {e.slide.slide.index + 1: at for at, e in follower.received if e.HasField("slide")}
            again = [
                slide_number(r)
                for r in llm.chat_requests
                if task_of(r) == "slide"
                and topic_of(r) == follower.topic
                and r.received_at > delivered[slide_number(r) or 0]
            ]
            assert not again, f"{follower.topic}: slides {again} were requested again"
        # The restarts did hit the burst: callers were cut off and generations moved.
        assert sum(f.resumes for f in followers) >= 2
        moved = [
            e for f in followers for e in f.events if e.HasField("warning") and e.warning.code == "JOB_MOVED"
        ]
        assert len(moved) >= 2
        # Every job left the queue acknowledged: none waits to be run a second time.
        deadline = time.monotonic() + 15
        while await cluster.queued():
            assert time.monotonic() < deadline, "jobs were left in the queue"
            await asyncio.sleep(0.1)


async def test_a_generation_stops_after_the_grace_when_its_readers_replica_died(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    """The replica where the last reader left counts DETACH_GRACE; if it dies first, the worker
    running the job sees no reader on any replica (the dead one's entries lapse) and stops it
    rather than letting it run to TIMEOUT."""
    llm.responder = DeckModel(ttft=4.0).respond  # ~36 s of slides: far longer than grace + lease
    async with isolated_prefix() as prefix:
        envs = [
            _env(tmp_path / "artifacts", llm, REDIS_URL, prefix, ROLE=role, DETACH_GRACE="1")
            for role in ("api", "worker", "api")
        ]
        api, worker, other = await asyncio.gather(*(asyncio.to_thread(start_child_server, e) for e in envs))
        try:
            async with grpc.aio.insecure_channel(api.target) as channel:
                call = spb_grpc.PresentationServiceStub(channel).GeneratePresentation(request())
                before = await read_until_slides(call, 1)
                api.process.send_signal(signal.SIGKILL)  # the reader's replica, and its grace timer
            killed_at = time.monotonic()
            name = before[0].accepted.presentation.name
            async with grpc.aio.insecure_channel(other.target) as channel:
                stub = spb_grpc.PresentationServiceStub(channel)
                state = pb.Presentation.STATE_UNSPECIFIED
                while time.monotonic() - killed_at < 45:
                    presentation = await stub.GetPresentation(spb.GetPresentationRequest(name=name))
                    state = presentation.state
                    if state != pb.Presentation.STATE_GENERATING:
                        break
                    await asyncio.sleep(0.25)
                assert state == pb.Presentation.STATE_CANCELLED, pb.Presentation.State.Name(state)
                stopped_after = time.monotonic() - killed_at
            assert await llm.await_until(lambda s: s.in_flight == 0, 5)
            written = len([r for r in llm.chat_requests if task_of(r) == "slide"])
            assert written < SLIDES, f"all {written} slides were written: the job ran to its end"
            # Stopped once the dead replica's readers lapsed and the grace passed, not at TIMEOUT.
            assert stopped_after < 28, stopped_after
        finally:
            for server in (api, worker, other):
                await asyncio.to_thread(server.stop, 10, True)


async def test_a_draining_api_replica_serves_its_readers_to_the_end(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    """SIGTERM on an API-only replica: new calls are refused at once, but the generation runs on a
    worker elsewhere, so its readers here keep streaming through the grace instead of being cut off."""
    async with isolated_prefix() as prefix:
        envs = [
            _env(tmp_path / "artifacts", llm, REDIS_URL, prefix, ROLE=role, SHUTDOWN_GRACE="30")
            for role in ("api", "worker")
        ]
        api, worker = await asyncio.gather(*(asyncio.to_thread(start_child_server, env) for env in envs))
        try:
            async with grpc.aio.insecure_channel(api.target) as channel:
                stub = spb_grpc.PresentationServiceStub(channel)
                call = stub.GeneratePresentation(request())
                events = await read_until_slides(call, 2)
                api.process.send_signal(signal.SIGTERM)
                refused = None
                for _ in range(50):  # the signal takes a moment to arrive
                    try:
                        await read_all(stub.GeneratePresentation(request(), timeout=5))
                    except grpc.aio.AioRpcError as error:
                        refused = error
                        break
                assert refused is not None and refused.code() == grpc.StatusCode.UNAVAILABLE, refused
                assert rich_error(refused).reason == "SERVER_SHUTTING_DOWN"
                await read_rest_into(call, events)  # no UNAVAILABLE: served to the end
            assert_complete(events)
            assert await asyncio.to_thread(api.process.wait, 15) == 0  # then it stops, cleanly
        finally:
            for server in (api, worker):
                await asyncio.to_thread(server.stop, 10, True)


async def test_a_picture_being_drawn_when_its_worker_died_is_drawn_by_the_next(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    """The worker is killed while the images API draws slide 2's picture: the worker that takes the
    job over asks for that picture again, announces it and places it; nothing is silently dropped."""
    llm.responder = DeckModel(ttft=0.1, image_items=frozenset({1})).respond
    llm.enqueue(Reply(stall=120), path=IMAGES)  # the first worker's picture never comes
    async with isolated_prefix() as prefix:
        env = {"ROLE": "worker", "IMAGES_MODEL": "fake-image", "LLM_CONCURRENCY": "2"}
        envs = [
            _env(tmp_path / "artifacts", llm, REDIS_URL, prefix, ROLE="api"),
            _env(tmp_path / "artifacts", llm, REDIS_URL, prefix, **env),
        ]
        api, first = await asyncio.gather(*(asyncio.to_thread(start_child_server, e) for e in envs))
        servers = [api, first]
        try:
            async with grpc.aio.insecure_channel(api.target) as channel:
                stub = spb_grpc.PresentationServiceStub(channel)
                call = stub.GeneratePresentation(
                    spb.GeneratePresentationRequest(
                        topic="Lighthouses", slide_count=4, image_mode=spb.IMAGE_MODE_GENERATED
                    )
                )
                events = await read_until_slides(call, 2)
                assert await llm.await_until(lambda s: any(r.path == IMAGES for r in s.requests), 10)
                first.process.send_signal(signal.SIGKILL)
                servers.append(await asyncio.to_thread(start_child_server, envs[1]))
                await read_rest_into(call, events)
        finally:
            for server in servers:
                await asyncio.to_thread(server.stop, 10, True)
    assert_gap_free(events)
    assert events[-1].HasField("completed"), events[-1]
    assert [e.image.slide_index for e in events if e.HasField("image")] == [1]
    asked = [r for r in llm.requests if r.path == IMAGES]
    assert len(asked) == 2 and asked[0].body == asked[1].body  # the same picture, asked again
    placed = events[-1].completed.presentation.deck.slides[1]
    assert placed.layout == pb.LAYOUT_IMAGE_TEXT and placed.image.uri.endswith(".png"), placed
