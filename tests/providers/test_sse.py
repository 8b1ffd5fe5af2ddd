"""The event-stream splitter, fed the way a socket delivers bytes: whole, byte by byte, split anywhere."""

from __future__ import annotations

import json

import pytest

from deckgen.providers.llm._sse import SSESplitter, StreamTooLarge

STREAM = (
    b": keep-alive comment\n\n"
    b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'
    b"event: message\nid: 7\n"
    b'data: {"choices":[{"delta":{"content":"lo \xc3\xa9"}}]}\n\n'
    b"data:[DONE]\n\n"
)
EVENTS = [
    b'{"choices":[{"delta":{"content":"Hel"}}]}',
    b'{"choices":[{"delta":{"content":"lo \xc3\xa9"}}]}',
    b"[DONE]",
]


def feed_all(pieces: list[bytes]) -> list[bytes]:
    splitter = SSESplitter()
    return [event for piece in pieces for event in splitter.feed(piece)]


def test_whole_stream_gives_the_data_of_each_event_and_skips_other_fields() -> None:
    assert feed_all([STREAM]) == EVENTS
    assert json.loads(EVENTS[1])["choices"][0]["delta"]["content"] == "lo é"


@pytest.mark.parametrize("line_end", [b"\r\n", b"\r"])
def test_every_line_ending_the_grammar_allows(line_end: bytes) -> None:
    assert feed_all([STREAM.replace(b"\n", line_end)]) == EVENTS


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n", b"\r"])
def test_split_at_every_byte(line_end: bytes) -> None:
    stream = STREAM.replace(b"\n", line_end)
    assert feed_all([stream[i : i + 1] for i in range(len(stream))]) == EVENTS
    for cut in range(len(stream)):
        assert feed_all([stream[:cut], stream[cut:]]) == EVENTS, cut


def test_multi_line_data_is_joined_and_an_unfinished_event_waits() -> None:
    splitter = SSESplitter()
    assert splitter.feed(b"data: one\ndata: two\n") == []
    assert splitter.feed(b"\ndata: three") == [b"one\ntwo"]
    assert splitter.feed(b"\n\n") == [b"three"]


def test_an_endless_line_is_refused() -> None:
    splitter = SSESplitter()
    for _ in range(8):
        splitter.feed(b"x" * 1024 * 1024)
    with pytest.raises(StreamTooLarge):
        splitter.feed(b"x")
