"""The fake OpenAI server, driven by the real openai SDK over loopback sockets."""

from __future__ import annotations

import asyncio
import base64
import io
import time
from collections.abc import AsyncIterator, Iterator

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from PIL import Image

from tests.support.fake_llm import (
    IMAGE_GENERATIONS,
    MODELS,
    FakeLLMServer,
    RecordedRequest,
    Reply,
    count_prompt_tokens,
    tokenize,
)

API_KEY = "sk-test"
MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "You write slides."},
    {"role": "user", "content": "Three bullets on tides."},
]
# 25 pieces of exactly four characters, so pacing arithmetic in the tests is exact.
TWENTY_FIVE_TOKENS = "abcd" * 25


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=API_KEY) as server:
        yield server
        assert server.errors == []


@pytest.fixture
async def client(llm: FakeLLMServer) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=llm.base_url, api_key=API_KEY, max_retries=0) as client:
        yield client


@pytest.fixture
def sync_client(llm: FakeLLMServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=llm.base_url, api_key=API_KEY, max_retries=0) as client:
        yield client


async def collect(stream: openai.AsyncStream[ChatCompletionChunk]) -> list[ChatCompletionChunk]:
    return [chunk async for chunk in stream]


async def read_into(stream: openai.AsyncStream[ChatCompletionChunk], received: list[str]) -> None:
    """Keeps what arrived before the stream failed, which `collect` would lose with the exception."""
    async for chunk in stream:
        received.append(chunk.choices[0].delta.content or "")


def text_of(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)


def test_tokenize_round_trips_in_small_pieces() -> None:
    text = "  Tides rise twice daily;\n\nthe Moon's pull dominates.  "
    pieces = tokenize(text)
    assert "".join(pieces) == text
    assert all(len(piece.strip()) <= 4 for piece in pieces)
    assert tokenize("") == []
    assert count_prompt_tokens([{"content": "abcde"}, {"content": [{"type": "text", "text": "xyz"}]}]) == 2


async def test_completion_returns_content_and_usage(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(content="Tides follow the Moon."))

    completion = await client.chat.completions.create(model="gpt-test", messages=MESSAGES)

    assert completion.object == "chat.completion"
    assert completion.model == "gpt-test"
    assert completion.choices[0].message.content == "Tides follow the Moon."
    assert completion.choices[0].finish_reason == "stop"
    prompt_chars = len("You write slides.") + len("Three bullets on tides.")
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == -(-prompt_chars // 4)
    assert completion.usage.completion_tokens == len(tokenize("Tides follow the Moon."))
    assert (
        completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    (record,) = llm.chat_requests
    assert record.status == 200 and record.completed_at is not None and not record.client_closed


async def test_usage_override_and_model_override(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(content="x", usage=(7, 11), model="served-model", finish_reason="length"))

    completion = await client.chat.completions.create(model="asked-model", messages=MESSAGES)

    assert completion.model == "served-model"
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (7, 11)


async def test_stream_with_usage_ends_with_a_usage_chunk(
    client: openai.AsyncOpenAI, llm: FakeLLMServer
) -> None:
    content = "Spring tides come with full and new moons."
    llm.enqueue(Reply(content=content))

    stream = await client.chat.completions.create(
        model="gpt-test", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    chunks = await collect(stream)

    assert text_of(chunks) == content
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == len(tokenize(content))
    assert all(chunk.usage is None for chunk in chunks[:-1])
    (record,) = llm.chat_requests
    assert record.stream and record.tokens_sent == len(tokenize(content))
    assert record.finished_at is not None and record.completed_at is not None
    assert record.body is not None and record.body["stream_options"] == {"include_usage": True}


async def test_stream_without_include_usage_has_no_usage_chunk(
    client: openai.AsyncOpenAI, llm: FakeLLMServer
) -> None:
    llm.enqueue(Reply(content="Neap tides are weaker."))

    chunks = await collect(await client.chat.completions.create(model="m", messages=MESSAGES, stream=True))

    assert text_of(chunks) == "Neap tides are weaker."
    assert all(chunk.usage is None and chunk.choices for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_response_format_is_recorded_as_sent(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}},
        "required": ["title"],
        "additionalProperties": False,
    }
    response_format: ResponseFormatJSONSchema = {
        "type": "json_schema",
        "json_schema": {"name": "slide", "schema": schema, "strict": True},
    }
    llm.enqueue(Reply(content='{"title": "Tides"}'))

    await client.chat.completions.create(
        model="m",
        messages=MESSAGES,
        response_format=response_format,
        seed=7,
    )

    (record,) = llm.chat_requests
    assert record.body is not None
    assert record.body["response_format"] == response_format
    assert record.body["seed"] == 7
    assert record.body["messages"] == MESSAGES
    assert record.headers["authorization"] == f"Bearer {API_KEY}"
    assert record.headers["content-type"] == "application/json"


async def test_rate_limit_carries_retry_after(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(status=429, retry_after=1.5, headers={"x-ratelimit-remaining-requests": "0"}))

    with pytest.raises(openai.RateLimitError) as caught:
        await client.chat.completions.create(model="m", messages=MESSAGES)

    assert caught.value.response.headers["retry-after"] == "1.5"
    assert caught.value.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert caught.value.code == "rate_limit_exceeded"


async def test_server_error_with_message(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(status=500, error_message="model crashed"))

    with pytest.raises(openai.InternalServerError, match="model crashed"):
        await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)

    assert llm.chat_requests[0].status == 500


async def test_rejected_param_is_named_like_local_servers_do(
    client: openai.AsyncOpenAI, llm: FakeLLMServer
) -> None:
    llm.responder = lambda request: Reply(content="plain", reject_params={"response_format"})

    with pytest.raises(openai.BadRequestError, match="response_format") as caught:
        await client.chat.completions.create(
            model="m", messages=MESSAGES, response_format={"type": "json_object"}
        )
    completion = await client.chat.completions.create(model="m", messages=MESSAGES)

    assert caught.value.param == "response_format"
    assert caught.value.message.endswith("Unsupported parameter: 'response_format'")
    assert completion.choices[0].message.content == "plain"
    assert [record.status for record in llm.chat_requests] == [400, 200]


async def test_tokens_are_paced_from_the_request_start(
    client: openai.AsyncOpenAI, llm: FakeLLMServer
) -> None:
    llm.enqueue(Reply(content=TWENTY_FIVE_TOKENS, ttft=0.3, tokens_per_second=50))
    assert len(tokenize(TWENTY_FIVE_TOKENS)) == 25

    started = time.monotonic()
    stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    arrivals = [time.monotonic() - started async for chunk in stream if chunk.choices[0].delta.content]

    assert len(arrivals) == 25
    assert arrivals[0] == pytest.approx(0.3, abs=0.15)
    assert arrivals[-1] == pytest.approx(0.3 + 24 / 50, abs=0.15)
    (record,) = llm.chat_requests
    assert record.first_token_at is not None and record.finished_at is not None
    assert record.first_token_at - record.received_at == pytest.approx(0.3, abs=0.15)
    assert record.finished_at - record.received_at == pytest.approx(0.3 + 24 / 50, abs=0.15)


async def test_stall_mid_stream_pauses_then_resumes(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(content="abcdefghijklmnop", stall_after_tokens=2, stall_for=0.25))

    chunks = await collect(await client.chat.completions.create(model="m", messages=MESSAGES, stream=True))

    assert text_of(chunks) == "abcdefghijklmnop"
    (record,) = llm.chat_requests
    assert record.first_token_at is not None and record.finished_at is not None
    assert record.finished_at - record.first_token_at == pytest.approx(0.25, abs=0.1)


async def test_cut_stream_raises_after_some_content(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(content=TWENTY_FIVE_TOKENS, cut_after_tokens=5))
    received: list[str] = []

    stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
    # The SDK runs on httpx2: a truncated chunked body is an APIConnectionError over RemoteProtocolError.
    with pytest.raises(openai.APIConnectionError) as caught:
        await read_into(stream, received)

    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    assert "".join(received) == "abcd" * 5
    (record,) = llm.chat_requests
    assert record.cut and record.tokens_sent == 5 and record.finished_at is None
    assert not record.client_closed


async def test_cut_completion_raises(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(content="whole answer", cut_after_tokens=1))

    with pytest.raises(openai.APIConnectionError):
        await client.chat.completions.create(model="m", messages=MESSAGES)

    assert llm.chat_requests[0].cut


@pytest.mark.parametrize("how", ["close", "cancel"])
async def test_client_going_away_mid_stream_is_noticed(
    client: openai.AsyncOpenAI, llm: FakeLLMServer, how: str
) -> None:
    llm.enqueue(Reply(content=TWENTY_FIVE_TOKENS, tokens_per_second=5))
    first_content = asyncio.Event()

    async def consume() -> None:
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        async for chunk in stream:
            if chunk.choices[0].delta.content:
                first_content.set()
                if how == "close":
                    await stream.close()
                    return

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_content.wait(), timeout=1.0)
    if how == "cancel":
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    gone = time.time()

    assert await llm.await_until(lambda server: server.chat_requests[0].client_closed, timeout=1.0)
    (record,) = llm.chat_requests
    assert record.closed_at is not None and record.closed_at - gone < 0.2
    assert record.tokens_sent < 25 and record.finished_at is None
    assert llm.in_flight == 0


async def test_stall_trips_client_timeout(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(content="too late", stall=2.0))

    with pytest.raises(openai.APITimeoutError):
        await client.chat.completions.create(model="m", messages=MESSAGES, timeout=0.3)

    assert await llm.await_until(lambda server: server.chat_requests[0].client_closed, timeout=1.0)
    (record,) = llm.chat_requests
    assert record.status is None
    assert record.closed_at is not None and record.closed_at - record.received_at < 0.6


def test_image_generation_returns_a_png(sync_client: openai.OpenAI, llm: FakeLLMServer) -> None:
    result = sync_client.images.generate(model="img", prompt="x", response_format="b64_json")

    assert result.data is not None and result.data[0].b64_json is not None
    png = base64.b64decode(result.data[0].b64_json)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (64, 64)
    assert llm.requests[0].path == IMAGE_GENERATIONS


def test_image_bytes_come_from_the_script(sync_client: openai.OpenAI, llm: FakeLLMServer) -> None:
    llm.enqueue(Reply(image=b"not really a png"), path=IMAGE_GENERATIONS)

    result = sync_client.images.generate(model="img", prompt="x")

    assert result.data is not None and result.data[0].b64_json is not None
    assert base64.b64decode(result.data[0].b64_json) == b"not really a png"


async def test_concurrent_streams_overlap(client: openai.AsyncOpenAI, llm: FakeLLMServer) -> None:
    llm.responder = lambda request: Reply(content="abcd" * 10, tokens_per_second=50)

    async def one() -> str:
        return text_of(
            await collect(await client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
        )

    texts = await asyncio.gather(*(one() for _ in range(10)))

    assert texts == ["abcd" * 10] * 10
    assert llm.max_concurrency >= 10
    assert llm.in_flight == 0


def test_wrong_key_is_rejected(llm: FakeLLMServer) -> None:
    with (
        openai.OpenAI(base_url=llm.base_url, api_key="sk-wrong", max_retries=0) as client,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        client.chat.completions.create(model="m", messages=MESSAGES)

    assert caught.value.code == "invalid_api_key"
    assert llm.requests[0].status == 401


def test_queue_comes_before_responder_and_keeps_alive(sync_client: openai.OpenAI, llm: FakeLLMServer) -> None:
    seen: list[RecordedRequest] = []

    def responder(request: RecordedRequest) -> Reply:
        seen.append(request)
        return Reply(content="from responder")

    llm.responder = responder
    llm.enqueue(Reply(content="first"), Reply(content="second"))

    answers = [
        sync_client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
        for _ in range(3)
    ]

    assert answers == ["first", "second", "from responder"]
    assert len(seen) == 1 and seen[0].body is not None and seen[0].body["model"] == "m"
    assert llm.connections_accepted == 1


def test_models_and_unknown_routes(sync_client: openai.OpenAI, llm: FakeLLMServer) -> None:
    assert [model.id for model in sync_client.models.list()] == ["fake-llm"]
    llm.enqueue(Reply(status=503), path=MODELS)
    with pytest.raises(openai.InternalServerError):
        sync_client.models.list()
    with pytest.raises(openai.NotFoundError, match="Unknown request URL"):
        sync_client.embeddings.create(model="m", input="x")

    assert [(record.path, record.status) for record in llm.requests] == [
        (MODELS, 200),
        (MODELS, 503),
        ("/v1/embeddings", 404),
    ]
    llm.reset()
    assert llm.requests == []


def test_wait_until_polls_from_sync_code(sync_client: openai.OpenAI, llm: FakeLLMServer) -> None:
    assert not llm.wait_until(lambda server: bool(server.requests), timeout=0.05)
    sync_client.models.list()
    assert llm.wait_until(lambda server: server.requests[0].completed_at is not None, timeout=1.0)


async def test_stop_with_a_stream_in_flight_is_clean() -> None:
    llm = FakeLLMServer()
    llm.start()
    llm.enqueue(Reply(content=TWENTY_FIVE_TOKENS, tokens_per_second=5))
    async with openai.AsyncOpenAI(base_url=llm.base_url, api_key="any", max_retries=0) as client:
        stream = await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        await stream.__anext__()
        assert llm.in_flight == 1
        await asyncio.to_thread(llm.stop)
        with pytest.raises(openai.APIConnectionError):
            await collect(stream)
    assert llm.errors == []
