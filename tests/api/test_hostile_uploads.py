"""Uploaded Office files that try to reach outside or to exhaust memory are refused, and cost nothing.

Issue 10, items 1 and 2: a template whose master links a picture by URL or by `file:///` made the
server fetch it into the PDF; a zip bomb template left gigabytes behind in the server process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.api.test_templates import create, default_template
from tests.support.hostile import PictureServer, blue_png, linked_picture_template, lying_zip_bomb, zip_bomb
from tests.support.servers import RunningServer, start_child_server
from tests.support.status import rich_error

MIB = 1024 * 1024


async def refusal(server: RunningServer, content: bytes) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create(server, content)
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT, error
    return error.violations["content"]


async def test_a_template_linking_pictures_by_url_and_by_file_is_refused_naming_the_part(
    server: RunningServer, pictures: PictureServer, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(blue_png())
    why = await refusal(server, linked_picture_template(pictures.url(), secret.as_uri()))
    assert "ppt/slideMasters/_rels/slideMaster1.xml.rels" in why
    assert "links outside the file (and 1 more)" in why
    assert pictures.connections == 0


async def test_a_template_whose_links_climb_out_of_the_package_is_refused(server: RunningServer) -> None:
    # Internal (not External) targets that leave the zip are resolved against the disk by some readers.
    why = await refusal(server, linked_picture_template("../../../../etc/passwd"))
    assert "slideMaster1.xml.rels" in why


async def test_zip_bombs_are_refused_from_the_zip_directory_naming_the_limit(server: RunningServer) -> None:
    why = await refusal(server, zip_bomb(400 * MIB))
    assert "ppt/media/bomb.xml" in why and "per part" in why
    # A directory that understates the size: inflating stops at the stated size, then fails its check.
    why = await refusal(server, lying_zip_bomb(400 * MIB))
    assert "damaged" in why


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
async def test_twenty_concurrent_zip_bombs_leave_server_memory_where_it_was(tmp_path: Path) -> None:
    child = start_child_server({"STORAGE_DIR": str(tmp_path / "artifacts"), "EXPORT_ENABLED": "false"})
    bombs = [zip_bomb(400 * MIB), lying_zip_bomb(400 * MIB)]
    try:
        async with grpc.aio.insecure_channel(child.target) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)

            async def upload(content: bytes) -> grpc.StatusCode:
                request = spb.CreateTemplateRequest(template=pb.Template(display_name="x"), content=content)
                try:
                    await stub.CreateTemplate(request, timeout=120)
                except grpc.aio.AioRpcError as error:
                    return error.code()
                return grpc.StatusCode.OK

            # Warm up every code path once, so that the baseline holds what a first call loads.
            assert await upload(default_template()) == grpc.StatusCode.OK
            for bomb in bombs:
                assert await upload(bomb) == grpc.StatusCode.INVALID_ARGUMENT
            before = rss(child.process.pid)
            codes = await asyncio.gather(*(upload(bombs[n % 2]) for n in range(20)))
            after = rss(child.process.pid)
        assert set(codes) == {grpc.StatusCode.INVALID_ARGUMENT}
        assert after - before < 50 * MIB, f"RSS grew from {before / MIB:.0f} to {after / MIB:.0f} MiB"
    finally:
        child.stop()
