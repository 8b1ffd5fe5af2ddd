"""Reading a chunk's text without parsing the whole chunk: the same text as the parse, or no answer."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from deckgen.providers.llm._openai import _text_only


def chunk(
    delta: dict[str, Any], *, finish: str | None = None, usage: Any = "absent", **extra: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        **extra,
    }
    if usage != "absent":
        payload["usage"] = usage
    return payload


def compact(payload: object, ascii_only: bool = True) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=ascii_only).encode()


def parsed_text(data: bytes) -> str | None:
    """What the full parse takes from a chunk that carries text only."""
    payload = json.loads(data)
    (choice,) = payload["choices"]
    return str(choice["delta"]["content"])


# Text that looks like the structure the shortcut searches for, escaped inside the string.
TRICKY = st.sampled_from(
    [
        '"delta":{"content":"x"}',
        '"finish_reason":null',
        '"usage":{"completion_tokens":1}',
        '"error":"boom"',
        '"}]}',
        "\\",
        "\\u00e9",
        "é ü 漢字 🎉",
        "\n\t\r",
        "",
    ]
)


@given(st.lists(st.one_of(st.text(), TRICKY), max_size=4).map("".join), st.booleans(), st.booleans())
def test_a_text_chunk_gives_the_parsed_text(content: str, ascii_only: bool, null_usage: bool) -> None:
    data = compact(chunk({"content": content}, usage=None if null_usage else "absent"), ascii_only)
    assert _text_only(data) == parsed_text(data)


@given(st.text(), st.sampled_from(["stop", "length"]))
def test_any_other_chunk_is_left_to_the_full_parse(content: str, finish: str) -> None:
    others = [
        chunk({"content": content}, finish=finish),  # the text and the finish in one chunk
        chunk({"role": "assistant", "content": content}),
        chunk({"content": content, "role": "assistant"}),
        chunk({"content": content}, usage={"prompt_tokens": 1, "completion_tokens": 2}),
        chunk({"content": content}, error={"message": "overloaded"}),
        {**chunk({"content": content}), "choices": [chunk({"content": content})["choices"][0]] * 2},
        chunk({}, finish=None),
    ]
    for payload in others:
        assert _text_only(compact(payload)) is None
    # Spaced out (json.dumps' defaults): read by the full parse, never misread.
    assert _text_only(json.dumps(chunk({"content": content})).encode()) is None


def test_broken_chunks_are_left_to_the_full_parse_which_rejects_them() -> None:
    whole = compact(chunk({"content": "abc"}))
    for broken in (whole[:-3], whole[1:], b"\xff" + whole, whole.replace(b'"abc"', b'"ab\\x"')):
        assert _text_only(broken) is None
