"""The OpenAI-compatible adapter and failover, against the loopback fake server through the real SDK."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from typing import Any

import openai
import pytest
from openai._utils._json import openapi_dumps

from deckgen.providers._retry import RetryPolicy
from deckgen.providers.llm import (
    ChatEnd,
    ChatEvent,
    ChatMessage,
    ChatModel,
    ChatRequest,
    FailoverChatModel,
    OpenAIChatModel,
    OpenAIConfig,
    ProviderFailed,
    StreamBroken,
    TextDelta,
    estimate_tokens,
)
from tests.support.fake_llm import FakeLLMServer, Reply, tokenize

API_KEY = "sk-test-primary"
BACKUP_KEY = "sk-test-backup"
FAST = RetryPolicy(attempts=3, base_delay=0.01)
MESSAGES = (ChatMessage("system", "You write slides."), ChatMessage("user", "Three bullets on tides."))
REQUEST = ChatRequest(MESSAGES, purpose="slides")
SCHEMA_REQUEST = ChatRequest(MESSAGES, purpose="slides", schema={"type": "object"}, schema_name="slide")
CONTENT = "Tides rise and fall twice a day, pulled by the Moon."


def config(
    server: FakeLLMServer, name: str = "primary", api_key: str = API_KEY, **changes: Any
) -> OpenAIConfig:
    return OpenAIConfig(
        name=name,
        base_url=server.base_url,
        api_key=api_key,
        outline_model="fake-outline",
        slide_model="fake-slides",
        retry=FAST,
        **changes,
    )


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=API_KEY) as server:
        yield server
        assert server.errors == []


@pytest.fixture
def backup_llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=BACKUP_KEY) as server:
        yield server
        assert server.errors == []


@pytest.fixture
async def model(llm: FakeLLMServer) -> AsyncIterator[OpenAIChatModel]:
    adapter = OpenAIChatModel(config(llm))
    yield adapter
    await adapter.aclose()


@pytest.fixture
async def backup(backup_llm: FakeLLMServer) -> AsyncIterator[OpenAIChatModel]:
    adapter = OpenAIChatModel(config(backup_llm, name="backup", api_key=BACKUP_KEY))
    yield adapter
    await adapter.aclose()


async def collect(model: ChatModel, request: ChatRequest = REQUEST) -> list[ChatEvent]:
    return [event async for event in model.stream(request)]


def split(events: list[ChatEvent]) -> tuple[str, ChatEnd]:
    """The text of the deltas and the one ChatEnd, checking it comes last and only once."""
    *deltas, end = events
    assert isinstance(end, ChatEnd)
    assert all(isinstance(event, TextDelta) for event in deltas)
    return "".join(event.text for event in deltas if isinstance(event, TextDelta)), end


async def collect_until_error(model: ChatModel, received: list[str]) -> None:
    async for event in model.stream(REQUEST):
        if isinstance(event, TextDelta):
            received.append(event.text)


# -- streaming -----------------------------------------------------------------------------------


async def test_text_deltas_then_one_chat_end_with_the_servers_usage(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    llm.enqueue(Reply(content=CONTENT, usage=(42, 9), finish_reason="length"))

    events = await collect(model)

    text, end = split(events)
    assert text == CONTENT
    # What arrived in one read goes on as one delta: never a token split across two.
    boundaries = set(itertools.accumulate(len(token) for token in tokenize(CONTENT)))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert set(itertools.accumulate(len(d) for d in deltas)) <= boundaries
    assert end == ChatEnd(42, 9, "length", "primary", "fake-slides", usage_reported=True)
    (record,) = llm.chat_requests
    assert record.body is not None
    assert record.body["model"] == "fake-slides"
    assert record.body["stream"] is True
    assert record.body["stream_options"] == {"include_usage": True}
    assert record.body["messages"] == [{"role": m.role, "content": m.content} for m in MESSAGES]
    assert "response_format" not in record.body
    assert record.headers["authorization"] == f"Bearer {API_KEY}"


async def test_purpose_picks_the_model_and_options_are_sent(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    request = ChatRequest(
        MESSAGES, purpose="outline", schema={"type": "object"}, max_tokens=300, temperature=0.3
    )

    _, end = split(await collect(model, request))

    assert end.model == "fake-outline"
    (record,) = llm.chat_requests
    assert record.body is not None
    assert record.body["model"] == "fake-outline"
    assert record.body["max_tokens"] == 300
    assert record.body["temperature"] == 0.3
    assert record.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "reply", "schema": {"type": "object"}},
    }


async def test_body_is_the_json_the_sdk_writes_call_after_call(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    # The adapter encodes the body itself (system prompt and schema once): the bytes must be what
    # the SDK would write from the same arguments, sent with the SDK's headers.
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string", "description": "Ünïcode — “quoted”"}},
    }
    messages = (
        ChatMessage("system", "Écris des diapositives « courtes »."),
        ChatMessage("user", "Marées 🌊\n"),
    )
    for text in ("un", "deux"):
        request = ChatRequest(
            (*messages[:1], ChatMessage("user", text)), purpose="outline", schema=schema, temperature=0.5
        )
        await collect(model, request)
    await collect(model, ChatRequest(messages, purpose="slides", schema=schema, schema_name="slide"))
    await collect(model, REQUEST)

    records = llm.chat_requests
    assert len(records) == 4
    for record in records:
        assert record.body is not None
        assert record.raw_body == openapi_dumps(record.body)
        assert record.headers["content-type"] == "application/json"
        assert record.headers["authorization"] == f"Bearer {API_KEY}"
    first, second, third, fourth = (record.body or {} for record in records)
    assert [m["content"] for m in second["messages"]] == ["Écris des diapositives « courtes ».", "deux"]
    assert (
        second["response_format"]
        == first["response_format"]
        == {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": schema},
        }
    )
    assert third["response_format"]["json_schema"]["name"] == "slide"
    assert third["messages"][1]["content"] == "Marées 🌊\n"
    assert list(fourth) == ["model", "messages", "stream", "stream_options"]


async def test_check_asks_for_the_models_with_the_key_and_fails_on_a_refusal(llm: FakeLLMServer) -> None:
    adapter = OpenAIChatModel(config(llm))
    wrong = OpenAIChatModel(config(llm, api_key="sk-wrong"))
    try:
        await adapter.check()
        with pytest.raises(openai.AuthenticationError):
            await wrong.check()
    finally:
        await adapter.aclose()
        await wrong.aclose()

    first, second = llm.requests
    assert (first.method, first.path, first.status) == ("GET", "/v1/models", 200)
    assert first.headers["authorization"] == f"Bearer {API_KEY}"
    assert (second.path, second.status) == ("/v1/models", 401)


async def test_a_call_answered_since_the_last_check_stands_for_its_probe(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    def probes() -> int:
        return sum(record.path == "/v1/models" for record in llm.requests)

    await collect(model)
    await model.check()
    assert probes() == 0  # the generation's answer said it all
    await model.check()
    assert probes() == 1  # nothing answered since: it asks

    await collect(model)
    llm.responder = lambda request: Reply(status=500, error_message="model crashed")
    with pytest.raises(ProviderFailed):
        await collect(model)
    await model.check()  # /models still answers: the failure was the calls'
    assert probes() == 2  # a failure after the answer: the answer no longer counts


async def test_server_without_usage_chunk_drops_stream_options_and_remembers(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    llm.responder = lambda request: Reply(content=CONTENT, reject_params={"stream_options"})

    first_text, first_end = split(await collect(model))
    second_text, second_end = split(await collect(model))

    assert first_text == second_text == CONTENT
    prompt = sum(estimate_tokens(m.content) for m in MESSAGES)
    expected = ChatEnd(
        prompt, estimate_tokens(CONTENT), "stop", "primary", "fake-slides", usage_reported=False
    )
    assert first_end == second_end == expected
    records = llm.chat_requests
    assert [r.status for r in records] == [400, 200, 200]
    assert records[0].body is not None and "stream_options" in records[0].body
    assert all(r.body is not None and "stream_options" not in r.body for r in records[1:])


async def test_response_format_degrades_to_json_object_then_none_and_remembers(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    llm.responder = lambda request: Reply(content='{"title": "T"}', reject_params={"response_format"})

    text, end = split(await collect(model, SCHEMA_REQUEST))
    again, _ = split(await collect(model, SCHEMA_REQUEST))

    assert text == again == '{"title": "T"}'
    assert end.usage_reported  # only the response format was dropped
    records = llm.chat_requests
    assert [r.status for r in records] == [400, 400, 200, 200]
    formats = [(r.body or {}).get("response_format") for r in records]
    assert formats == [
        {"type": "json_schema", "json_schema": {"name": "slide", "schema": {"type": "object"}}},
        {"type": "json_object"},
        None,
        None,
    ]


# -- retries -------------------------------------------------------------------------------------


async def test_rate_limit_is_retried_after_retry_after(model: OpenAIChatModel, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(status=429, retry_after=0.2), Reply(content="after the wait"))

    started = time.monotonic()
    text, _ = split(await collect(model))
    elapsed = time.monotonic() - started

    assert text == "after the wait"
    assert elapsed >= 0.2
    first, second = llm.chat_requests
    assert (first.status, second.status) == (429, 200)
    assert second.received_at - first.received_at >= 0.2


async def test_retry_after_beyond_the_limit_fails_at_once(llm: FakeLLMServer) -> None:
    adapter = OpenAIChatModel(config(llm))
    llm.enqueue(Reply(status=429, retry_after=120))
    try:
        with pytest.raises(ProviderFailed) as caught:
            await collect(adapter)
    finally:
        await adapter.aclose()
    assert (caught.value.status, caught.value.attempts, caught.value.retryable) == (429, 1, True)
    assert len(llm.chat_requests) == 1


async def test_server_errors_every_time_give_provider_failed_after_all_attempts(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    llm.responder = lambda request: Reply(status=500, error_message="model crashed")

    with pytest.raises(ProviderFailed) as caught:
        await collect(model)

    failure = caught.value
    assert (failure.provider, failure.status, failure.attempts, failure.retryable) == (
        "primary",
        500,
        3,
        True,
    )
    # Our words and the status, never the provider's body (it may quote the key it was sent).
    assert failure.message == "HTTP 500 (server error)" and "model crashed" not in str(failure)
    assert len(failure.details) == 3
    assert len(llm.chat_requests) == 3


async def test_bad_api_key_fails_at_once_without_retrying(llm: FakeLLMServer) -> None:
    adapter = OpenAIChatModel(config(llm, api_key="sk-wrong"))
    try:
        with pytest.raises(ProviderFailed) as caught:
            await collect(adapter)
    finally:
        await adapter.aclose()

    assert (caught.value.status, caught.value.attempts, caught.value.retryable) == (401, 1, False)
    assert str(caught.value) == "primary: HTTP 401 (API key refused)"
    assert [r.status for r in llm.chat_requests] == [401]


async def test_a_key_quoted_in_the_providers_error_body_never_reaches_the_failure(llm: FakeLLMServer) -> None:
    leaked = "sk-proj-Zx81LeakedKeyDoNotShow0000"
    llm.responder = lambda request: Reply(status=401, error_message=f"Incorrect API key provided: {leaked}.")
    adapter = OpenAIChatModel(config(llm, name="backup-1"))
    try:
        with pytest.raises(ProviderFailed) as caught:
            await collect(FailoverChatModel([adapter]))
    finally:
        await adapter.aclose()
    failure = caught.value
    assert str(failure) == "backup-1: HTTP 401 (API key refused)"
    assert leaked not in repr(failure) and "Incorrect" not in repr(failure)


async def test_stream_cut_after_some_tokens_is_stream_broken_with_the_partial_text(
    model: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    llm.enqueue(Reply(content=CONTENT, cut_after_tokens=4))
    received: list[str] = []

    with pytest.raises(StreamBroken) as caught:
        await collect_until_error(model, received)

    assert "".join(received) == "".join(tokenize(CONTENT)[:4])
    assert caught.value.partial == "".join(received)
    assert caught.value.provider == "primary"
    (record,) = llm.chat_requests  # text had arrived: no retry
    assert record.cut


async def test_idle_stall_before_any_token_is_retried(llm: FakeLLMServer) -> None:
    adapter = OpenAIChatModel(config(llm, idle_timeout=0.3))
    llm.enqueue(Reply(content="never sent", stall=0.8), Reply(content="second try"))
    started = time.monotonic()
    try:
        text, _ = split(await collect(adapter))
    finally:
        await adapter.aclose()

    assert text == "second try"
    assert 0.3 <= time.monotonic() - started < 0.8
    first, second = llm.chat_requests
    assert first.status is None and first.tokens_sent == 0
    assert second.status == 200


async def test_idle_stall_after_some_tokens_is_stream_broken(llm: FakeLLMServer) -> None:
    adapter = OpenAIChatModel(config(llm, idle_timeout=0.3))
    llm.enqueue(Reply(content=CONTENT, stall_after_tokens=2, stall_for=0.8))
    received: list[str] = []
    try:
        with pytest.raises(StreamBroken, match="timed out") as caught:
            await collect_until_error(adapter, received)
    finally:
        await adapter.aclose()

    assert caught.value.partial == "".join(tokenize(CONTENT)[:2]) == "".join(received)
    assert len(llm.chat_requests) == 1


async def test_a_slow_consumer_is_never_timed_out_as_an_idle_provider(llm: FakeLLMServer) -> None:
    # Silence counts from the moment the adapter waits, not from the last data: the consumer's own
    # time between tokens (here longer than the idle limit each time) is not the provider's.
    adapter = OpenAIChatModel(config(llm, idle_timeout=0.2))
    content = "Six short tokens arrive here."
    llm.enqueue(Reply(content=content, usage=(3, 7), tokens_per_second=20))
    text = ""
    end: ChatEnd | None = None
    try:
        async for event in adapter.stream(REQUEST):
            if isinstance(event, TextDelta):
                text += event.text
                await asyncio.sleep(0.25)
            else:
                end = event
    finally:
        await adapter.aclose()

    assert text == content
    assert end is not None and end.completion_tokens == 7
    assert len(llm.chat_requests) == 1


# -- failover ------------------------------------------------------------------------------------


async def test_failover_to_the_backup_when_the_primary_keeps_failing(
    model: OpenAIChatModel, backup: OpenAIChatModel, llm: FakeLLMServer, backup_llm: FakeLLMServer
) -> None:
    llm.responder = lambda request: Reply(status=500)
    backup_llm.responder = lambda request: Reply(content="Written by the backup.", usage=(5, 6))
    failover = FailoverChatModel([model, backup])

    text, end = split(await collect(failover))

    assert text == "Written by the backup."
    assert (end.provider, end.prompt_tokens, end.completion_tokens) == ("backup", 5, 6)
    # With a backup to go to, the primary gets one try: backing off to retry it would only delay.
    assert len(llm.chat_requests) == 1
    assert len(backup_llm.chat_requests) == 1
    assert failover.name == "primary"


async def test_failover_reports_every_provider_when_all_fail(
    model: OpenAIChatModel, backup: OpenAIChatModel, llm: FakeLLMServer, backup_llm: FakeLLMServer
) -> None:
    llm.responder = lambda request: Reply(status=503)
    backup_llm.responder = lambda request: Reply(status=500)

    with pytest.raises(ProviderFailed) as caught:
        await collect(FailoverChatModel([model, backup]))

    assert caught.value.provider == "primary → backup"
    assert (caught.value.status, caught.value.attempts) == (500, 1 + 3)  # the last one retries
    assert "primary: HTTP 503" in caught.value.message and "backup: HTTP 500" in caught.value.message


async def test_a_primary_that_breaks_mid_stream_is_not_failed_over(
    model: OpenAIChatModel, backup: OpenAIChatModel, llm: FakeLLMServer, backup_llm: FakeLLMServer
) -> None:
    llm.enqueue(Reply(content=CONTENT, cut_after_tokens=3))
    received: list[str] = []

    with pytest.raises(StreamBroken) as caught:
        await collect_until_error(FailoverChatModel([model, backup]), received)

    assert caught.value.provider == "primary"
    assert caught.value.partial == "".join(received) == "".join(tokenize(CONTENT)[:3])
    assert backup_llm.chat_requests == []


def test_failover_needs_a_model() -> None:
    with pytest.raises(ValueError, match="at least one"):
        FailoverChatModel([])


# -- cancellation --------------------------------------------------------------------------------


async def test_closing_the_consumer_early_closes_the_http_response(
    model: OpenAIChatModel, backup: OpenAIChatModel, llm: FakeLLMServer
) -> None:
    llm.enqueue(Reply(content="word " * 200, tokens_per_second=50))
    first: list[ChatEvent] = []

    async with aclosing(FailoverChatModel([model, backup]).stream(REQUEST)) as events:
        async for event in events:
            first.append(event)
            break
    closed_at = time.time()

    assert first == [TextDelta("word")]
    assert await llm.await_until(lambda server: server.chat_requests[0].client_closed, timeout=1.0)
    (record,) = llm.chat_requests
    assert record.closed_at is not None and record.closed_at - closed_at < 1.0
    assert record.tokens_sent < len(tokenize("word " * 200))
