"""Resume tokens: signed, bound to the caller, rotatable, and decoded strictly."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import grpc
import pytest

from deckgen.api._resume import ResumeTokens
from deckgen.domain import InvalidRequest
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import rich_error

PRESENTATION = "2b0f1a55-0000-4000-8000-000000000000"


def _deck(examples: Path) -> spb.GeneratePresentationRequest:
    content = (examples / "intro-to-grpc.md").read_bytes()
    source = spb.SourceDocument(name="g.md", media_type="text/markdown", content=content)
    return spb.GeneratePresentationRequest(sources=[source], slide_count=4)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _resign(tokens: ResumeTokens, principal: str, payload: object) -> str:
    # What a token with this payload would look like had the server signed it.
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return f"v1.{_b64(raw)}.{_b64(tokens._mac(tokens._keys[0], principal, raw))}"


def test_round_trip_and_binding_to_the_principal() -> None:
    tokens = ResumeTokens("k" * 32)
    token = tokens.encode("user:a", PRESENTATION, 7)
    assert tokens.decode("user:a", token) == (PRESENTATION, 7)
    with pytest.raises(InvalidRequest):
        tokens.decode("user:b", token)


@pytest.mark.parametrize(
    "payload",
    [
        {"p": PRESENTATION, "s": True},  # JSON true is not sequence 1
        {"p": PRESENTATION, "s": -1},
        {"p": PRESENTATION, "s": 1.0},
        {"p": PRESENTATION, "s": "3"},
        {"p": PRESENTATION, "s": 2**60},
        {"p": "../etc", "s": 0},
        {"p": PRESENTATION},
        {"p": PRESENTATION, "s": 0, "extra": 1},
        [PRESENTATION, 0],
    ],
)
def test_strict_decoding_even_of_a_well_signed_payload(payload: object) -> None:
    tokens = ResumeTokens("k" * 32)
    with pytest.raises(InvalidRequest):
        tokens.decode("user:a", _resign(tokens, "user:a", payload))


def test_rotation_accepts_the_previous_key_only_while_configured() -> None:
    old = ResumeTokens("old-secret-" * 3)
    token = old.encode("user:a", PRESENTATION, 2)
    rotated = ResumeTokens("new-secret-" * 3, previous="old-secret-" * 3)
    assert rotated.decode("user:a", token) == (PRESENTATION, 2)
    assert rotated.encode("user:a", PRESENTATION, 2) != token  # new tokens use the new key
    with pytest.raises(InvalidRequest):
        ResumeTokens("new-secret-" * 3).decode("user:a", token)


async def _resume_error(server: RunningServer, token: str) -> tuple[grpc.StatusCode, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(spb.GeneratePresentationRequest(resume_token=token)):
            pass
    error = rich_error(caught.value)
    return error.code, error.violations


async def test_forged_and_altered_tokens_are_refused(server: RunningServer, examples: Path) -> None:
    events = [e async for e in server.stub.GeneratePresentation(_deck(examples))]
    presentation_id = events[0].presentation.removeprefix("presentations/")
    # The old unsigned format, forged to replay every event.
    forged = _b64(json.dumps({"p": presentation_id, "s": 0}).encode())
    version, _, mac = events[-1].resume_token.split(".")
    altered = f"{version}.{_b64(json.dumps({'p': presentation_id, 's': 0}).encode())}.{mac}"
    for token in (forged, altered, events[-1].resume_token + "A", "v2." + events[-1].resume_token[3:]):
        code, violations = await _resume_error(server, token)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and "resume_token" in violations
    # The genuine token still works.
    tail = [
        e
        async for e in server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(resume_token=events[-2].resume_token)
        )
    ]
    assert [e.sequence for e in tail] == [events[-1].sequence]


async def test_a_shared_secret_makes_tokens_valid_on_another_replica(tmp_path: Path, examples: Path) -> None:
    secret = {"RESUME_TOKEN_SECRET": "shared-by-every-replica-" * 2}
    async with running_server(server_settings(tmp_path / "a", **secret)) as first:
        events = [e async for e in first.stub.GeneratePresentation(_deck(examples))]
    async with running_server(server_settings(tmp_path / "b", **secret)) as second:
        # The token verifies; this replica simply has no such stream: NOT_FOUND, not INVALID_ARGUMENT.
        code, _ = await _resume_error(second, events[1].resume_token)
        assert code == grpc.StatusCode.NOT_FOUND
    async with running_server(server_settings(tmp_path / "c")) as other_key:
        code, _ = await _resume_error(other_key, events[1].resume_token)
        assert code == grpc.StatusCode.INVALID_ARGUMENT
