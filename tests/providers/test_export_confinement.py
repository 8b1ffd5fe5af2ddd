"""The converter reaches neither the network nor the server's files, whatever the PPTX links to.

Each layer is tested on its own: the check of the PPTX before conversion, and (with that check
bypassed) LibreOffice's settings in every sandbox this machine offers.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import grpc
import pytest
from pptx import Presentation

from deckgen.providers.export import ExportFailed, LibreOfficeExporter, Sandbox, export_available, sweep_stale
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.hostile import PictureServer, blue_png, colour_pixels, linked_picture_template
from tests.support.servers import start_child_server

pytestmark = pytest.mark.skipif(
    not export_available() and not os.environ.get("CI"),
    reason="LibreOffice/poppler not installed: run `make system-deps`",
)


def hostile_deck(pictures: PictureServer, secret: Path) -> bytes:
    """A deck drawn on a template whose master links a picture by URL and one by file:// URL."""
    secret.write_bytes(blue_png())
    template = linked_picture_template(pictures.url(), secret.as_uri())
    prs = Presentation(io.BytesIO(template))
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Quarterly results"
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def first_page(pdf: bytes, folder: Path) -> bytes:
    (folder / "deck.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-singlefile", str(folder / "deck.pdf"), str(folder / "page")],
        check=True,
        timeout=60,
    )
    return (folder / "page.png").read_bytes()


def contents(folder: Path) -> list[Path]:
    return list(folder.iterdir())


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return done.stdout.decode()


async def test_a_pptx_linking_outside_itself_is_refused_before_conversion(
    pictures: PictureServer, tmp_path: Path
) -> None:
    exporter = LibreOfficeExporter(profiles=1, work_dir=tmp_path)
    try:
        with pytest.raises(ExportFailed, match=r"slideMaster1\.xml\.rels"):
            await exporter.pdf(hostile_deck(pictures, tmp_path / "secret.png"))
    finally:
        await exporter.aclose()
    assert pictures.connections == 0


@pytest.mark.parametrize("kind", ["none", "unshare", "bwrap"])
async def test_linked_pictures_are_never_fetched_in_any_sandbox(
    kind: str, pictures: PictureServer, tmp_path: Path
) -> None:
    sandbox = Sandbox(kind)
    if kind != "none" and Sandbox.detect("auto").kind == "none":
        pytest.skip("no user namespaces on this machine")
    if kind == "bwrap" and Sandbox.detect("auto").kind != "bwrap":
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)")
    exporter = LibreOfficeExporter(profiles=1, work_dir=tmp_path, sandbox=sandbox)
    try:
        pdf = await exporter._convert(hostile_deck(pictures, tmp_path / "secret.png"))
    finally:
        await exporter.aclose()
    red, blue = colour_pixels(first_page(pdf, tmp_path))
    assert pictures.connections == 0
    assert (red, blue) == (0, 0)
    assert "Quarterly results" in pdf_text(pdf)


async def test_folders_of_a_dead_exporter_are_swept_at_start_and_a_live_ones_kept(tmp_path: Path) -> None:
    live = LibreOfficeExporter(profiles=1, work_dir=tmp_path)
    try:
        stale = tmp_path / "deckgen-export-dead"
        (stale / "profile-0").mkdir(parents=True)
        (stale / "profile-0" / "deck.pptx").write_bytes(b"a user's deck")
        assert sweep_stale(tmp_path) == [stale]
        assert not stale.exists() and live.root.is_dir()
        (stale / "scratch").mkdir(parents=True)
        second = LibreOfficeExporter(profiles=1, work_dir=tmp_path)
        await second.aclose()
        assert not stale.exists() and live.root.is_dir()
    finally:
        await live.aclose()
    assert contents(tmp_path) == []


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, with its command line."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and child not in found:
                found[child] = commands.get(child, "")
                frontier.append(child)
    return found


def converters_of(pid: int, timeout: float = 120.0) -> dict[int, str]:
    """The processes below `pid` once one of them is LibreOffice."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = descendants(pid)
        if any("soffice" in command for command in found.values()):
            return found
        time.sleep(0.02)
    raise AssertionError("LibreOffice never started")


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not read its status yet


def all_gone(pids: Iterable[int], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while any(running(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


async def test_converters_die_with_a_killed_server_and_its_folders_go_at_the_next_start(
    tmp_path: Path, examples: Path
) -> None:
    storage, scratch = tmp_path / "artifacts", tmp_path / "tmp"
    scratch.mkdir()
    child = start_child_server({"STORAGE_DIR": str(storage), "TMPDIR": str(scratch)})
    source = spb.SourceDocument(
        name="q.md", media_type="text/markdown", content=(examples / "quarterly-report.md").read_bytes()
    )
    request = spb.GeneratePresentationRequest(
        sources=[source], slide_count=6, output_formats=[pb.ARTIFACT_FORMAT_PDF]
    )
    try:
        async with grpc.aio.insecure_channel(child.target) as channel:
            stream = spb_grpc.PresentationServiceStub(channel).GeneratePresentation(request)
            converters = await asyncio.to_thread(converters_of, child.process.pid)
            child.process.kill()
            stream.cancel()
    finally:
        await asyncio.to_thread(child.stop, 30, True)
    assert await asyncio.to_thread(all_gone, converters), descendants(1)
    # The killed server's folder (profiles, and the deck being converted) is still there ...
    left = [folder.name for folder in contents(scratch)]
    assert any(name.startswith("deckgen-export-") for name in left), left
    # ... until the next exporter starts.
    exporter = LibreOfficeExporter(profiles=1, work_dir=scratch)
    await exporter.aclose()
    assert contents(scratch) == []


def leftovers(root: Path) -> list[Path]:
    """Files under an exporter's folder other than its LibreOffice profiles and lock."""
    return [
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.name != ".lock"
        and not path.relative_to(root).parts[0].startswith("profile-")
    ]


async def test_no_deck_stays_in_the_converter_folder_after_a_conversion(tmp_path: Path) -> None:
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[1]).shapes.title.text = "Confidential plan"
    buffer = io.BytesIO()
    prs.save(buffer)
    exporter = LibreOfficeExporter(profiles=1, work_dir=tmp_path, sandbox=Sandbox.detect("auto"))
    try:
        pdf = await exporter.pdf(buffer.getvalue())
        assert [page async for page, _ in exporter.previews(pdf)] == [0]
        assert leftovers(exporter.root) == []
        profile_files = [path.suffix for path in exporter.root.rglob("*") if path.is_file()]
        assert not {".pptx", ".pdf", ".png"} & set(profile_files)
    finally:
        await exporter.aclose()
    assert contents(tmp_path) == []
