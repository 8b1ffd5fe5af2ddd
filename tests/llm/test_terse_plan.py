"""A deck written at once is planned tersely; an outline asked for first keeps its key points."""

from __future__ import annotations

from pathlib import Path

from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import generate, llm_server
from tests.support.deck_model import DeckModel, slide_number, task_of
from tests.support.fake_llm import FakeLLMServer, RecordedRequest


def _system(request: RecordedRequest) -> str:
    assert request.body is not None
    return str(request.body["messages"][0]["content"])


def _user(request: RecordedRequest) -> str:
    assert request.body is not None
    return str(request.body["messages"][1]["content"])


async def test_a_deck_written_at_once_plans_titles_layouts_and_one_line_each(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = DeckModel(tokens_per_second=400).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Caching", slide_count=6))
    assert events[-1].HasField("completed")

    outline_call = next(r for r in llm.chat_requests if task_of(r) == "outline")
    assert outline_call.body is not None
    items = outline_call.body["response_format"]["json_schema"]["schema"]["properties"]["slides"]["items"]
    assert items["required"] == ["title", "layout", "intent"]
    assert "key_points" not in items["properties"]
    assert outline_call.body["max_tokens"] == 600  # half a full plan's budget (1200 for 5 items)

    # Each writer sees every planned slide's line (what the others cover) and its own to write.
    slide_calls = {slide_number(r) or 0: r for r in llm.chat_requests if task_of(r) == "slide"}
    assert sorted(slide_calls) == [2, 3, 4, 5, 6]
    last = _user(slide_calls[6])
    for number in range(2, 6):
        assert f"in part {number - 1}, with one measured example" in last
    mine = _user(slide_calls[3])
    assert "What this slide covers: Why" in mine and "in part 2, with one measured example" in mine
    assert "Key points:" not in mine

    items_sent = [e.outline_item.item for e in events if e.HasField("outline_item")]
    assert all(len(item.key_points) == 1 for item in items_sent[1:])
    titles = [e.slide.slide.title for e in events if e.HasField("slide")]
    assert len(set(titles)) == len(titles) == 6


async def test_generate_outline_still_returns_key_points_to_edit(tmp_path: Path, llm: FakeLLMServer) -> None:
    async with llm_server(tmp_path, llm) as server:
        request = spb.GenerateOutlineRequest(topic="Caching", slide_count=6)
        events = [e async for e in server.stub.GenerateOutline(request, timeout=60)]
    assert events[-1].HasField("completed")
    (outline_call,) = llm.chat_requests
    assert outline_call.body is not None
    schema = outline_call.body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["slides"]["items"]["required"] == ["title", "layout", "key_points"]
    assert "2-5 key points" in _system(outline_call)
    items = [e.outline_item.item for e in events if e.HasField("outline_item")]
    assert len(items) == 6
    assert all(len(item.key_points) == 3 for item in items[1:])
    assert items[1].key_points[0].endswith("long before dashboards show it")
