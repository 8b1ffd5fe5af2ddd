"""PDF by LibreOffice (headless) and slide previews by poppler, from the PPTX bytes a caller downloads.

LibreOffice refuses to run twice on one user profile, and creating a profile costs seconds, so the
exporter keeps a small pool of profiles that are created once and reused, one conversion at a time
each. Every child runs in its own process group and is killed with it on timeout or cancellation:
soffice forks `soffice.bin`, which would otherwise outlive the call.

What LibreOffice converts is a file a caller influenced (a template's masters come through), so
it must not reach beyond it: the PPTX is refused if any relationship leads outside the package;
every profile blocks linked content (`BlockUntrustedRefererLinks`, LibreOffice's "stealth mode")
and macros; and the converter runs in a sandbox (`_sandbox`) without network and, with bubblewrap,
without the server's files. Children die with the server (PR_SET_PDEATHSIG, see `_sandbox`; the
process groups still running are killed at close). Each exporter's folder is locked while it lives; folders of
exporters that died without cleaning up (a SIGKILL) are removed when the next one starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import math
import os
import re
import shutil
import signal
import tempfile
import weakref
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from deckgen.ooxml import PackageError, safe_package
from deckgen.providers.export._sandbox import Sandbox

__all__ = ["ExportFailed", "ExportUnavailable", "LibreOfficeExporter", "export_available", "sweep_stale"]

log = logging.getLogger("deckgen.export")

_TOOLS = ("soffice", "pdftoppm", "pdfinfo")
_PREFIX = "deckgen-export-"
_LOCK = ".lock"
_RESTART = 81
"""soffice.bin's exit status after it created a profile and wants to be started again."""
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop>
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop>
 <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop>
</item>
</oor:items>
"""
"""Written into each profile before its first start: no linked pictures or OLE links are fetched
(http or file), and no macro runs."""


class ExportUnavailable(Exception):
    """The tools are not installed."""


class ExportFailed(Exception):
    """A conversion failed or took too long."""


def export_available() -> bool:
    return all(shutil.which(tool) for tool in _TOOLS)


def _soffice_binary() -> str:
    """soffice.bin itself, not the `soffice` launcher: the launcher's fork would not inherit the
    parent-death signal."""
    launcher = shutil.which("soffice")
    assert launcher is not None
    binary = Path(launcher).resolve().with_name("soffice.bin")
    return str(binary) if binary.is_file() else launcher


class _Children:
    """Process groups of the children still running, so that closing the exporter kills them."""

    def __init__(self) -> None:
        self.groups: set[int] = set()

    def kill_all(self) -> None:
        for group in list(self.groups):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        self.groups.clear()


async def _run(
    arguments: Sequence[str],
    limit: float,
    what: str,
    children: _Children,
    env: Mapping[str, str] | None = None,
    accept: tuple[int, ...] = (0,),
) -> tuple[int, bytes]:
    process = await asyncio.create_subprocess_exec(
        *arguments,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    children.groups.add(process.pid)
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
        children.groups.discard(process.pid)
        # soffice.bin may linger in the group after its launcher exits.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        # A cancelled communicate() leaves the pipes open: close them now, not in a GC warning later
        # (asyncio offers no public way to close a subprocess's transport).
        transport = getattr(process, "_transport", None)
        if transport is not None:
            transport.close()
    code = process.returncode if process.returncode is not None else -1
    if code not in accept:
        tail = err.decode("utf-8", "replace").strip()[-400:]
        raise ExportFailed(f"{what} failed (exit {code}): {tail}")
    return code, out


def _outlived_by(seconds: float) -> list[str]:
    """A hard end for a converter, whatever happens to the server: a parent-death signal can be
    lost (the sandbox's own set-up resets it), and an orphaned LibreOffice would spin forever."""
    return ["timeout", "--signal=KILL", str(math.ceil(seconds) + 5)] if shutil.which("timeout") else []


def sweep_stale(parent: Path) -> list[Path]:
    """Remove the folders of exporters that are gone (their lock is free); returns them."""
    removed: list[Path] = []
    for folder in parent.glob(f"{_PREFIX}*"):
        lock = folder / _LOCK
        try:
            with lock.open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # a live exporter holds it (BlockingIOError), or it is not ours to remove
        removed.append(folder)
    return removed


def _locked_folder(parent: Path) -> tuple[Path, IO[str]]:
    """A new folder for this exporter, locked before it gets the name a sweep looks for."""
    staging = Path(tempfile.mkdtemp(prefix=f".{_PREFIX}", dir=parent))
    lock = (staging / _LOCK).open("a")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    folder = staging.with_name(staging.name.removeprefix("."))
    staging.rename(folder)
    return folder, lock


class LibreOfficeExporter:
    def __init__(
        self,
        *,
        profiles: int = 2,
        timeout: float = 120.0,
        preview_width: int = 1280,
        work_dir: Path | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        missing = [tool for tool in _TOOLS if not shutil.which(tool)]
        if missing:
            raise ExportUnavailable(
                f"{', '.join(missing)} not found: install LibreOffice and poppler "
                "(apt-get install libreoffice-impress poppler-utils, or `make system-deps`)"
            )
        self._timeout = timeout
        self._width = preview_width
        self._sandbox = sandbox or Sandbox("none")
        self._soffice = _soffice_binary()
        parent = work_dir or Path(tempfile.gettempdir())
        stale = sweep_stale(parent)
        if stale:
            log.info("removed %d converter folder(s) left by a server that died", len(stale))
        self._root, lock = _locked_folder(parent)
        self._lock: IO[str] | None = lock
        # An exporter dropped without aclose() (an app built and abandoned) still lets its lock go.
        weakref.finalize(self, lock.close)
        self._children = _Children()
        self._profiles: asyncio.Queue[Path] = asyncio.Queue()
        for number in range(profiles):
            profile = self._root / f"profile-{number}"
            (profile / "user").mkdir(parents=True)
            (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS)
            self._profiles.put_nowait(profile)
        self._pages = asyncio.Semaphore(2)

    @property
    def sandbox(self) -> str:
        return self._sandbox.kind

    @property
    def root(self) -> Path:
        return self._root

    def kill_children(self) -> None:
        """Kill every converter still running (at shutdown)."""
        self._children.kill_all()

    async def aclose(self) -> None:
        self.kill_children()
        await asyncio.to_thread(shutil.rmtree, self._root, True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    async def pdf(self, pptx: bytes) -> bytes:
        # Defence in depth: templates are checked on upload, but a deck rendered with a template
        # stored before that check existed would carry its links here.
        try:
            await asyncio.to_thread(safe_package, pptx)
        except PackageError as error:
            raise ExportFailed(f"the PPTX was not converted: {error.message}") from None
        return await self._convert(pptx)

    async def _convert(self, pptx: bytes) -> bytes:
        """LibreOffice's PDF of `pptx`, unchecked: the sandbox and the profile's settings alone."""
        profile = await self._profiles.get()
        try:
            with tempfile.TemporaryDirectory(dir=self._root) as scratch:
                source = Path(scratch) / "deck.pptx"
                source.write_bytes(pptx)
                binds = ((profile, "/profile"), (Path(scratch), "/work"))
                inside = self._sandbox.paths(binds)
                work = inside[Path(scratch)]
                command = self._sandbox.wrap(
                    [
                        *_outlived_by(self._timeout),
                        self._soffice,
                        f"-env:UserInstallation=file://{inside[profile]}",
                        "--headless",
                        "--norestore",
                        "--nolockcheck",
                        "--nodefault",
                        "--convert-to",
                        "pdf",
                        "--outdir",
                        work,
                        f"{work}/deck.pptx",
                    ],
                    binds,
                    work,
                )
                env = {"PATH": "/usr/bin:/bin", "HOME": work, "LANG": "C.UTF-8"}
                code, _ = await _run(
                    command, self._timeout, "LibreOffice PDF export", self._children, env, (0, _RESTART)
                )
                if code == _RESTART:  # a new profile: started once to set itself up
                    await _run(command, self._timeout, "LibreOffice PDF export", self._children, env)
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
            _, info = await _run(["pdfinfo", str(path)], self._timeout, "pdfinfo", self._children)
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
                self._children,
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
