"""What leaves the process in logs and spans: scrubbed secrets, summarised exceptions, capped lines."""

from __future__ import annotations

import io
import itertools
import json
import logging
import random
import uuid
from collections.abc import Iterator

import pytest
from google.rpc import status_pb2
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from deckgen.api._convert import warning_to_proto
from deckgen.api._errors import status_for
from deckgen.domain import InvalidRequest, Unavailable
from deckgen.domain import _events as ev
from deckgen.observability import (
    REDACTED,
    JsonFormatter,
    ScrubbingExporter,
    _redact,
    configure_logging,
    record_error,
    safe_traceback,
    scrub,
    summarize,
)

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLXZhbHVl"


@pytest.mark.parametrize(
    "text",
    [
        "Incorrect API key provided: sk-proj-AbC123xyz_-987.",
        "sent Authorization: Bearer abc.DEF-123~ghi",
        f"supabase said {JWT} was wrong",
        "GET /v1/models?api_key=hunter2hunter2&x=1",
        '{"apikey": "0123456789abcdef", "ok": true}',
        "client_secret=s3cr3t-value",
        "password: correct-horse",
    ],
)
def test_key_like_text_is_redacted(text: str) -> None:
    cleaned = scrub(text)
    assert REDACTED in cleaned
    for secret in ("sk-proj-AbC123xyz", "abc.DEF-123", JWT, "hunter2", "0123456789abcdef", "s3cr3t", "horse"):
        assert secret not in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "slide 3 of 10: key takeaways, tokens used 812, presentations/3f2a/artifacts/deck.pptx",
        "resume_token: is not a token this service issued",
        "api_key: required when AUTH_MODE includes api_key",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert scrub(text) == text


def test_a_json_error_is_told_by_its_position_not_the_document() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads("My secret subtitle")
    assert summarize(caught.value) == "Expecting value at line 1 column 1 (char 0)"


def test_foreign_messages_are_withheld_and_ours_are_kept_short() -> None:
    assert summarize(ValueError("input_value='the whole document'")) == "(message withheld, 32 characters)"
    ours = InvalidRequest([], "theme: unknown theme " + "x" * 1000)
    assert summarize(ours).startswith("theme: unknown theme xxx") and len(summarize(ours)) <= 300


def test_a_traceback_keeps_its_frames_and_causes_but_no_message() -> None:
    document = f"subtitle {uuid.uuid4().hex}"
    try:
        try:
            json.loads(document)
        except ValueError as error:
            raise RuntimeError(f"while parsing {document!r}") from error
    except RuntimeError as error:
        text = safe_traceback(error)
    assert document not in text
    assert "json.decoder.JSONDecodeError: Expecting value at line 1 column 1 (char 0)" in text
    assert "The above exception was the direct cause of the following:" in text
    assert text.endswith(f"RuntimeError: (message withheld, {len(document) + 16} characters)")
    assert 'test_redact.py", line' in text


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("DEBUG", max_record_bytes=2048, stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def test_every_line_is_capped_and_scrubbed(log_lines: io.StringIO) -> None:
    log = logging.getLogger("deckgen.test")
    log.warning("provider said %s", "Incorrect API key provided: sk-live-0123456789 " + "é" * 100_000)
    try:
        raise ValueError("x" * 100_000)
    except ValueError:
        log.exception("failed with a long message %s", "y" * 10_000)
    lines = log_lines.getvalue().splitlines()
    assert len(lines) == 2
    assert all(len(line.encode()) + 1 <= 2048 for line in lines)
    first, second = (json.loads(line) for line in lines)
    assert "sk-live" not in first["message"] and "characters cut" in first["message"]
    assert second["exception"].endswith("ValueError: (message withheld, 100000 characters)")


def test_the_formatter_never_exceeds_a_tiny_cap() -> None:
    record = logging.LogRecord("deckgen", logging.INFO, __file__, 1, "z" * 5000, None, None)
    assert len(JsonFormatter(1024).format(record).encode()) < 1024


def test_exported_spans_are_scrubbed_and_foreign_exception_text_is_withheld() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingExporter(memory)))
    tracer = provider.get_tracer("test")

    def fail() -> None:
        with tracer.start_as_current_span("outline") as span:
            span.set_attribute("deckgen.note", "Bearer sk-abcdef123456")
            record_error(span, json.JSONDecodeError("Expecting value", "the user's document", 0))
            raise ValueError("quoting the user's document")

    with pytest.raises(ValueError, match="quoting"):
        fail()
    (exported,) = memory.get_finished_spans()
    text = repr((exported.attributes, [e.attributes for e in exported.events], exported.status.description))
    assert "sk-abcdef" not in text and "user's document" not in text
    ours, sdk = exported.events
    assert ours.attributes is not None and str(ours.attributes["exception.message"]).startswith("Expecting")
    assert sdk.attributes is not None and str(sdk.attributes["exception.message"]).startswith("(message with")
    assert 'File "' in str(sdk.attributes["exception.stacktrace"])
    assert exported.status.description == "ValueError"


def test_nothing_key_like_reaches_a_caller_in_a_status_or_a_warning() -> None:
    error = Unavailable("upstream: Bearer sk-live-0123456789abcdef", reason="LLM_UNAVAILABLE")
    status = status_for(error)
    details = dict(status.trailing_metadata)["grpc-status-details-bin"]
    assert isinstance(details, bytes)
    assert "sk-live" not in status.details and b"sk-live" not in details
    assert status_pb2.Status.FromString(details).message == "upstream: Bearer [REDACTED]"
    warning = warning_to_proto(ev.Warning("IMAGE_FAILED", "images: api_key=abc123secret refused", 2))
    assert warning.message == "images: api_key=[REDACTED] refused"


# The assignment pattern alone, as `scrub` used it before: it tried its name prefix from every word of
# a hyphenated run, reading the rest of the run each time ("a-a-a-…": seconds for an 8 KiB log line,
# growing with the square). Kept as the definition of what `scrub` must redact, on every short string
# of the pieces that matter and on random longer ones.
def _old_assigned(text: str) -> str:
    return _redact._ASSIGNED.sub(_redact._redact_assigned, text)


_NAME_PIECES = ("a", "-", "_", "token", "api-key", "\u00e9", "=", ":", " ", '"', "1", "\u212a")


def test_assignments_are_redacted_as_the_pattern_redacted_them() -> None:
    for length in range(6):
        for pieces in itertools.product(_NAME_PIECES, repeat=length):
            text = "".join(pieces)
            assert _redact._sub_assigned(text) == _old_assigned(text), repr(text)
    chance = random.Random("assigned")
    more = (*_NAME_PIECES, "secret", "key", "api", "x", "'", ",", "\n", "\u017f")
    for _ in range(3000):
        text = "".join(chance.choice(more) for _ in range(chance.randint(8, 40)))
        assert _redact._sub_assigned(text) == _old_assigned(text), repr(text)


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("a-" * 100_000, "a-" * 100_000),
        ("-1" * 100_000, "-1" * 100_000),
        ("a-" * 100_000 + " token=1", "a-" * 100_000 + f" token={REDACTED}"),
    ],
)
def test_a_hostile_line_is_scrubbed_in_linear_time(text: str, scrubbed: str) -> None:
    assert scrub(text) == scrubbed
