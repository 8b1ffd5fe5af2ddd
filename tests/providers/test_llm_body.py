"""Reading a model's streamed body: paced by one shared tick on plain TCP, or as it arrives."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import pairwise

import aiohttp
import openai
import pytest
import uvloop

from deckgen.providers.llm import (
    ChatEnd,
    ChatMessage,
    ChatRequest,
    OpenAIChatModel,
    OpenAIConfig,
    ReadPace,
    StreamBroken,
    TextDelta,
    _body,
    _openai,
)
from deckgen.providers.llm._body import _CROWD, _PHASES, _Ticker, _ticker
from tests.support.fake_llm import FakeLLMServer, Reply, tokenize

API_KEY = "sk-test-body"
REQUEST = ChatRequest((ChatMessage("user", "Write about tides."),), purpose="slides")


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=API_KEY) as server:
        yield server
        assert server.errors == []


def adapter(llm: FakeLLMServer, read_interval: float) -> OpenAIChatModel:
    return OpenAIChatModel(OpenAIConfig("primary", llm.base_url, API_KEY, read_interval=read_interval))


async def text_and_end(model: OpenAIChatModel) -> tuple[str, ChatEnd]:
    text, ends = "", []
    async for event in model.stream(REQUEST):
        if isinstance(event, TextDelta):
            text += event.text
        else:
            ends.append(event)
    (end,) = ends
    return text, end


@pytest.mark.parametrize("read_interval", [0.0, 0.02, 0.2])
async def test_concurrent_streams_arrive_whole_whatever_the_pace(
    llm: FakeLLMServer, read_interval: float
) -> None:
    contents = [f"Stream {n} says: " + "tides rise and fall, " * (5 + n) for n in range(6)]
    pending = list(contents)
    llm.responder = lambda request: Reply(content=pending.pop(0), tokens_per_second=80.0)
    model = adapter(llm, read_interval)
    try:
        replies = await asyncio.gather(*(text_and_end(model) for _ in contents))
    finally:
        await model.aclose()

    assert sorted(text for text, _ in replies) == sorted(contents)
    for text, end in replies:
        assert end.completion_tokens == len(tokenize(text)) and end.usage_reported


async def test_a_consumer_cancelled_between_ticks_leaves_the_adapter_usable(llm: FakeLLMServer) -> None:
    # Cancelled while its connection is paused for the next tick: the connection must not go back
    # to the pool paused, and the provider must see the request closed.
    llm.enqueue(Reply(content="slow " * 100, tokens_per_second=5.0), Reply(content="Quick answer."))
    model = adapter(llm, 0.2)

    async def consume() -> None:
        async for _ in model.stream(REQUEST):
            pass

    try:
        task = asyncio.create_task(consume())
        assert await llm.await_until(
            lambda server: any(r.tokens_sent >= 2 for r in server.chat_requests), timeout=5.0
        )
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await llm.await_until(lambda server: server.chat_requests[0].client_closed, timeout=2.0)
        text, end = await asyncio.wait_for(text_and_end(model), 10.0)
    finally:
        await model.aclose()

    assert text == "Quick answer." and end.completion_tokens == len(tokenize(text))


def tcp_pair() -> tuple[socket.socket, socket.socket]:
    """Two ends of a loopback TCP connection: only TCP honours the low-water mark when polled."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        ours = socket.create_connection(listener.getsockname())
        peer, _ = listener.accept()
    return ours, peer


async def test_a_tick_releases_only_the_connections_with_data() -> None:
    loop = asyncio.get_running_loop()
    ticker = _Ticker(loop, 0.01)
    quiet, quiet_peer = tcp_pair()
    busy, busy_peer = tcp_pair()
    quiet_reader, quiet_writer = await asyncio.open_connection(sock=quiet)
    busy_reader, busy_writer = await asyncio.open_connection(sock=busy)
    try:
        assert ticker.hold(quiet.fileno(), quiet_writer.get_extra_info("socket"))
        assert ticker.hold(busy.fileno(), busy_writer.get_extra_info("socket"))
        busy_peer.send(b"data: {}\n\n")

        assert await asyncio.wait_for(busy_reader.read(100), 5.0) == b"data: {}\n\n"
        await asyncio.sleep(0.05)  # several more ticks: the quiet one still has nothing to read
        assert quiet.fileno() in ticker._held and busy.fileno() not in ticker._held

        quiet_peer.close()  # a hang-up is news too: its reader must see the end
        assert await asyncio.wait_for(quiet_reader.read(100), 5.0) == b""
    finally:
        ticker.release(quiet.fileno())
        ticker.release(busy.fileno())
        for writer in (quiet_writer, busy_writer):
            writer.close()
        for sock in (quiet_peer, busy_peer):
            sock.close()


@pytest.mark.parametrize("loop_name", ["asyncio", "uvloop"])
def test_data_on_a_held_socket_waits_for_the_tick(loop_name: str) -> None:
    # The kernel keeps a held socket's data without reporting it: nothing wakes the loop (or
    # reaches the reader) before the tick, and the tick delivers it.
    async def waited() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        ticker = _Ticker(loop, 0.25)
        ours, peer = tcp_pair()
        reader, writer = await asyncio.open_connection(sock=ours)
        try:
            await asyncio.sleep(0.26 - loop.time() % 0.25)  # just past a slot: the tick is ~0.24 s away
            assert ticker.hold(ours.fileno(), writer.get_extra_info("socket"))
            tick_at = ticker._slot * 0.25
            peer.send(b"data: {}\n\n")
            sent = loop.time()
            assert await asyncio.wait_for(reader.read(100), 5.0) == b"data: {}\n\n"
            return loop.time() - sent, tick_at - sent
        finally:
            ticker.release(ours.fileno())
            writer.close()
            peer.close()

    with asyncio.Runner(loop_factory=LOOPS[loop_name]) as runner:
        waited_s, until_tick_s = runner.run(waited())
    assert until_tick_s > 0.1
    assert until_tick_s - 0.002 <= waited_s <= until_tick_s + 0.1, (waited_s, until_tick_s)


async def test_a_crowd_of_streams_is_held_in_groups_whose_ticks_are_spread_over_the_interval() -> None:
    # A tick reads every stream it held in one turn of the loop: beyond `_CROWD`, streams go to a
    # ticker of another phase, so that a burst of decks is read a group at a time.
    pairs = [tcp_pair() for _ in range(2 * _CROWD + 1)]
    tickers: list[_Ticker] = []
    try:
        for ours, _ in pairs:
            ticker = _ticker(0.2)
            assert ticker is not None and ticker.hold(ours.fileno(), ours)
            tickers.append(ticker)
        groups = {id(t): t for t in tickers}
        assert len(groups) == 3 and all(len(t._held) <= _CROWD for t in groups.values())
        # The second phase ticks halfway between the first's ticks, the third a quarter in.
        assert [t._offset for t in groups.values()] == [0.0, 0.1, 0.05]
    finally:
        for (ours, peer), ticker in zip(pairs, tickers, strict=False):
            ticker.release(ours.fileno())
            ours.close()
            peer.close()
    assert _PHASES * _CROWD >= 500  # a burst of 100 decks' streams is still held


async def test_any_other_http_client_is_read_through_its_own_iterator(llm: FakeLLMServer) -> None:
    # A client built on httpx2's own transport (no aiohttp underneath) still streams every token.
    content = "Tides rise and fall twice a day."
    llm.enqueue(Reply(content=content, tokens_per_second=100.0))
    client = openai.AsyncOpenAI(api_key=API_KEY, base_url=llm.base_url, max_retries=0)
    model = OpenAIChatModel(OpenAIConfig("primary", llm.base_url, API_KEY, read_interval=0.2), client=client)
    try:
        text, end = await text_and_end(model)
    finally:
        await model.aclose()

    assert text == content and end.completion_tokens == len(tokenize(content))


LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}


@pytest.mark.parametrize("loop_name", sorted(LOOPS))
def test_a_held_read_waits_for_the_shared_tick_and_an_eager_one_does_not(
    llm: FakeLLMServer, loop_name: str
) -> None:
    # The caller's ReadPace, per read, on either event loop the server runs (uvloop's transports
    # are not asyncio's classes): held, the tokens of ~150 ms come in one read; eager, one by one.
    content = "tides rise and fall, " * 8
    llm.responder = lambda request: Reply(content=content, tokens_per_second=100.0)

    async def reads(hold: float) -> tuple[str, int, ChatEnd]:
        model = adapter(llm, 0.0)
        loop = asyncio.get_running_loop()
        text, arrivals, ends = "", [], []
        try:
            async for event in model.stream(replace(REQUEST, pace=ReadPace(hold))):
                if isinstance(event, TextDelta):
                    text += event.text
                    arrivals.append(loop.time())
                else:
                    ends.append(event)
        finally:
            await model.aclose()
        # Tokens 10 ms apart: a gap of more than 4 ms between two means they came in two reads.
        return (
            text,
            1 + sum(1 for a, b in pairwise(arrivals) if b - a > 0.004),
            ends[0],
        )

    with asyncio.Runner(loop_factory=LOOPS[loop_name]) as runner:
        held_text, held_reads, held_end = runner.run(reads(0.15))
        eager_text, eager_reads, _ = runner.run(reads(0.0))

    tokens = len(tokenize(content))
    assert held_text == eager_text == content
    assert held_end.completion_tokens == tokens and held_end.usage_reported
    assert held_reads <= tokens // 4, (held_reads, tokens)
    assert eager_reads >= tokens // 2, (eager_reads, tokens)


@pytest.mark.parametrize("loop_name", sorted(LOOPS))
def test_a_held_socket_costs_one_tick_per_interval(loop_name: str) -> None:
    # uvloop runs timers up to a millisecond early: a ticker re-armed from the clock alone would
    # wake twice in about half of its slots.
    async def ticks() -> int:
        loop = asyncio.get_running_loop()
        ticker = _Ticker(loop, 0.02)
        fired = 0
        tick = ticker._tick

        def counted() -> None:
            nonlocal fired
            fired += 1
            tick()

        ticker._tick = counted  # type: ignore[method-assign]
        quiet, quiet_peer = tcp_pair()
        _, writer = await asyncio.open_connection(sock=quiet)
        try:
            assert ticker.hold(quiet.fileno(), writer.get_extra_info("socket"))
            await asyncio.sleep(0.5)
        finally:
            ticker.release(quiet.fileno())
            writer.close()
            quiet_peer.close()
        return fired

    with asyncio.Runner(loop_factory=LOOPS[loop_name]) as runner:
        fired = runner.run(ticks())
    assert fired <= 0.5 / 0.02 + 1, fired


@pytest.mark.parametrize("loop_name", sorted(LOOPS))
def test_a_reply_wanted_whole_is_read_once_when_the_server_hangs_up_after_it(
    llm: FakeLLMServer, loop_name: str
) -> None:
    # 36 tokens 10 ms apart (about 9 KB): held for 0.1 s ticks they take four reads or more.
    # Wanted whole, the server is asked to close the connection after the reply, and its hang-up
    # wakes the loop for all of it at once: not at a tick, nor at the idle timeout. (A token may
    # come before the mark is up.)
    content = "tides rise and fall, " * 6
    llm.responder = lambda request: Reply(content=content, tokens_per_second=100.0)

    async def whole() -> tuple[list[str], ChatEnd, float]:
        model = adapter(llm, 0.0)
        deltas, ends, arrived = [], [], 0.0
        try:
            async for event in model.stream(replace(REQUEST, pace=ReadPace(0.1, whole=True))):
                if isinstance(event, TextDelta):
                    deltas.append(event.text)
                    arrived = time.time()
                else:
                    ends.append(event)
        finally:
            await model.aclose()
        return deltas, ends[0], arrived

    with asyncio.Runner(loop_factory=LOOPS[loop_name]) as runner:
        deltas, end, arrived = runner.run(whole())

    (record,) = llm.chat_requests
    assert "".join(deltas) == content and len(deltas) <= 2, deltas
    assert end.completion_tokens == len(tokenize(content)) and end.usage_reported
    assert record.headers.get("connection") == "close"
    assert record.finished_at is not None and 0 <= arrived - record.finished_at < 0.5


def _sse(payload: object) -> bytes:
    data = b"data: " + (payload if isinstance(payload, bytes) else json.dumps(payload).encode()) + b"\n\n"
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def test_a_server_that_keeps_the_connection_open_has_its_reply_read_as_it_streams() -> None:
    # HTTP/1.1 obliges a server asked for `Connection: close` to close after its response. One that
    # does not (and says so) must not leave the reply's last bytes unread until the idle timeout:
    # the reply is then read the usual way, and the connection serves the next call.
    pieces = ["Tides ", "rise ", "and ", "fall."]
    asked: list[str] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await reader.readuntil(b"\r\n\r\n"):
            lines = head.decode("latin-1").lower().split("\r\n")
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            asked.append(headers.get("connection", ""))
            await reader.readexactly(int(headers["content-length"]))
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                b"transfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n"
            )
            for piece in pieces:
                delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                writer.write(_sse({"model": "m", "choices": [delta]}))
                await asyncio.sleep(0.02)
            usage = {"prompt_tokens": 5, "completion_tokens": len(pieces), "total_tokens": 9}
            writer.write(_sse({"model": "m", "choices": [], "usage": usage}) + _sse(b"[DONE]") + b"0\r\n\r\n")

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    model = OpenAIChatModel(OpenAIConfig("primary", f"http://127.0.0.1:{port}/v1", API_KEY))
    try:
        for _ in range(2):
            text, ends = "", []
            async with asyncio.timeout(5.0):
                async for event in model.stream(replace(REQUEST, pace=ReadPace(0.1, whole=True))):
                    if isinstance(event, TextDelta):
                        text += event.text
                    else:
                        ends.append(event)
            assert text == "".join(pieces) and ends[0].completion_tokens == len(pieces)
    finally:
        await model.aclose()
        server.close()
    assert asked == ["close", "close"]


async def test_replies_are_read_whole_only_while_few_stream(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With many replies streaming, a busy model server's hang-up lags the reply's last bytes, and
    # the loop's wakes find several tokens each anyway: the next reply streams as usual.
    monkeypatch.setattr(_openai, "_WHOLE_WITH_AT_MOST", 1)
    llm.enqueue(Reply(content="slow " * 20, tokens_per_second=20.0), Reply(content="Quick answer."))
    model = adapter(llm, 0.0)
    wanted_whole = replace(REQUEST, pace=ReadPace(0.1, whole=True))

    async def text() -> str:
        return "".join([e.text async for e in model.stream(wanted_whole) if isinstance(e, TextDelta)])

    try:
        slow = asyncio.create_task(text())
        assert await llm.await_until(lambda server: any(r.tokens_sent for r in server.chat_requests), 5.0)
        assert await asyncio.wait_for(text(), 5.0) == "Quick answer."
        assert await asyncio.wait_for(slow, 10.0) == "slow " * 20
    finally:
        await model.aclose()
    first, second = (r.headers.get("connection") for r in llm.chat_requests)
    assert first == "close" and second != "close"


async def test_a_slow_reply_held_to_its_end_is_not_taken_for_a_silent_one(llm: FakeLLMServer) -> None:
    # Tokens every 50 ms for 1.2 s never fill the mark, and the loop is not woken for them: the
    # idle limit (0.3 s) finds them waiting unread, has them read, and lets the reply go on. A
    # stall past it then still ends the stream, with the text that came before (StreamBroken).
    content = "tides rise and fall, " * 6
    llm.enqueue(
        Reply(content=content, tokens_per_second=20.0),
        Reply(content=content, tokens_per_second=20.0, stall_after_tokens=10, stall_for=30.0),
    )
    model = OpenAIChatModel(OpenAIConfig("primary", llm.base_url, API_KEY, idle_timeout=0.3))
    wanted_whole = replace(REQUEST, pace=ReadPace(0.1, whole=True))
    try:
        text = "".join([e.text async for e in model.stream(wanted_whole) if isinstance(e, TextDelta)])
        assert text == content
        with pytest.raises(StreamBroken) as broken:
            async for _ in model.stream(wanted_whole):
                pass
    finally:
        await model.aclose()
    assert broken.value.partial == "".join(tokenize(content)[:10])


class _Connection:
    """What a StreamReader asks of its connection: pausing and resuming reads."""

    def __init__(self) -> None:
        self._reading_paused = False

    def pause_reading(self) -> None:
        self._reading_paused = True

    def resume_reading(self, resume_parser: bool = True) -> None:
        self._reading_paused = False


def _state(content: aiohttp.StreamReader) -> tuple[object, ...]:
    return (
        content._size,
        content._cursor,
        content._buffer_offset,
        list(content._buffer),
        list(content._http_chunk_splits or ()),
        content.total_bytes,
        content._protocol._reading_paused,
        content.at_eof(),
    )


@pytest.mark.parametrize("seed", range(4))
async def test_a_read_takes_what_aiohttps_own_reads_take_and_leaves_the_reader_as_they_do(seed: int) -> None:
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    ours, theirs = (aiohttp.StreamReader(_Connection(), 2**10, loop=loop) for _ in range(2))  # type: ignore[arg-type]
    for content in (ours, theirs):
        content.begin_http_chunk_receiving()
    for _ in range(400):
        action = rng.random()
        if action < 0.6:
            data = rng.randbytes(rng.choice([1, 30, 180, 900]))
            for content in (ours, theirs):
                content.feed_data(data)
                content.end_http_chunk_receiving()
        elif action < 0.7:
            size = rng.randint(1, 200)  # a partial read by someone else leaves an offset behind
            assert ours.read_nowait(size) == theirs.read_nowait(size)
        else:
            assert _body._take(ours) == theirs.read_nowait()
        assert _state(ours) == _state(theirs)
    for content in (ours, theirs):
        content.feed_eof()
    assert await _body._any(ours) == await theirs.readany()
    assert _state(ours) == _state(theirs)
    assert await _body._any(ours) == await theirs.readany() == b""
