"""The web client (clients/web) in headless Chromium, over grpc-web, against a real server.

Needs `node`/`npm` and Debian's `/usr/bin/chromium`. Without them the browser test is skipped, unless
`CI` is set: then chromium is installed with apt-get and a missing node fails the test.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import shutil
import struct
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.engines import SlowEngine
from tests.support.grpcweb_proxy import running_proxy
from tests.support.servers import ROOT, running_server, server_settings
from tests.support.supabase_auth import SupabaseAuth

pytestmark = pytest.mark.slow

WEB = ROOT / "clients" / "web"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
DRIVER = Path(__file__).with_name("drive_page.mjs")
SLIDES = 6
EXAMPLES = ROOT / "examples"
ALLOWED = "https://app.example.test"


def _missing() -> list[str]:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    return missing + ([str(CHROMIUM)] if not CHROMIUM.exists() else [])


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """Chromium, node_modules and a fresh bundle in clients/web/dist."""
    missing = _missing()
    if missing and not os.environ.get("CI"):
        pytest.skip(f"browser test needs {', '.join(missing)} (set CI=1 to install chromium with apt-get)")
    if not CHROMIUM.exists():
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            timeout=300,
        )
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("CI is set but node/npm are missing")
    if not (WEB / "node_modules" / ".bin" / "esbuild").exists():
        install = "ci" if (WEB / "package-lock.json").exists() else "install"
        subprocess.run(["npm", install, "--no-audit", "--no-fund"], cwd=WEB, check=True, timeout=300)
    subprocess.run(["node", "build.mjs"], cwd=WEB, check=True, timeout=120)
    return WEB / "dist"


async def _drive(
    web_dist: Path,
    tmp_path: Path,
    mode: str,
    slides: int,
    slide_delay: float = 0.0,
    settings: dict[str, str] | None = None,
    token: str = "",
    markdown: Path = EXAMPLES / "intro-to-grpc.md",
) -> dict[str, Any]:
    """Serve the server and the page, run drive_page.mjs in `mode`, return what it saw."""
    engine = SlowEngine(slide_delay)  # the embedded engine, optionally slower so slides arrive apart
    async with (
        running_server(server_settings(tmp_path / "artifacts", **(settings or {})), engine) as server,
        running_proxy(server.target, static_dir=web_dist) as base,
    ):
        process = await asyncio.create_subprocess_exec(
            "node",
            str(DRIVER),
            env={
                **os.environ,
                "MODE": mode,
                "WEB_DIR": str(WEB),
                "PAGE_URL": f"{base}/",
                "MARKDOWN_FILE": str(markdown),
                "SLIDE_COUNT": str(slides),
                "CHROMIUM": str(CHROMIUM),
                "PROFILE_DIR": str(tmp_path / "profile"),
                "TOKEN": token,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    assert not [line for line in result["console"] if line.startswith(("error", "pageerror"))], result
    return result


async def test_page_streams_a_deck_and_shows_errors(web_dist: Path, tmp_path: Path) -> None:
    result = await _drive(web_dist, tmp_path, "stream", SLIDES, slide_delay=0.1)
    gen = result["generation"]
    assert gen["state"]["error"] is None, (gen, result["console"])
    assert gen["state"]["done"]

    # The outline (whole at once: this server has no model) was shown before the first slide.
    assert len(gen["outline"]) == SLIDES
    assert all(gen["outline"])
    assert len(gen["state"]["outlineTimes"]) == SLIDES
    assert max(gen["state"]["outlineTimes"]) <= min(gen["state"]["slideTimes"])

    # Every slide, in order, each with a title; the content slides have bullets.
    assert [s["index"] for s in gen["slides"]] == list(range(SLIDES))
    assert all(s["title"].strip(". 0123456789") for s in gen["slides"])
    assert any(s["bullets"] for s in gen["slides"])
    # ...and they were added to the page one by one as the stream delivered them, not at the end.
    seen = gen["seen"]
    assert [s["index"] for s in seen] == list(range(SLIDES))
    times = [s["t"] for s in seen]
    assert times == sorted(times)
    assert times[-1] - times[0] >= 0.1 * 1000 * (SLIDES - 1) * 0.5, times
    assert gen["artifacts"] == ["PPTX"]

    # slide_count 99 is rejected with INVALID_ARGUMENT, shown in the page.
    assert result["invalid"]["visible"]
    assert "invalid_argument" in result["invalid"]["error"], result["invalid"]
    assert "slide_count" in result["invalid"]["error"]


async def test_page_sends_the_supabase_session_token(web_dist: Path, tmp_path: Path) -> None:
    with SupabaseAuth() as supabase:
        settings = {"AUTH_MODE": "supabase", "SUPABASE_URL": supabase.url}
        result = await _drive(web_dist, tmp_path, "auth", 4, settings=settings, token=supabase.token())
    assert "unauthenticated" in result["anonymous"], result
    signed_in = result["signed_in"]
    assert signed_in["state"]["error"] is None and signed_in["state"]["done"], result
    assert signed_in["slides"] == 4


@pytest.mark.skipif(shutil.which("soffice") is None, reason="PNG previews need LibreOffice (soffice)")
async def test_page_shows_png_previews(web_dist: Path, tmp_path: Path) -> None:
    result = await _drive(web_dist, tmp_path, "previews", 3)
    previews = result["previews"]
    assert previews["error"] is None, previews
    assert sorted(previews["formats"]) == ["PNG", "PNG", "PNG", "PPTX"]
    # Artifact events (and so thumbnails) may come in any order.
    assert sorted((i["src"], i["alt"]) for i in previews["images"]) == [
        ("blob:", f"Preview of slide {n}") for n in (1, 2, 3)
    ]
    assert all(i["width"] > 0 for i in previews["images"])


async def test_page_draws_tables_charts_steps_statistics_and_code(web_dist: Path, tmp_path: Path) -> None:
    document = Path(__file__).with_name("every-layout.md")
    result = await _drive(web_dist, tmp_path, "layouts", 8, markdown=document)
    layouts = result["layouts"]
    assert layouts["error"] is None, layouts
    by_title = {s["title"].split(". ", 1)[1]: s for s in layouts["slides"]}

    assert by_title["Results in numbers"]["statistics"] == ["42 %", "3.2 million", "96 %"]
    # The numeric table became a chart: a bar per quarter and series, the longest for Q4 deliveries.
    bars = by_title["Deliveries per quarter"]["bars"]
    assert len(bars) == 8, bars
    longest = max(bars, key=lambda b: b["width"])
    assert longest["width"] == 100 and "Q4" in longest["text"] and "1900" in longest["text"]
    steps = by_title["How a parcel is routed"]["steps"]
    assert len(steps) == 4 and "Scan the label" in steps[0]
    code = by_title["The routing call"]["code"]
    assert code.startswith("def route(parcel: Parcel) -> Van:\n    address = ")  # indentation kept
    assert "Bergen" in by_title["Regional teams"]["tableCells"]


async def test_page_cancels_and_resumes_a_generation(web_dist: Path, tmp_path: Path) -> None:
    result = await _drive(web_dist, tmp_path, "cancel", SLIDES, slide_delay=0.5)
    cancelled = result["cancelled"]
    assert cancelled["status"] == "Cancelled." and cancelled["state"]["error"] is None, cancelled
    assert not cancelled["state"]["done"] and cancelled["resumable"]
    assert cancelled["slides"] < SLIDES

    resumed = result["resumed"]
    assert resumed["state"]["done"] and resumed["state"]["error"] is None, resumed
    assert sorted(resumed["indexes"]) == list(range(SLIDES))  # every slide once
    assert not resumed["resumable"]


# --- The proxy on its own: CORS and the -text encoding, without a browser. ---


def _request(
    base: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.netloc, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _frames(body: bytes) -> list[tuple[int, bytes]]:
    frames = []
    while body:
        flag, length = struct.unpack(">BI", body[:5])
        frames.append((flag, body[5 : 5 + length]))
        body = body[5 + length :]
    return frames


_METHOD = "/deckgen.v1.PresentationService/GeneratePresentation"


async def test_proxy_cors(tmp_path: Path) -> None:
    async with (
        running_server(server_settings(tmp_path / "artifacts")) as server,
        running_proxy(server.target, allowed_origins=[ALLOWED]) as base,
    ):
        status, headers, _ = await asyncio.to_thread(
            _request,
            base,
            "OPTIONS",
            _METHOD,
            {
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-grpc-web,x-user-agent",
            },
        )
        assert status in (200, 204)
        assert headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in headers["access-control-allow-methods"]
        assert "x-grpc-web" in headers["access-control-allow-headers"]

        status, headers, _ = await asyncio.to_thread(
            _request,
            base,
            "OPTIONS",
            _METHOD,
            {
                "Origin": "https://evil.example.test",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert status == 403
        assert "access-control-allow-origin" not in headers

        request = spb.GeneratePresentationRequest(topic="CORS", slide_count=99).SerializeToString()
        body = struct.pack(">BI", 0, len(request)) + request
        web = {"Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1"}
        status, headers, _ = await asyncio.to_thread(
            _request, base, "POST", _METHOD, {**web, "Origin": "https://evil.example.test"}, body
        )
        assert status == 200
        assert "access-control-allow-origin" not in headers

        status, headers, _ = await asyncio.to_thread(
            _request, base, "POST", _METHOD, {**web, "Origin": ALLOWED}, body
        )
        assert headers["access-control-allow-origin"] == ALLOWED
        assert "grpc-status" in headers["access-control-expose-headers"]


async def test_proxy_grpc_web_text_streams_and_trailers(tmp_path: Path) -> None:
    async with (
        running_server(server_settings(tmp_path / "artifacts")) as server,
        running_proxy(server.target) as base,
    ):
        source = spb.SourceDocument(
            name="intro.md", media_type="text/markdown", content=(EXAMPLES / "intro-to-grpc.md").read_bytes()
        )
        request = spb.GeneratePresentationRequest(sources=[source], slide_count=4).SerializeToString()
        body = base64.b64encode(struct.pack(">BI", 0, len(request)) + request)
        status, headers, raw = await asyncio.to_thread(
            _request,
            base,
            "POST",
            _METHOD,
            {
                "Content-Type": "application/grpc-web-text",
                "Accept": "application/grpc-web-text",
            },
            body,
        )
        assert status == 200
        assert headers["content-type"] == "application/grpc-web-text"
        # Each frame is base64 on its own (padded), as the protocol allows: decode 4-character groups.
        decoded = b"".join(base64.b64decode(raw[i : i + 4]) for i in range(0, len(raw), 4))
        frames = _frames(decoded)
        assert frames[-1][0] == 0x80
        assert b"grpc-status: 0\r\n" in frames[-1][1]
        events = [spb.GenerationEvent.FromString(payload) for flag, payload in frames[:-1]]
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert sum(e.HasField("slide") for e in events) == 4
        assert events[-1].HasField("completed")

        request = spb.GeneratePresentationRequest(topic="Tea", slide_count=99).SerializeToString()
        status, _, raw = await asyncio.to_thread(
            _request,
            base,
            "POST",
            _METHOD,
            {
                "Content-Type": "application/grpc-web+proto",
            },
            struct.pack(">BI", 0, len(request)) + request,
        )
        ((flag, trailer),) = _frames(raw)
        assert flag == 0x80
        assert b"grpc-status: 3\r\n" in trailer
        assert b"slide_count" in trailer
