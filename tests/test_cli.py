"""The `deckgen` command line: generate against a live server, render deck JSON offline, serve."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.support import documents
from tests.support.decks import open_deck
from tests.support.servers import RunningServer

ROOT = Path(__file__).resolve().parents[1]
DECKGEN = [sys.executable, "-m", "deckgen.cli"]


async def run(*args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, [*DECKGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


async def test_generate_prints_slides_and_saves_artifacts(server: RunningServer, tmp_path: Path) -> None:
    result = await run(
        "generate",
        "examples/quarterly-report.md",
        "--slides",
        "6",
        "--format",
        "pptx",
        "--format",
        "json",
        "--server",
        server.target,
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("accepted")
    assert len([line for line in lines if line.startswith("outline")]) == 6
    assert len([line for line in lines if line.startswith("slide")]) == 6
    assert len(open_deck((tmp_path / "deck.pptx").read_bytes()).slides) == 6

    # The JSON artifact renders offline to the same deck.
    rendered = tmp_path / "again.pptx"
    result = await run("render", str(tmp_path / "deck.json"), "-o", str(rendered), "--theme", "midnight")
    assert result.returncode == 0, result.stderr
    assert len(open_deck(rendered.read_bytes()).slides) == 6


async def test_generate_reads_office_and_pdf_files_by_their_suffix(
    server: RunningServer, tmp_path: Path
) -> None:
    (tmp_path / "survey.docx").write_bytes(documents.docx())
    (tmp_path / "locked.pdf").write_bytes(documents.encrypted_pdf())
    result = await run(
        "generate",
        "--source",
        str(tmp_path / "survey.docx"),
        "--server",
        server.target,
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert documents.TITLE in result.stdout
    assert len(open_deck((tmp_path / "deck.pptx").read_bytes()).slides) >= 3
    result = await run(
        "generate", str(tmp_path / "locked.pdf"), "--server", server.target, "--out", str(tmp_path)
    )
    assert result.returncode == 1
    assert "sources[0]: locked.pdf is an encrypted PDF" in result.stderr


async def test_generate_reports_field_violations(server: RunningServer, tmp_path: Path) -> None:
    result = await run("generate", "--topic", "x", "--slides", "60", "--server", server.target)
    assert result.returncode == 1
    assert "slide_count" in result.stderr


async def test_render_rejects_bad_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"slides": [{"layout": "LAYOUT_NOPE"}]}))
    result = await run("render", str(bad), "-o", str(tmp_path / "x.pptx"))
    assert result.returncode == 1
    assert "cannot render" in result.stderr
    assert not (tmp_path / "x.pptx").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_serve_with_two_workers_shares_the_port(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "API_PORT": str(port),
        "WORKERS": "2",
        "STORAGE_DIR": str(tmp_path),
    }
    process = await asyncio.create_subprocess_exec(
        *DECKGEN, "serve", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            deadline = time.monotonic() + 30
            while True:
                try:
                    response = await health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    break
                except grpc.aio.AioRpcError:
                    assert time.monotonic() < deadline, "server did not come up"
                    await asyncio.sleep(0.2)
            assert response.status == health_pb2.HealthCheckResponse.SERVING
        pgrep = await asyncio.create_subprocess_exec(
            "pgrep", "-P", str(process.pid), stdout=asyncio.subprocess.PIPE
        )
        children, _ = await pgrep.communicate()
        assert len(children.split()) >= 2
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()


async def _wait_serving(port: int) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        deadline = time.monotonic() + 60
        while True:
            try:
                await health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                return
            except grpc.aio.AioRpcError:
                assert time.monotonic() < deadline, "server did not come up"
                await asyncio.sleep(0.2)


def _serve_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {**os.environ, "ENVIRONMENT": "test", "STORAGE_DIR": str(tmp_path), **overrides}


async def test_a_second_server_on_a_served_port_is_a_configuration_error(tmp_path: Path) -> None:
    port = free_port()
    first = await asyncio.create_subprocess_exec(
        *DECKGEN,
        "serve",
        cwd=ROOT,
        env=_serve_env(tmp_path, API_PORT=str(port)),
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _wait_serving(port)
        for workers in ("1", "2"):
            second = await asyncio.to_thread(
                subprocess.run,
                [*DECKGEN, "serve"],
                cwd=ROOT,
                env=_serve_env(tmp_path, API_PORT=str(port), WORKERS=workers),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert second.returncode == 2, second.stderr
            assert "API_PORT" in second.stderr and "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.communicate(), 30)


async def test_a_busy_metrics_port_is_a_configuration_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = await asyncio.to_thread(
            subprocess.run,
            [*DECKGEN, "serve"],
            cwd=ROOT,
            env=_serve_env(
                tmp_path, API_HOST="127.0.0.1", API_PORT="0", METRICS_ENABLED="true", METRICS_PORT=str(busy)
            ),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2, result.stderr
    assert "METRICS_PORT" in result.stderr and "Traceback" not in result.stderr


async def test_keys_create_prints_a_key_and_an_entry_that_verifies_it() -> None:
    from deckgen.auth import ApiKeys

    created = await run("keys", "create", "billing", "--scope", "admin")
    assert created.returncode == 0, created.stderr
    key, entry = created.stdout.split()[0], created.stdout.splitlines()[1]
    assert key.startswith("dgk_") and key not in entry
    principal = ApiKeys(entry).verify(key)
    assert principal is not None and principal.id == "service:billing" and principal.admin
    hashed = await asyncio.to_thread(
        subprocess.run,
        [*DECKGEN, "keys", "hash", "billing", "--scope", "admin"],
        input=key + "\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert hashed.returncode == 0 and hashed.stdout.strip() == entry


async def test_generate_authenticates_with_an_api_key(tmp_path: Path) -> None:
    from tests.support.identity import api_key_caller
    from tests.support.servers import running_server, server_settings

    caller = api_key_caller("cli")
    settings = server_settings(tmp_path / "artifacts", AUTH_MODE="api_key", API_KEYS=caller.entry)
    args = [
        *DECKGEN,
        "generate",
        "examples/quarterly-report.md",
        "--slides",
        "4",
        "--out",
        str(tmp_path / "out"),
    ]
    async with running_server(settings) as server:
        refused = await run("generate", "examples/quarterly-report.md", "--server", server.target)
        assert refused.returncode == 1 and "unauthenticated" in refused.stderr.lower()
        accepted = await asyncio.to_thread(
            subprocess.run,
            [*args, "--server", server.target],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "DECKGEN_API_KEY": caller.key},
        )
        assert accepted.returncode == 0, accepted.stderr
        assert (tmp_path / "out" / "deck.pptx").is_file()


def _png(width: int = 8, height: int = 8) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 123, 131)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_generate_reaches_every_option(server: RunningServer, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png())
    out = tmp_path / "out"
    allowed = ["title", "bullets", "section", "closing"]
    result = await run(
        "generate",
        "examples/quarterly-report.md",
        "--slides",
        "5",
        *("--format", "pdf", "--format", "png", "--format", "json"),
        *("--theme", "midnight", "--language", "de"),
        *("--primary-color", "#0A7B83", "--accent-color", "F2A541"),
        *("--heading-font", "Georgia", "--body-font", "Verdana", "--logo", str(logo)),
        *("--no-slide-numbers", "--footer", "Marine Lab 2026"),
        *(arg for layout in allowed for arg in ("--allowed-layout", layout)),
        *("--server", server.target, "--out", str(out)),
    )
    assert result.returncode == 0, result.stderr

    deck = json.loads((out / "deck.json").read_text())
    assert deck["theme"] == "midnight"
    assert deck["language"] == "de"
    assert deck["footer"] == "Marine Lab 2026"
    assert deck["slide_numbers"] is False
    brand = deck["brand"]
    assert (brand["primary_color"], brand["accent_color"]) == ("0A7B83", "F2A541")
    assert (brand["heading_font"], brand["body_font"]) == ("Georgia", "Verdana")
    assert brand["logo_uri"]  # the server stored the logo
    assert len(deck["slides"]) == 5
    assert {slide["layout"].removeprefix("LAYOUT_").lower() for slide in deck["slides"]} <= set(allowed)
    assert (out / "deck.pdf").read_bytes().startswith(b"%PDF")
    previews = sorted(out.glob("slide-*.png"))
    assert len(previews) == 5 and previews[0].read_bytes().startswith(b"\x89PNG")


async def test_template_create_prints_a_name_generate_uses(server: RunningServer, tmp_path: Path) -> None:
    from pptx import Presentation as new_pptx

    path = tmp_path / "Corporate.pptx"
    new_pptx().save(str(path))
    created = await run("template", "create", str(path), "--server", server.target)
    assert created.returncode == 0, created.stderr
    name = created.stdout.strip()
    assert name.startswith("templates/")
    assert "bullets" in created.stderr  # the layouts it can serve

    out = tmp_path / "out"
    result = await run(
        "generate",
        "examples/quarterly-report.md",
        *("--slides", "4", "--template", name, "--format", "pptx", "--format", "json"),
        *("--server", server.target, "--out", str(out)),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "deck.json").read_text())["template"] == name
    used = {slide.slide_layout.name for slide in open_deck((out / "deck.pptx").read_bytes()).slides}
    assert "Title Slide" in used


async def test_bad_options_are_refused_before_calling(tmp_path: Path) -> None:
    missing_logo = await run("generate", "--topic", "x", "--logo", str(tmp_path / "nope.png"))
    assert missing_logo.returncode == 2 and "nope.png" in missing_logo.stderr
    bad_layout = await run("generate", "--topic", "x", "--allowed-layout", "piechart")
    assert bad_layout.returncode == 2 and "timeline" in bad_layout.stderr


async def test_a_bad_brand_colour_is_reported_with_its_field(server: RunningServer) -> None:
    result = await run("generate", "--topic", "x", "--primary-color", "teal", "--server", server.target)
    assert result.returncode == 1
    assert "brand.primary_color" in result.stderr
