"""Hypothesis strategies for every request message of `deckgen.v1.PresentationService`.

Messages are drawn from their protobuf descriptors (so a field added to the contract is fuzzed
without touching this file): any subset of fields set, strings from the whole of Unicode (control
characters, NULs, surrogate-free astral planes) up to a few KB, out-of-range numbers and unknown
enum values, nested messages a few levels deep. Alongside, near-valid requests (a real document
with fuzzed options, names with a real shape) reach past validation into generation and
rendering, and raw byte payloads test decoding itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb

__all__ = ["Call", "METHODS", "calls"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SERVICE = spb.DESCRIPTOR.services_by_name["PresentationService"]
METHODS: dict[str, MethodDescriptor] = {m.name: m for m in SERVICE.methods}

_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}

_SHAPED_NAMES = st.sampled_from(
    [
        "presentations/",
        "presentations/<id>",
        "presentations/6f0c1a55-0000-4000-8000-000000000000",
        "presentations/6f0c1a55-0000-4000-8000-000000000000/artifacts/deck.pptx",
        "presentations/../etc/passwd",
        "templates/x",
        "templates/",
        "default",
        "midnight",
        "en",
        "text/markdown",
        "application/pdf",
        "doc.md",
        "../../x.md",
    ]
)

_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=300),
    st.text(st.characters(max_codepoint=0x1F), max_size=20),  # control characters, NUL included
    _SHAPED_NAMES,
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(1000, 4000)),
)

_DOCUMENTS = sorted(p.read_bytes() for p in EXAMPLES.iterdir() if p.is_file())


def _bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=200),
        st.sampled_from(_DOCUMENTS),
        st.builds(lambda doc, cut: doc[:cut], st.sampled_from(_DOCUMENTS), st.integers(0, 3000)),
        st.just(b"PK\x03\x04" + b"\x00" * 64),  # the start of a zip (a .pptx) and nothing else
    )


def _scalar(field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in _INT_RANGES:
        low, high = _INT_RANGES[kind]
        return st.one_of(st.integers(-3, 60), st.integers(low, high), st.sampled_from([low, high]))
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        floats = st.floats(width=32) if kind == FieldDescriptor.TYPE_FLOAT else st.floats()
        return st.one_of(floats, st.sampled_from([0.0, 1.0, -1.0, math.inf, math.nan]))
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_STRING:
        return _TEXT
    if kind == FieldDescriptor.TYPE_BYTES:
        return _bytes()
    if kind == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        known = [value.number for value in field.enum_type.values]
        return st.one_of(st.sampled_from(known), st.integers(-2, 40))
    if kind == FieldDescriptor.TYPE_MESSAGE:
        assert field.message_type is not None
        return message(field.message_type, depth + 1)
    raise NotImplementedError(f"no strategy for field type {kind}")


def message(descriptor: Any, depth: int = 0) -> st.SearchStrategy[Message]:
    """Any message of `descriptor`'s type; deeper levels set fewer fields."""
    cls = GetMessageClass(descriptor)

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        result = cls()
        if depth > 4:
            return result
        for field in descriptor.fields:
            if not draw(st.booleans()):
                continue
            values = _scalar(field, depth)
            if field.is_repeated:
                items = draw(st.lists(values, max_size=4 if depth else 6))
                target = getattr(result, field.name)
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    for item in items:
                        target.add().CopyFrom(item)
                else:
                    target.extend(items)
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                getattr(result, field.name).CopyFrom(draw(values))
            else:
                setattr(result, field.name, draw(values))
        return result

    return build()


@st.composite
def _near_valid_generation(draw: st.DrawFn) -> Message:
    """A real document with fuzzed options, titles and brand: gets past validation, into the work."""
    request = spb.GeneratePresentationRequest()
    request.MergeFromString(draw(message(spb.GeneratePresentationRequest.DESCRIPTOR)).SerializeToString())
    request.ClearField("resume_token")
    request.ClearField("sources")
    request.ClearField("output_formats")
    request.ClearField("outline")
    request.sources.add(name="doc.md", media_type="text/markdown", content=draw(st.sampled_from(_DOCUMENTS)))
    request.slide_count = draw(st.integers(0, 12))
    request.theme = draw(st.sampled_from(["", "default", "midnight", "forest-dark"]))
    request.language = draw(st.sampled_from(["", "en", "de"]))
    request.request_id = ""
    request.output_formats.extend(
        draw(st.lists(st.sampled_from([pb.ARTIFACT_FORMAT_PPTX, pb.ARTIFACT_FORMAT_JSON]), max_size=2))
    )
    return request


@st.composite
def _near_valid_render(draw: st.DrawFn) -> Message:
    deck = pb.Deck(title=draw(_TEXT), theme=draw(st.sampled_from(["", "default", "editorial"])))
    for _ in range(draw(st.integers(1, 4))):
        deck.slides.add().MergeFromString(draw(message(pb.Slide.DESCRIPTOR, 1)).SerializeToString())
    return spb.RenderPresentationRequest(deck=deck, output_formats=[pb.ARTIFACT_FORMAT_PPTX])


@dataclass(frozen=True)
class Call:
    method: str
    request: Message | None
    """None when `payload` is sent as raw bytes instead."""
    payload: bytes = b""

    def __repr__(self) -> str:  # Hypothesis prints failing examples: keep them readable
        body = repr(self.payload[:80]) if self.request is None else str(self.request)[:2000]
        return f"Call({self.method}, {body})"


def _typed(name: str) -> st.SearchStrategy[Call]:
    descriptor = METHODS[name].input_type
    return message(descriptor).map(lambda request: Call(name, request))


def calls() -> st.SearchStrategy[Call]:
    """A call to any method: a fuzzed request, a near-valid one, or raw bytes."""
    return st.one_of(
        *(_typed(name) for name in METHODS),
        _near_valid_generation().map(lambda r: Call("GeneratePresentation", r)),
        _near_valid_render().map(lambda r: Call("RenderPresentation", r)),
        st.builds(Call, st.sampled_from(sorted(METHODS)), st.none(), st.binary(min_size=1, max_size=64)),
    )
