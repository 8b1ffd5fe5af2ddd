"""What self-hosted endpoints do to generators, and what the caller sees instead of a hang or a crash."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import API_KEY, generate, llm_server, warnings
from tests.support.deck_model import DeckModel, slide_number, task_of
from tests.support.fake_llm import FakeLLMServer, RecordedRequest, Reply
from tests.support.status import rich_error


def on_slide(number: int, fault: Reply, times: int = 1) -> DeckModel:
    """The deck model, with `fault` as the reply to the first `times` calls for slide `number`."""
    seen = {"count": 0}

    def tweak(request: RecordedRequest, reply: Reply) -> Reply:
        is_slide = task_of(request) in ("slide", "repair-slide") and slide_number(request) == number
        if is_slide and seen["count"] < times:
            seen["count"] += 1
            # A fault without content of its own breaks the model's real reply.
            return fault if fault.content or fault.status != 200 else replace(fault, content=reply.content)
        return reply

    return DeckModel(tweak=tweak)


def on_outline(fault: Reply, times: int | None = 1) -> DeckModel:
    """The deck model, with `fault` as the reply to the first `times` outline calls (None: every one)."""
    seen = {"count": 0}

    def tweak(request: RecordedRequest, reply: Reply) -> Reply:
        if task_of(request) in ("outline", "repair-outline") and (times is None or seen["count"] < times):
            seen["count"] += 1
            return fault if fault.content or fault.status != 200 else replace(fault, content=reply.content)
        return reply

    return DeckModel(tweak=tweak)


# JSON-looking, but its only item is not JSON: once a JSONDecodeError that ended the call as INTERNAL.
GARBAGE_OUTLINE = '{"title": "Deck", "slides": [{"title": oops, "layout": bullets}, {"title": 2'


async def test_an_outline_reply_that_is_not_json_is_repaired(tmp_path: Path, llm: FakeLLMServer) -> None:
    llm.responder = on_outline(Reply(content=GARBAGE_OUTLINE)).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Garbage", slide_count=4))
    assert events[-1].HasField("completed")
    assert len(events[-1].completed.presentation.deck.slides) == 4
    outline_calls = [r for r in llm.chat_requests if task_of(r) in ("outline", "repair-outline")]
    assert [task_of(r) for r in outline_calls] == ["outline", "repair-outline"]
    repair = outline_calls[1].body
    assert repair is not None and repair["messages"][-2]["content"] == GARBAGE_OUTLINE
    assert "no `slides` list" in repair["messages"][-1]["content"]


async def test_a_cut_outline_stream_is_repaired(tmp_path: Path, llm: FakeLLMServer) -> None:
    llm.responder = on_outline(Reply(cut_after_tokens=5)).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Cut outline", slide_count=4))
    assert events[-1].HasField("completed")
    outline_calls = [r for r in llm.chat_requests if task_of(r) in ("outline", "repair-outline")]
    assert [(task_of(r), r.cut) for r in outline_calls] == [("outline", True), ("repair-outline", False)]
    body = outline_calls[1].body
    assert body is not None and "cut off" in body["messages"][-1]["content"]


async def test_an_outline_the_primary_cannot_write_comes_from_the_backup(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = on_outline(Reply(content="Sure! Here is your outline."), times=None).respond
    with FakeLLMServer(api_key="sk-backup") as backup:
        backup.responder = DeckModel().respond
        async with llm_server(
            tmp_path, llm, LLM_BACKUP_BASE_URLS=backup.base_url, LLM_BACKUP_API_KEYS="sk-backup"
        ) as server:
            events = await generate(server, spb.GeneratePresentationRequest(topic="Backups", slide_count=4))
        assert events[-1].HasField("completed")
        assert [task_of(r) for r in backup.chat_requests] == ["outline"]
    # The primary had its try and its repair; its slides were fine, so it still wrote them.
    tasks = [task_of(r) for r in llm.chat_requests]
    assert tasks[:2] == ["outline", "repair-outline"] and tasks.count("slide") == 3


async def test_an_outline_no_provider_can_write_ends_unavailable_naming_the_provider(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = on_outline(Reply(content=GARBAGE_OUTLINE), times=None).respond
    async with llm_server(tmp_path, llm) as server:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await generate(server, spb.GeneratePresentationRequest(topic="Hopeless", slide_count=4))
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert error.reason == "MODEL_OUTPUT_INVALID"
    assert "primary" in error.message and "outline" in error.message
    assert error.retry_after is not None and error.retry_after > 0
    assert [task_of(r) for r in llm.chat_requests] == ["outline", "repair-outline"]


async def test_when_every_provider_is_down_the_caller_gets_the_providers_retry_after(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = lambda request: Reply(status=503, retry_after=7, error_message="overloaded")
    async with llm_server(tmp_path, llm, LLM_RETRY_ATTEMPTS="1") as server:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await generate(server, spb.GeneratePresentationRequest(topic="Down", slide_count=3))
    error = rich_error(caught.value)
    assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "LLM_UNAVAILABLE")
    assert error.retry_after is not None and 7 <= error.retry_after < 8


async def test_a_stream_cut_mid_json_gets_a_repaired_slide_and_a_warning(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = on_slide(3, Reply(cut_after_tokens=20)).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Streams", slide_count=5))
    assert events[-1].HasField("completed")
    repaired = warnings(events)["SLIDE_REPAIRED"]
    assert [w.warning.slide_index for w in repaired] == [2]
    assert "cut off" in repaired[0].warning.message
    calls = [r for r in llm.chat_requests if slide_number(r) == 3]
    assert [task_of(r) for r in calls] == ["slide", "repair-slide"]
    assert calls[0].cut
    # The repair call shows the model what it wrote before the break.
    body = calls[1].body
    assert body is not None and body["messages"][2]["role"] == "assistant"
    slide = events[-1].completed.presentation.deck.slides[2]
    assert slide.title == "How retries shapes part 2" and len(slide.bullets) == 4


async def test_invalid_json_twice_gives_a_fallback_slide_not_an_error(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = on_slide(2, Reply(content="Sure! Here is your slide: {title: oops"), times=2).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Bad JSON", slide_count=4))
    assert events[-1].HasField("completed")
    fallback = warnings(events)["SLIDE_FALLBACK"]
    assert [w.warning.slide_index for w in fallback] == [1]
    slide = events[-1].completed.presentation.deck.slides[1]
    outline = events[-1].completed.presentation.outline.items[1]
    assert slide.title == outline.title
    assert [b.text for b in slide.bullets] == list(outline.key_points)


async def test_slides_breaking_the_constraints_are_repaired(tmp_path: Path, llm: FakeLLMServer) -> None:
    too_many = '{"layout": "bullets", "title": "T", "bullets": [' + ", ".join(['"x"'] * 9) + "]}"
    llm.responder = on_slide(2, Reply(content=too_many)).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Limits", slide_count=3))
    repair = next(r for r in llm.chat_requests if task_of(r) == "repair-slide")
    assert repair.body is not None
    assert "bullets: 9 bullets, at most 6" in repair.body["messages"][-1]["content"]
    assert len(events[-1].completed.presentation.deck.slides[1].bullets) == 4


async def test_a_verbose_model_filling_unused_fields_gets_no_repairs(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    def verbose(request: RecordedRequest, reply: Reply) -> Reply:
        if task_of(request) != "slide":
            return reply
        slide = json.loads(reply.content)
        # Every field of the schema filled, most of them for layouts this slide does not use.
        slide["chart"] = {"type": "bar", "categories": ["a category label much longer than forty chars"] * 30}
        slide["table"] = {"header": ["only one"], "rows": [["a", "b", "c"]]}
        slide["steps"] = [{"label": "", "title": ""}] * 10
        slide["quote"] = {"text": ""}
        slide["image_prompt"] = "x" * 2000
        return replace(reply, content=json.dumps(slide))

    llm.responder = DeckModel(tweak=verbose).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Verbose", slide_count=5))
    assert events[-1].HasField("completed")
    assert not warnings(events), warnings(events)
    assert [task_of(r) for r in llm.chat_requests].count("repair-slide") == 0


async def test_unsupported_parameters_are_dropped_and_remembered(tmp_path: Path, llm: FakeLLMServer) -> None:
    model = DeckModel()

    def picky(request: RecordedRequest) -> Reply:
        # Like a llama.cpp server of a certain age: no JSON schema, no stream_options.
        return Reply(
            **{**model.respond(request).__dict__, "reject_params": {"response_format", "stream_options"}}
        )

    llm.responder = picky
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Picky server", slide_count=4))
    assert events[-1].HasField("completed")
    accepted = [r for r in llm.chat_requests if r.status == 200]
    assert len(accepted) == 4  # outline + 3 slides, each once it was sent without the options
    assert all(r.body is not None and "response_format" not in r.body for r in accepted)
    assert all(r.body is not None and "stream_options" not in r.body for r in accepted)
    rejected = [r for r in llm.chat_requests if r.status == 400]
    assert len(rejected) <= 3, "once learnt, an unsupported option is not sent again"
    # Without usage from the server, usage is estimated rather than reported as zero.
    assert events[-1].completed.presentation.usage.completion_tokens > 0


async def test_rate_limits_are_retried_after_the_time_the_server_asks(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.enqueue(Reply(status=429, retry_after=0.4, error_message="slow down"))
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Rate limits", slide_count=3))
    assert events[-1].HasField("completed")
    first, second = llm.chat_requests[:2]
    assert first.status == 429 and task_of(second) == "outline"
    assert second.received_at - first.received_at >= 0.4


async def test_a_dead_primary_is_skipped_once_its_circuit_opens_and_probed_after_the_cooldown(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    with FakeLLMServer(api_key="sk-backup") as backup:
        backup.responder = DeckModel().respond
        llm.responder = lambda request: Reply(status=500, error_message="boom")
        async with llm_server(
            tmp_path,
            llm,
            LLM_BACKUP_BASE_URLS=backup.base_url,
            LLM_BACKUP_API_KEYS="sk-backup",
            LLM_BACKUP_MODELS="backup-model",
            LLM_BREAKER_THRESHOLD="2",
            LLM_BREAKER_COOLDOWN="2",
        ) as server:
            events = await generate(server, spb.GeneratePresentationRequest(topic="Failover", slide_count=10))
            assert events[-1].HasField("completed")
            assert len(backup.chat_requests) == 10  # the outline and nine slides
            assert all(r.body is not None and r.body["model"] == "backup-model" for r in backup.chat_requests)
            assert backup.chat_requests[0].headers["authorization"] == "Bearer sk-backup"
            # Without a breaker: three tries for each of the ten calls. With it: one try for the
            # outline (a backup is there), one slide at a time while it fails, until two failures
            # in a row open its circuit and every other call skips it.
            assert len(llm.chat_requests) == 2

            # After the cooldown one call probes the primary; still down, so the circuit opens again.
            await asyncio.sleep(2.5)
            before = len(llm.chat_requests)
            events = await generate(server, spb.GeneratePresentationRequest(topic="Probe", slide_count=4))
            assert events[-1].HasField("completed")
            assert len(llm.chat_requests) - before == 1

            # Back up: the next probe succeeds, the circuit closes and the primary writes everything.
            llm.responder = DeckModel().respond
            await asyncio.sleep(2.5)
            before, backup_before = len(llm.chat_requests), len(backup.chat_requests)
            events = await generate(server, spb.GeneratePresentationRequest(topic="Healed", slide_count=4))
            assert events[-1].HasField("completed")
            assert len(llm.chat_requests) - before == 4
            assert len(backup.chat_requests) == backup_before
        assert not backup.errors


async def test_with_the_default_breaker_a_dead_primary_costs_a_handful_of_calls_per_deck(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    with FakeLLMServer(api_key="sk-backup") as backup:
        backup.responder = DeckModel().respond
        llm.responder = lambda request: Reply(status=503)
        async with llm_server(
            tmp_path, llm, LLM_BACKUP_BASE_URLS=backup.base_url, LLM_BACKUP_API_KEYS="sk-backup"
        ) as server:
            for topic in ("First", "Second"):
                events = await generate(server, spb.GeneratePresentationRequest(topic=topic, slide_count=10))
                assert events[-1].HasField("completed")
    # Thirty before (three tries for each of ten calls); now at most LLM_BREAKER_THRESHOLD (5) in
    # all, after which the open circuit spares the second deck too.
    assert 1 <= len(llm.chat_requests) <= 5
    assert len(backup.chat_requests) == 20


async def test_no_provider_at_all_fails_clearly(tmp_path: Path, llm: FakeLLMServer) -> None:
    llm.responder = lambda request: Reply(status=503, error_message="overloaded")
    async with llm_server(tmp_path, llm, LLM_RETRY_ATTEMPTS="2") as server:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await generate(server, spb.GeneratePresentationRequest(topic="Down", slide_count=3))
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "HTTP 503" in (caught.value.details() or "")
    assert API_KEY not in (caught.value.details() or "")


async def test_a_stalled_stream_is_abandoned_and_the_slide_still_arrives(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = on_slide(2, Reply(stall_after_tokens=5, stall_for=30)).respond
    started = time.monotonic()
    async with llm_server(tmp_path, llm, LLM_IDLE_TIMEOUT="0.5") as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Stalls", slide_count=3))
    assert time.monotonic() - started < 10
    assert events[-1].HasField("completed")
    assert [w.warning.slide_index for w in warnings(events)["SLIDE_REPAIRED"]] == [1]
    stalled = next(r for r in llm.chat_requests if slide_number(r) == 2 and task_of(r) == "slide")
    assert await llm.await_until(
        lambda s: any(r.client_closed for r in s.chat_requests if r.received_at == stalled.received_at), 2
    )


async def test_cancelling_the_call_closes_every_upstream_request(tmp_path: Path, llm: FakeLLMServer) -> None:
    llm.responder = DeckModel(tokens_per_second=40).respond
    # No grace: the caller leaving is the caller cancelling, and the model calls must stop too.
    async with llm_server(tmp_path, llm, DETACH_GRACE="0") as server:
        call = server.stub.GeneratePresentation(spb.GeneratePresentationRequest(topic="Leave", slide_count=8))
        async for event in call:
            # Mid-outline: the outline call and the first slides written ahead are all running.
            if event.HasField("outline_item") and event.outline_item.index == 3:
                break
        assert await llm.await_until(lambda s: s.in_flight >= 3, 10)
        cancelled_at = time.time()
        call.cancel()
        assert await llm.await_until(lambda s: s.in_flight == 0, 2)
    open_ones = [r for r in llm.chat_requests if r.finished_at is None]
    assert open_ones and all(r.client_closed for r in open_ones)
    assert all(r.closed_at is not None and r.closed_at - cancelled_at < 1.0 for r in open_ones)
    await asyncio.sleep(0)
