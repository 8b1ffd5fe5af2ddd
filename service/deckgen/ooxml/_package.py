"""Opening a zip package a caller uploaded without letting it exhaust memory.

The zip's central directory states every member's size before anything is inflated; a member that
claims more than the limits allow, or a compression ratio no real document has, is refused before
a byte is inflated. Members that lie about their size cannot get past it either: `zipfile` stops
inflating at the declared size and then fails the CRC check.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["Package", "PackageError", "PackageLimits", "open_package"]

_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PackageLimits:
    max_part_bytes: int = 64 * _MIB
    """The most one member may inflate to."""
    max_total_bytes: int = 160 * _MIB
    """The most all members together may inflate to."""
    max_ratio: float = 200.0
    """Inflated / compressed size above which a large member is a bomb, not a document. Office XML
    compresses 5-30 times, pictures not at all; a bomb reaches 1000 times."""
    ratio_floor: int = 1 * _MIB
    """Members below this size are never refused for their ratio (an empty XML part compresses
    well, and costs nothing)."""
    max_parts: int = 5000


class PackageError(Exception):
    """The file is not a package we may open. `limit` names the `PackageLimits` field that refused
    it (None when the file is simply not a readable zip); `part` names the member, if one."""

    def __init__(self, message: str, *, part: str = "", limit: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.part = part
        self.limit = limit


def _mib(size: int) -> str:
    return f"{size / _MIB:.1f} MiB" if size >= _MIB else f"{size} bytes"


def _check_directory(entries: list[zipfile.ZipInfo], limits: PackageLimits) -> None:
    if len(entries) > limits.max_parts:
        raise PackageError(
            f"it has {len(entries)} parts, more than the limit of {limits.max_parts}", limit="max_parts"
        )
    seen: set[str] = set()
    total = 0
    for entry in entries:
        if entry.filename in seen:
            raise PackageError(f"the part {entry.filename} appears twice", part=entry.filename)
        seen.add(entry.filename)
        if entry.file_size > limits.max_part_bytes:
            raise PackageError(
                f"the part {entry.filename} unpacks to {_mib(entry.file_size)}, more than the "
                f"limit of {_mib(limits.max_part_bytes)} per part",
                part=entry.filename,
                limit="max_part_bytes",
            )
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise PackageError(
                f"the part {entry.filename} is compressed {ratio:.0f} times, more than the limit of "
                f"{limits.max_ratio:.0f} times (a zip bomb?)",
                part=entry.filename,
                limit="max_ratio",
            )
        total += entry.file_size
    if total > limits.max_total_bytes:
        raise PackageError(
            f"it unpacks to {_mib(total)}, more than the limit of {_mib(limits.max_total_bytes)}",
            limit="max_total_bytes",
        )


def _inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: PackageLimits) -> bytes:
    chunks: list[bytes] = []
    size = 0
    with archive.open(entry) as stream:
        while chunk := stream.read(_MIB):
            size += len(chunk)
            if size > min(entry.file_size, limits.max_part_bytes):  # zipfile caps it; belt and braces
                raise PackageError(f"the part {entry.filename} is larger than it claims", part=entry.filename)
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class Package(Mapping[str, bytes]):
    """The members of an opened package by name, in the archive's order."""

    parts: Mapping[str, bytes]

    def __getitem__(self, name: str) -> bytes:
        return self.parts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)

    def replace(self, changes: Mapping[str, bytes | None]) -> Package:
        """A copy with members replaced (or removed, for None)."""
        parts = {name: changes.get(name, data) for name, data in self.parts.items()}
        parts.update({name: data for name, data in changes.items() if name not in parts})
        return Package({name: data for name, data in parts.items() if data is not None})

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in self.parts.items():
                entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                target.writestr(entry, data, zipfile.ZIP_DEFLATED)
        return out.getvalue()


def open_package(data: bytes, limits: PackageLimits | None = None) -> Package:
    """Every member of the zip `data`, inflated within `limits`; PackageError otherwise."""
    limits = limits or PackageLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise PackageError("it is not a zip archive") from error
    _check_directory(entries, limits)
    parts: dict[str, bytes] = {}
    try:
        for entry in entries:
            if not entry.is_dir():
                parts[entry.filename] = _inflate(archive, entry, limits)
    except PackageError:
        raise
    # BadZipFile for a wrong CRC or header, NotImplementedError for an unknown compression method,
    # RuntimeError for an encrypted member, zlib.error (an Exception) for a damaged stream.
    except Exception as error:
        raise PackageError(f"the archive is damaged ({type(error).__name__})") from error
    return Package(parts)
