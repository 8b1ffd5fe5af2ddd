"""Source documents of any supported format → Markdown sources, behind the pipeline's source port.

Per source: the declared format must agree with the bytes (`_detect`); an Office file is opened by
`deckgen.ooxml` (zip bomb limits, no DOCTYPE) and its links leading outside it are stripped before
any parser sees it; then a converter child (`_child`, one of a small pool, sandboxed like
LibreOffice where namespaces allow) turns it into Markdown within a time limit. A child that times
out or dies is killed and replaced; the caller gets INVALID_ARGUMENT naming the source and a reason
(`SOURCE_TYPE_MISMATCH`, `SOURCE_UNSAFE`, `SOURCE_ENCRYPTED`, `SOURCE_HAS_NO_TEXT`,
`SOURCE_UNREADABLE`, `SOURCE_TOO_LARGE`, `SOURCE_CONVERSION_TIMEOUT`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import struct
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deckgen.domain import FieldViolation, InvalidRequest, SourceDocument, Unavailable
from deckgen.ooxml import PackageError, PackageLimits, UnsafePackage, open_package, strip_links
from deckgen.providers.export import Sandbox
from deckgen.providers.sources._child import READY
from deckgen.providers.sources._detect import (
    Format,
    Mismatch,
    check_bytes,
    declared_format,
    office_format,
)
from deckgen.providers.sources._formats import has_text

__all__ = ["Converted", "SourceConverter", "SourceFailed"]

log = logging.getLogger("deckgen.sources")

_HEADER = struct.Struct(">I")
_START_TIMEOUT = 60.0
"""Seconds a new child may take to import its readers (a cold start on a busy machine)."""
_USES_PER_CHILD = 50
"""Conversions one child serves before it is replaced, so what a parser leaks cannot pile up."""
_MAX_ANSWER_BYTES = 8 * 1024 * 1024
_SOURCE_PACKAGE_LIMITS = PackageLimits(max_part_bytes=32 * 1024 * 1024, max_total_bytes=64 * 1024 * 1024)
"""An Office source is inflated in the server's process before a child sees it: tighter than a
template's limits (64 / 160 MiB), since many calls may carry sources at once."""


class SourceFailed(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Converted:
    """The sources as Markdown, and what was changed on the way (for warnings)."""

    sources: tuple[SourceDocument, ...]
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    """Time spent converting (wall clock, all sources)."""


class _ChildDied(Exception):
    pass


@dataclass(eq=False)
class _Child:
    process: asyncio.subprocess.Process
    uses: int = 0

    async def ask(self, media_type: str, content: bytes, limit: float) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        header = json.dumps({"format": media_type}).encode() + b"\n"
        frame = header + content
        self.uses += 1
        async with asyncio.timeout(limit):
            try:
                self.process.stdin.write(_HEADER.pack(len(frame)) + frame)
                await self.process.stdin.drain()
                size = _HEADER.unpack(await self.process.stdout.readexactly(_HEADER.size))[0]
                if size > _MAX_ANSWER_BYTES:
                    raise _ChildDied(f"answered {size} bytes")
                answer: dict[str, Any] = json.loads(await self.process.stdout.readexactly(size))
            except (asyncio.IncompleteReadError, ConnectionError, BrokenPipeError) as error:
                raise _ChildDied(str(error)) from error
        return answer

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        transport = getattr(self.process, "_transport", None)
        if transport is not None:
            transport.close()


def _read_only_paths() -> list[str]:
    """What the child's Python needs outside /usr: the virtualenv and the folders on sys.path."""
    paths = {sys.prefix, sys.base_prefix, *(p for p in sys.path if p)}
    kept = sorted(
        {str(Path(p).resolve()) for p in paths if os.path.isdir(p)} - {"/usr"},
    )
    return [p for p in kept if not p.startswith("/usr/") and p != "/"]


@dataclass
class SourceConverter:
    """Turns PDF, DOCX, PPTX, XLSX, HTML and CSV sources into Markdown; Markdown and text pass."""

    processes: int = 2
    timeout: float = 60.0
    """Seconds one document may take to convert."""
    memory_bytes: int = 1024 * 1024 * 1024
    """Address space one conversion may add to a child (RLIMIT_AS on top of the loaded libraries)."""
    sandbox: Sandbox = field(default_factory=lambda: Sandbox("none"))
    package_limits: PackageLimits = field(default_factory=lambda: _SOURCE_PACKAGE_LIMITS)
    _idle: list[_Child] = field(default_factory=list, init=False)
    _busy: set[_Child] = field(default_factory=set, init=False)
    _slots: asyncio.Semaphore | None = field(default=None, init=False)

    async def to_markdown(self, sources: Sequence[SourceDocument]) -> Converted:
        """Every source as Markdown (or text), in order; InvalidRequest naming each that fails."""
        started = time.perf_counter()
        results = await asyncio.gather(
            *(self._one(index, source) for index, source in enumerate(sources)), return_exceptions=True
        )
        violations: list[FieldViolation] = []
        reasons: list[str] = []
        converted: list[SourceDocument] = []
        notes: list[str] = []
        for index, result in enumerate(results):
            if isinstance(result, SourceFailed):
                name = sources[index].name
                violations.append(FieldViolation(f"sources[{index}]", f"{name} {result.message}"))
                reasons.append(result.reason)
            elif isinstance(result, BaseException):
                raise result
            else:
                document, found = result
                converted.append(document)
                notes.extend(f"{sources[index].name}: {note}" for note in found)
        if violations:
            raise InvalidRequest(violations, reason=reasons[0])
        return Converted(tuple(converted), tuple(notes), time.perf_counter() - started)

    async def _one(self, index: int, source: SourceDocument) -> tuple[SourceDocument, list[str]]:
        try:
            declared = declared_format(source.name, source.media_type)
            check_bytes(declared, source.content)
            if declared in (Format.MARKDOWN, Format.TEXT):
                return source, []
        except Mismatch as error:
            raise SourceFailed("SOURCE_TYPE_MISMATCH", str(error)) from None
        content = source.content
        notes: list[str] = []
        if declared.office:
            content, notes = await asyncio.to_thread(self._open_office, declared, content)
        answer = await self._convert(declared, content)
        if "reason" in answer:
            raise SourceFailed(str(answer["reason"]), str(answer["message"]))
        markdown = str(answer["markdown"])
        if not has_text(markdown):
            hint = " (a scan without a text layer? run OCR on it first)" if declared == Format.PDF else ""
            raise SourceFailed("SOURCE_HAS_NO_TEXT", f"holds no text to build slides from{hint}")
        notes.extend(str(note) for note in answer.get("notes", []))
        return SourceDocument(source.name, "text/markdown", markdown.encode()), notes

    def _open_office(self, declared: Format, content: bytes) -> tuple[bytes, list[str]]:
        try:
            package = open_package(content, self.package_limits)
            found = office_format(package)
            if found != declared:
                what = found.label if found is not None else "no Word, PowerPoint or Excel document"
                raise SourceFailed(
                    "SOURCE_TYPE_MISMATCH", f"is declared {declared.label} but the package holds {what}"
                )
            # Links out of the file (pictures by URL, OLE objects) are dropped, never followed.
            stripped, removed = strip_links(package)
        except UnsafePackage as error:
            raise SourceFailed("SOURCE_UNSAFE", f"is refused: {error.message}") from None
        except PackageError as error:
            reason = "SOURCE_TOO_LARGE" if error.limit else "SOURCE_UNREADABLE"
            raise SourceFailed(reason, f"is not a readable Office file: {error.message}") from None
        notes = [f"{len(removed)} link(s) to content outside the file were left out"] if removed else []
        return (stripped.to_bytes() if removed else content), notes

    async def _convert(self, declared: Format, content: bytes) -> dict[str, Any]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.processes)
        async with self._slots:
            child = self._idle.pop() if self._idle else await self._start()
            self._busy.add(child)
            keep = False
            try:
                answer = await child.ask(declared.value, content, self.timeout)
                keep = child.uses < _USES_PER_CHILD and answer.get("reason") != "SOURCE_TOO_LARGE"
                return answer
            except TimeoutError:
                raise SourceFailed(
                    "SOURCE_CONVERSION_TIMEOUT",
                    f"took longer than {self.timeout:g} s to convert; send a shorter document or "
                    "its text as Markdown",
                ) from None
            except _ChildDied:
                code = child.process.returncode
                how = f" (signal {-code})" if code is not None and code < 0 else ""
                log.warning("a source converter died%s", how)
                raise SourceFailed(
                    "SOURCE_UNREADABLE", f"made the converter fail{how}; it may be damaged"
                ) from None
            finally:
                self._busy.discard(child)
                if keep:
                    self._idle.append(child)
                else:
                    child.kill()
                    with contextlib.suppress(Exception):
                        await asyncio.shield(child.process.wait())

    async def _start(self) -> _Child:
        command = [
            "env",
            "OMP_NUM_THREADS=1",
            "OPENBLAS_NUM_THREADS=1",
            "PYTHONDONTWRITEBYTECODE=1",
            sys.executable,
            "-m",
            "deckgen.providers.sources._child",
            str(self.memory_bytes),
        ]
        arguments = self.sandbox.wrap(command, (), "/", read_only=_read_only_paths())
        process = await asyncio.create_subprocess_exec(
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        child = _Child(process)
        try:
            assert process.stdout is not None
            try:
                async with asyncio.timeout(_START_TIMEOUT):
                    ready = await process.stdout.readline()
            except TimeoutError:
                ready = b""
            if ready != READY:
                raise Unavailable(
                    "the source converter did not start; documents other than Markdown and text "
                    "cannot be read now",
                    retry_after=5.0,
                    reason="SOURCE_CONVERTER_UNAVAILABLE",
                )
        except BaseException:
            child.kill()
            raise
        return child

    async def aclose(self) -> None:
        for child in [*self._idle, *self._busy]:
            child.kill()
            with contextlib.suppress(Exception):
                await child.process.wait()
        self._idle.clear()
        self._busy.clear()
