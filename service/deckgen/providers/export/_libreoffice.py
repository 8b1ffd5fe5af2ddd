"""PDF by LibreOffice (headless) and slide previews by poppler, from the PPTX bytes a caller downloads.

LibreOffice refuses to run twice on one user profile, and creating a profile costs seconds, so the
exporter keeps a small pool of profiles that are created once and reused, one conversion at a time
each. Every child runs in its own process group and is killed with it on timeout or cancellation:
soffice forks `soffice.bin`, which would otherwise outlive the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

__all__ = ["ExportFailed", "ExportUnavailable", "LibreOfficeExporter", "export_available"]

_TOOLS = ("soffice", "pdftoppm", "pdfinfo")


class ExportUnavailable(Exception):
    """The tools are not installed."""


class ExportFailed(Exception):
    """A conversion failed or took too long."""


def export_available() -> bool:
    return all(shutil.which(tool) for tool in _TOOLS)


async def _run(arguments: Sequence[str], limit: float, what: str) -> bytes:
    process = await asyncio.create_subprocess_exec(
        *arguments,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(limit):
            out, err = await process.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            await process.wait()
        raise
    finally:
        # soffice.bin may linger in the group after its launcher exits.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.returncode != 0:
        tail = err.decode("utf-8", "replace").strip()[-400:]
        raise ExportFailed(f"{what} failed (exit {process.returncode}): {tail}")
    return out


class LibreOfficeExporter:
    def __init__(
        self,
        *,
        profiles: int = 2,
        timeout: float = 120.0,
        preview_width: int = 1280,
        work_dir: Path | None = None,
    ) -> None:
        missing = [tool for tool in _TOOLS if not shutil.which(tool)]
        if missing:
            raise ExportUnavailable(
                f"{', '.join(missing)} not found: install LibreOffice and poppler "
                "(apt-get install libreoffice-impress poppler-utils, or `make system-deps`)"
            )
        self._timeout = timeout
        self._width = preview_width
        self._root = Path(tempfile.mkdtemp(prefix="deckgen-export-", dir=work_dir))
        self._profiles: asyncio.Queue[Path] = asyncio.Queue()
        for number in range(profiles):
            self._profiles.put_nowait(self._root / f"profile-{number}")
        self._pages = asyncio.Semaphore(2)

    async def aclose(self) -> None:
        await asyncio.to_thread(shutil.rmtree, self._root, True)

    async def pdf(self, pptx: bytes) -> bytes:
        profile = await self._profiles.get()
        try:
            with tempfile.TemporaryDirectory(dir=self._root) as scratch:
                source = Path(scratch) / "deck.pptx"
                source.write_bytes(pptx)
                await _run(
                    [
                        "soffice",
                        f"-env:UserInstallation={profile.as_uri()}",
                        "--headless",
                        "--norestore",
                        "--nolockcheck",
                        "--nodefault",
                        "--convert-to",
                        "pdf",
                        "--outdir",
                        scratch,
                        str(source),
                    ],
                    self._timeout,
                    "LibreOffice PDF export",
                )
                result = Path(scratch) / "deck.pdf"
                if not result.is_file():
                    raise ExportFailed("LibreOffice wrote no PDF (the PPTX may be damaged)")
                return result.read_bytes()
        finally:
            self._profiles.put_nowait(profile)

    async def page_count(self, pdf: bytes) -> int:
        with tempfile.TemporaryDirectory(dir=self._root) as scratch:
            path = Path(scratch) / "deck.pdf"
            path.write_bytes(pdf)
            info = await _run(["pdfinfo", str(path)], self._timeout, "pdfinfo")
        match = re.search(rb"^Pages:\s+(\d+)", info, re.MULTILINE)
        if match is None:
            raise ExportFailed("pdfinfo found no page count")
        return int(match.group(1))

    async def _page(self, path: Path, page: int) -> bytes:
        async with self._pages:
            prefix = path.with_name(f"page-{page}")
            await _run(
                [
                    "pdftoppm",
                    "-png",
                    "-f",
                    str(page + 1),
                    "-l",
                    str(page + 1),
                    "-singlefile",
                    "-scale-to-x",
                    str(self._width),
                    "-scale-to-y",
                    "-1",
                    str(path),
                    str(prefix),
                ],
                self._timeout,
                "pdftoppm",
            )
            return prefix.with_suffix(".png").read_bytes()

    async def previews(self, pdf: bytes) -> AsyncIterator[tuple[int, bytes]]:
        count = await self.page_count(pdf)
        with tempfile.TemporaryDirectory(dir=self._root) as scratch:
            path = Path(scratch) / "deck.pdf"
            path.write_bytes(pdf)

            async def one(page: int) -> tuple[int, bytes]:
                return page, await self._page(path, page)

            tasks = [asyncio.create_task(one(page)) for page in range(count)]
            try:
                for done in asyncio.as_completed(tasks):
                    yield await done
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
