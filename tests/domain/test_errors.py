"""Domain errors end an event log whole: every field survives the trip through JSON."""

from __future__ import annotations

import json

import pytest

from deckgen import domain as d
from deckgen.domain._codec import from_jsonable, to_jsonable
from deckgen.domain._events import Event, Failed, SequencedEvent

ERRORS: list[d.DeckgenError] = [
    d.InvalidRequest(
        [d.FieldViolation("sources[0].content", "is empty"), d.FieldViolation("theme", "unknown")]
    ),
    d.PreconditionFailed("no model", reason="LLM_NOT_CONFIGURED", subject="OPENAI_API_KEY"),
    d.NotFound("gone", resource_type="deckgen.v1.Template", resource_name="templates/x"),
    d.AlreadyExists("used", reason="REQUEST_ID_REUSED"),
    d.CapacityExceeded("busy", subject="generations", retry_after=2.5, reason="QUEUE_FULL"),
    d.Unavailable("store down", retry_after=5.0, reason="STORAGE_UNAVAILABLE"),
    d.DeadlineExceeded("too slow", reason="GENERATION_TIMEOUT"),
    d.Cancelled("left", reason="CLIENT_CANCELLED"),
    d.GenerationFailed("broken"),
    d.DeckgenError("plain"),
]


def _fields(error: d.DeckgenError) -> tuple[type, dict[str, object]]:
    return type(error), {**vars(error), "reason": error.reason, "args": error.args}


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_failed_event_round_trips_through_json_with_every_detail(error: d.DeckgenError) -> None:
    event = SequencedEvent(7, 1.5, Failed(error))
    data = json.loads(json.dumps(to_jsonable(event)))
    back: SequencedEvent = from_jsonable(SequencedEvent, data)
    assert back.terminal and back.sequence == 7
    assert isinstance(back.event, Failed)
    assert _fields(back.event.error) == _fields(error)
    assert str(back.event.error) == str(error)


def test_failed_decodes_as_a_member_of_the_event_union() -> None:
    error = d.NotFound("gone", resource_type="deckgen.v1.Presentation", resource_name="presentations/p")
    back: Event = from_jsonable(Event, to_jsonable(Failed(error)))
    assert isinstance(back, Failed) and isinstance(back.error, d.NotFound)
    assert back.error.resource_name == "presentations/p"


def test_an_error_class_this_process_does_not_know_arrives_as_its_base() -> None:
    data = {**to_jsonable(d.Unavailable("x", retry_after=3.0)), "type": "FromANewerReplica"}
    back: d.DeckgenError = from_jsonable(d.DeckgenError, data)
    assert type(back) is d.DeckgenError and back.message == "x"
