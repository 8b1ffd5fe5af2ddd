"""Reassembling and checking artifact downloads; shared by the sync and async clients."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import grpc

from deckgen.v1.presentation_pb2 import Artifact
from deckgen.v1.presentation_service_pb2 import DownloadArtifactResponse

from ._exceptions import DataLossError

__all__ = [
    "ChunkAssembler",
    "artifact_name",
    "target_path",
    "open_temp_file",
    "commit_temp_file",
    "discard_temp_file",
]


def artifact_name(artifact: str | Artifact) -> str:
    return artifact if isinstance(artifact, str) else artifact.name


class ChunkAssembler:
    """Follows the byte position of a download across reconnects and checks the result."""

    def __init__(self, name: str, offset: int) -> None:
        self.name = name
        self.start = offset
        self.position = offset
        self.artifact: Artifact | None = None
        self._sha256 = hashlib.sha256()

    def accept(self, chunk: DownloadArtifactResponse) -> bytes:
        """Returns the chunk's bytes that are new, dropping any a resumed stream repeats."""
        if self.artifact is None and chunk.HasField("artifact"):
            self.artifact = chunk.artifact
        data = chunk.data
        if chunk.offset > self.position:
            raise DataLossError(
                f"{self.name}: chunk at byte {chunk.offset} leaves a gap after byte {self.position}",
                code=grpc.StatusCode.DATA_LOSS,
            )
        data = data[self.position - chunk.offset :]
        self._sha256.update(data)
        self.position += len(data)
        return data

    def verify(self) -> None:
        """Checks size and SHA-256 against the artifact's metadata, when the whole file was read."""
        if self.artifact is None or self.start != 0:
            return
        expected_size = self.artifact.size_bytes
        if expected_size and self.position != expected_size:
            raise DataLossError(
                f"{self.name}: received {self.position} bytes, expected {expected_size}",
                code=grpc.StatusCode.DATA_LOSS,
            )
        expected_sha = self.artifact.sha256.lower()
        if expected_sha and self._sha256.hexdigest() != expected_sha:
            raise DataLossError(
                f"{self.name}: SHA-256 {self._sha256.hexdigest()} does not match {expected_sha}",
                code=grpc.StatusCode.DATA_LOSS,
            )


def target_path(name: str, path: str | os.PathLike[str]) -> Path:
    """The file to write: the artifact's own file name inside `path` when `path` is a folder, ends
    with a separator, or does not exist and has no extension (the folder is created: a loop over a
    deck's artifacts must not write them all to one file); otherwise `path` itself, its parent
    folders created."""
    target = Path(path)
    text = os.fspath(path)
    folder = target.is_dir() or text.endswith(("/", os.sep)) or (not target.exists() and not target.suffix)
    if folder:
        target.mkdir(parents=True, exist_ok=True)
        return target / name.rsplit("/", 1)[-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def open_temp_file(target: Path) -> tuple[BinaryIO, Path]:
    """A new file next to `target`, so that the final rename stays on one file system (atomic)."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    # mkstemp creates 0600 files; a downloaded deck should get the usual permissions.
    os.chmod(temp, 0o644)
    return os.fdopen(fd, "wb"), Path(temp)


def commit_temp_file(file: BinaryIO, temp: Path, target: Path) -> None:
    """Makes the complete download visible under `target` in one step."""
    file.flush()
    os.fsync(file.fileno())
    file.close()
    os.replace(temp, target)


def discard_temp_file(file: BinaryIO, temp: Path) -> None:
    file.close()
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
