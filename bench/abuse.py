"""Hostile input against a real server in its own process: memory and statuses.

Three rounds against `deckgen serve` (the real serve loop, embedded engine, PDF export on when
LibreOffice is installed):

1. template bombs: 20 concurrent uploads of a .pptx with a part that inflates to 400 MiB (half of
   them with a central directory that understates it);
2. hostile templates: pictures linked by http:// (to a loopback server that counts connections)
   and file:///, paths that climb out of the package, each uploaded 10 times;
3. 500 concurrent bad requests of every kind: invalid fields, control characters, a NUL in a font
   name, over-long titles, unknown names, forged resume tokens, undecodable protobuf.

It prints the server's RSS before and after, the statuses seen (count per code) and the limits:
growth ≤ 50 MiB, no INTERNAL or UNKNOWN, no connection to the loopback server, and the server
still healthy. Exits non-zero when one is broken.

Usage: python bench/abuse.py
"""

from __future__ import annotations

import asyncio
import collections
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deckgen.v1 import presentation_pb2 as pb  # noqa: E402
from deckgen.v1 import presentation_service_pb2 as spb  # noqa: E402
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc  # noqa: E402
from tests.support.hostile import (  # noqa: E402
    PictureServer,
    blue_png,
    linked_picture_template,
    lying_zip_bomb,
    zip_bomb,
)
from tests.support.servers import start_child_server  # noqa: E402

MIB = 1024 * 1024
LIMITS = {"rss_growth_mib": 50.0}
SERVICE = "/deckgen.v1.PresentationService/"
MD = "text/markdown"
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"

Call = Callable[[spb_grpc.PresentationServiceStub, grpc.aio.Channel], Awaitable[object]]


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def status_of(call: Awaitable[object]) -> str:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return str(error.code().name)
    return "OK"


def stream(call: AsyncIterator[object]) -> Awaitable[object]:
    """A server-streaming call as an awaitable that drains it."""

    async def drain() -> object:
        async for _ in call:
            pass
        return None

    return drain()


def upload(content: bytes) -> Call:
    def call(stub: spb_grpc.PresentationServiceStub, _: grpc.aio.Channel) -> Awaitable[object]:
        request = spb.CreateTemplateRequest(template=pb.Template(display_name="abuse"), content=content)
        reply: Awaitable[object] = stub.CreateTemplate(request, timeout=120)
        return reply

    return call


def generation(**fields: object) -> Call:
    def call(stub: spb_grpc.PresentationServiceStub, _: grpc.aio.Channel) -> Awaitable[object]:
        request = spb.GeneratePresentationRequest(**fields)  # type: ignore[arg-type]
        return stream(stub.GeneratePresentation(request, timeout=120))

    return call


def garbage(method: str) -> Call:
    def call(_: spb_grpc.PresentationServiceStub, channel: grpc.aio.Channel) -> Awaitable[object]:
        raw = channel.unary_unary(SERVICE + method, request_serializer=None, response_deserializer=None)
        reply: Awaitable[object] = raw(b"\xff\xff\xff\x0f not protobuf", timeout=30)
        return reply

    return call


def bad_requests() -> list[tuple[str, Call]]:
    source = spb.SourceDocument(name="a.md", media_type=MD, content=b"# A\n\n- b\n")
    long_outline = pb.Outline(title="T" * 300, items=[pb.OutlineItem(title="A")])
    slide = pb.Slide(title="x", bullets=[pb.Bullet(text="b\u000b")])

    def render(deck: pb.Deck) -> Call:
        return lambda stub, _: stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck), timeout=30)

    def get(name: str) -> Call:
        return lambda stub, _: stub.GetPresentation(spb.GetPresentationRequest(name=name), timeout=30)

    def download(name: str) -> Call:
        return lambda stub, _: stream(
            stub.DownloadArtifact(spb.DownloadArtifactRequest(name=name), timeout=30)
        )

    return [
        ("slide_count out of range", generation(slide_count=99)),
        ("empty request", generation()),
        ("NUL in a font name", generation(sources=[source], brand=pb.Brand(body_font="Ari\u0000al"))),
        ("control character in a font", generation(sources=[source], brand=pb.Brand(heading_font="A\u0001"))),
        ("control characters in the topic", generation(sources=[source], topic="x\u0007" * 10)),
        ("5000-character tone", generation(sources=[source], tone="t" * 5000)),
        (
            "300-character outline title",
            generation(sources=[source], outline=long_outline),
        ),
        (
            "control character in a source name",
            generation(
                sources=[spb.SourceDocument(name="b\u0001.md", media_type="text/markdown", content=b"x")]
            ),
        ),
        ("binary source", generation(sources=[spb.SourceDocument(name="bin.md", content=b"\x00\x01\x02")])),
        ("forged resume token", generation(resume_token="forged-token")),
        ("unknown template", generation(sources=[source], template="templates/doesnotexist")),
        ("unknown theme", generation(sources=[source], theme="no-such-theme")),
        ("300-character deck title", render(pb.Deck(title="D" * 300, slides=[slide]))),
        ("empty deck", render(pb.Deck(title="", slides=[]))),
        ("unknown presentation", get(f"presentations/{UNKNOWN_ID}")),
        ("malformed name", get("not/a/name")),
        ("path traversal in a download", download("presentations/x/artifacts/../../etc/passwd")),
        (
            "unknown artifact",
            download("presentations/00000000-0000-0000-0000-000000000000/artifacts/deck.pptx"),
        ),
        ("template that is not a zip", upload(b"PK\x03\x04 not a zip")),
        ("empty template", upload(b"")),
        ("undecodable GetPresentation", garbage("GetPresentation")),
        ("undecodable RenderPresentation", garbage("RenderPresentation")),
    ]


async def round_of(
    name: str, calls: list[tuple[str, Call]], target: str, codes: collections.Counter[str]
) -> collections.Counter[tuple[str, str]]:
    """Run every call at once; print the statuses; return them by (kind, code)."""
    started = time.perf_counter()
    options = [("grpc.max_send_message_length", 64 * MIB)]
    async with grpc.aio.insecure_channel(target, options=options) as channel:
        stub = spb_grpc.PresentationServiceStub(channel)
        seen = await asyncio.gather(*(status_of(call(stub, channel)) for _, call in calls))
    codes.update(seen)
    elapsed = time.perf_counter() - started
    print(
        f"  {name}: {len(calls)} calls in {elapsed:.1f} s: {dict(sorted(collections.Counter(seen).items()))}"
    )
    return collections.Counter(zip((kind for kind, _ in calls), seen, strict=True))


async def serving(target: str) -> bool:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=10
            )
        except grpc.aio.AioRpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


async def main() -> int:
    secret = Path(tempfile.mkdtemp()) / "secret.png"
    secret.write_bytes(blue_png())
    bombs = [zip_bomb(400 * MIB), lying_zip_bomb(400 * MIB)]
    with tempfile.TemporaryDirectory() as storage, PictureServer() as pictures:
        hostile = [
            linked_picture_template(pictures.url(), secret.as_uri()),
            linked_picture_template(pictures.url()),
            linked_picture_template(secret.as_uri()),
            linked_picture_template("../../../../etc/passwd"),
        ]
        environment = {"STORAGE_DIR": storage, "LOG_LEVEL": "CRITICAL", "METRICS_ENABLED": "false"}
        child = start_child_server(environment)
        pid = child.process.pid
        codes: collections.Counter[str] = collections.Counter()
        kinds = bad_requests()
        try:
            # One of each first, so that the baseline holds what a first call loads.
            warm = [("bomb", upload(bombs[0])), *kinds]
            await round_of("warm-up", warm, child.target, collections.Counter())
            before = rss(pid)
            print(f"server pid {pid}, RSS before {before / MIB:.1f} MiB")
            bomb_calls = [(f"bomb {n % 2}", upload(bombs[n % 2])) for n in range(20)]
            await round_of("template bombs", bomb_calls, child.target, codes)
            hostile_calls = [(f"hostile {n % 4}", upload(hostile[n % len(hostile)])) for n in range(40)]
            await round_of("hostile templates", hostile_calls, child.target, codes)
            by_kind = await round_of(
                "bad requests", [kinds[n % len(kinds)] for n in range(500)], child.target, codes
            )
            after = rss(pid)
            healthy = await serving(child.target)
        finally:
            child.stop()
        connections = pictures.connections
    growth = (after - before) / MIB
    broken = {kind: count for (kind, code), count in by_kind.items() if code in ("INTERNAL", "UNKNOWN")}
    ratio = growth / LIMITS["rss_growth_mib"]
    print(f"RSS after {after / MIB:.1f} MiB: growth {growth:.1f} MiB, ratio to the limit {ratio:.2f}")
    print(f"statuses: {dict(sorted(codes.items()))}")
    print(f"INTERNAL/UNKNOWN by request kind: {broken or 'none'}")
    print(f"loopback connections (SSRF): {connections}; healthy after: {healthy}")
    ok = (
        ratio <= 1
        and not broken
        and codes["INTERNAL"] + codes["UNKNOWN"] == 0
        and connections == 0
        and healthy
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
