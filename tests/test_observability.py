"""Operating deckgen: a real server process exporting traces to an OTLP receiver of ours, serving
Prometheus metrics, keeping secrets out of both and out of its logs, and health that tells the truth."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.propagate import inject
from opentelemetry.sdk.trace import TracerProvider

from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.deck_model import DeckModel
from tests.support.fake_llm import FakeLLMServer, Reply
from tests.support.otlp import OtlpReceiver, ReceivedSpan
from tests.support.servers import ChildServer, start_child_server
from tests.support.status import rich_error

SECRET = "sk-test-do-not-leak-4f9a"
SERVICE = "deckgen.v1.PresentationService"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=SECRET) as server:
        server.responder = DeckModel(tokens_per_second=400).respond
        yield server


@pytest.fixture
def otlp() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture
def child(tmp_path: Path, llm: FakeLLMServer, otlp: OtlpReceiver) -> Iterator[tuple[ChildServer, int]]:
    metrics_port = free_port()
    server = start_child_server(
        {
            "STORAGE_DIR": str(tmp_path),
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": SECRET,
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
            "OTEL_EXPORTER_OTLP_INSECURE": "true",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "deckgen-under-test",
            "METRICS_PORT": str(metrics_port),
            "HEALTH_CHECK_INTERVAL": "1",
            "LOG_LEVEL": "DEBUG",
            "CACHE_ENABLED": "false",
        }
    )
    yield server, metrics_port
    server.stop()


def by_id(spans: list[ReceivedSpan]) -> dict[str, ReceivedSpan]:
    return {span.span_id: span for span in spans}


async def generate(target: str, metadata: tuple[tuple[str, str], ...] = ()) -> list[spb.GenerationEvent]:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = spb_grpc.PresentationServiceStub(channel)
        request = spb.GeneratePresentationRequest(topic="Observability", slide_count=4)
        return [event async for event in stub.GeneratePresentation(request, metadata=metadata, timeout=60)]


async def test_a_generation_leaves_a_trace_metrics_and_no_secrets(
    child: tuple[ChildServer, int], otlp: OtlpReceiver
) -> None:
    server, metrics_port = child
    # The caller's own trace (a frontend, Envoy) continues into the server.
    caller = TracerProvider().get_tracer("test")
    with caller.start_as_current_span("frontend") as parent:
        carrier: dict[str, str] = {}
        inject(carrier)
        events = await generate(server.target, tuple(carrier.items()))
    assert events[-1].HasField("completed")
    trace_id = format(parent.get_span_context().trace_id, "032x")

    rpc = await asyncio.to_thread(otlp.wait_for, f"{SERVICE}/GeneratePresentation")
    assert rpc and rpc[0].trace_id == trace_id
    assert rpc[0].parent_id == format(parent.get_span_context().span_id, "016x")
    assert rpc[0].attributes["rpc.system"] == "grpc" and rpc[0].attributes["rpc.grpc.status_code"] == 0
    assert rpc[0].resource["service.name"] == "deckgen-under-test"
    await asyncio.to_thread(otlp.wait_for, "render")
    await asyncio.sleep(0.5)  # the batch processor exports the last spans
    spans = [s for s in otlp.spans if s.trace_id == trace_id]
    names = {s.name for s in spans}
    assert {"generation", "outline", "slide", "render", "storage.put"} <= names
    index = by_id(spans)
    generation = next(s for s in spans if s.name == "generation")
    assert index[generation.parent_id].name == f"{SERVICE}/GeneratePresentation"
    chats = [s for s in spans if s.name.startswith("chat ")]
    assert chats, names
    for chat in chats:
        assert chat.attributes["gen_ai.system"] == "openai"
        assert chat.attributes["gen_ai.request.model"] in ("gpt-4o-mini",)
        assert chat.attributes["gen_ai.usage.output_tokens"] > 0
        assert index[chat.parent_id].name in ("outline", "slide")
    slides = [s for s in spans if s.name == "slide"]
    assert all(index[s.parent_id].name in ("outline", "generation") for s in slides)

    metrics = await asyncio.to_thread(
        lambda: urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    )
    assert (
        f'deckgen_rpc_duration_seconds_count{{code="OK",method="/{SERVICE}/GeneratePresentation"}} 1.0'
        in metrics
    )
    assert "deckgen_time_to_first_slide_seconds_count 1.0" in metrics
    assert 'deckgen_llm_tokens_total{kind="completion",model="gpt-4o-mini",provider="primary"}' in metrics
    assert 'deckgen_storage_operation_seconds_count{operation="put",outcome="ok"}' in metrics
    assert "deckgen_generations_in_flight 0.0" in metrics

    server.stop()
    logs = server.output
    assert '"trace_id"' in logs
    everything = (
        logs + metrics + repr([s.attributes for s in otlp.spans]) + repr([s.resource for s in otlp.spans])
    )
    assert SECRET not in everything


async def test_readiness_follows_the_llm_provider_and_liveness_does_not(
    child: tuple[ChildServer, int], llm: FakeLLMServer
) -> None:
    server, _ = child
    async with grpc.aio.insecure_channel(server.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)

        async def status(service: str) -> int:
            response = await health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            return int(response.status)

        serving = health_pb2.HealthCheckResponse.SERVING
        assert await status("") == serving and await status("readiness") == serving
        watch = health.Watch(health_pb2.HealthCheckRequest(service=SERVICE))
        assert (await watch.read()).status == serving

        # The provider goes down: every /models probe fails from now on.
        llm.enqueue(*[Reply(status=503, error_message="down")] * 1000, path="/v1/models")
        changed = await asyncio.wait_for(watch.read(), 10)
        assert changed.status == health_pb2.HealthCheckResponse.NOT_SERVING
        assert await status("readiness") == health_pb2.HealthCheckResponse.NOT_SERVING
        assert await status("liveness") == serving

        llm.reset()  # back up
        recovered = await asyncio.wait_for(watch.read(), 10)
        assert recovered.status == serving
        watch.cancel()


def exported(otlp: OtlpReceiver) -> str:
    """Everything the server exported, as text: names, attributes, events and status messages."""
    with otlp.lock:
        return repr([(s.name, s.attributes, s.events, s.status_message, s.resource) for s in otlp.spans])


async def test_a_providers_error_quoting_the_key_reaches_no_client_log_or_span(
    child: tuple[ChildServer, int], llm: FakeLLMServer, otlp: OtlpReceiver
) -> None:
    server, _ = child
    body = f"Incorrect API key provided: {SECRET}. You can find your API key at the dashboard."
    llm.responder = lambda request: Reply(status=401, error_message=body)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await generate(server.target)
    error = rich_error(caught.value)
    assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "LLM_UNAVAILABLE")
    # Our own message: the provider's configured name and the HTTP status, not its body.
    assert "primary: HTTP 401 (API key refused)" in error.message
    assert "Incorrect API key" not in error.message and SECRET not in error.message

    chats = await asyncio.to_thread(otlp.wait_for, "chat gpt-4o-mini")
    assert chats and chats[0].events and chats[0].events[0][0] == "exception"
    await asyncio.sleep(0.5)  # the batch processor exports the last spans
    server.stop()
    logs = server.output
    assert "HTTP 401" in logs
    everything = logs + exported(otlp)
    assert SECRET not in everything and "Incorrect API key" not in everything


async def test_a_failure_quoting_the_document_logs_neither_the_document_nor_a_line_over_the_cap(
    tmp_path: Path, otlp: OtlpReceiver
) -> None:
    cap = 4096
    server = start_child_server(
        {
            "STORAGE_DIR": str(tmp_path),
            "METRICS_ENABLED": "false",
            "LOG_LEVEL": "DEBUG",
            "LOG_MAX_RECORD_BYTES": str(cap),
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
            "OTEL_EXPORTER_OTLP_INSECURE": "true",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        },
        engine="leaky",
    )
    marker = f"subtitle-{uuid.uuid4().hex}"
    # About 1 MB, like the subtitle file whose text once filled one log line.
    document = f"# Notes\n\n{marker}\n\n" + "The quick brown fox jumps over the lazy dog. " * 23_000
    try:
        async with grpc.aio.insecure_channel(server.target) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            source = spb.SourceDocument(name="a.md", media_type="text/markdown", content=document.encode())
            request = spb.GeneratePresentationRequest(sources=[source])
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                _ = [event async for event in stub.GeneratePresentation(request, timeout=60)]
        assert caught.value.code() == grpc.StatusCode.INTERNAL
        assert marker not in (caught.value.details() or "")
        assert await asyncio.to_thread(otlp.wait_for, "generation")
        await asyncio.sleep(0.5)
    finally:
        server.stop()
        logs = server.output
    lines = logs.splitlines()
    records = [json.loads(line) for line in lines]
    failure = next(r for r in records if r["message"].startswith("generation ") and "exception" in r)
    # The failure is still findable: its type and where it was raised (a traceback's end is kept).
    assert failure["exception"].endswith("ValueError: (message withheld, 1035103 characters)")
    assert "engines.py" in failure["exception"]
    assert all(len(line.encode()) + 1 <= cap for line in lines)
    assert marker not in logs
    assert marker not in exported(otlp)


async def test_time_to_first_slide_is_what_the_caller_waits_for(
    child: tuple[ChildServer, int], llm: FakeLLMServer
) -> None:
    server, metrics_port = child
    # The title slide goes out once the outline's first item is written: not before the model's
    # first token, half a second after the call reaches it.
    llm.responder = DeckModel(ttft=0.5, tokens_per_second=100).respond
    async with grpc.aio.insecure_channel(server.target) as channel:
        stub = spb_grpc.PresentationServiceStub(channel)
        request = spb.GeneratePresentationRequest(topic="Waiting", slide_count=4)
        started = time.monotonic()
        seen: float | None = None
        async for event in stub.GeneratePresentation(request, timeout=60):
            if seen is None and event.HasField("slide"):
                seen = time.monotonic() - started
    assert seen is not None
    metrics = await asyncio.to_thread(
        lambda: urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    )
    assert "deckgen_time_to_first_slide_seconds_count 1.0" in metrics
    found = re.search(r"^deckgen_time_to_first_slide_seconds_sum (\S+)$", metrics, re.MULTILINE)
    assert found is not None
    # Measured inside what the caller saw: from the call's start to the slide handed to grpc.
    assert 0.5 <= float(found.group(1)) <= seen
