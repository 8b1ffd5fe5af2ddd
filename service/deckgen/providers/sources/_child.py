"""The converter child: `python -m deckgen.providers.sources._child MEMORY_BYTES`.

Reads requests from stdin and answers on stdout, one at a time, each a frame: 4 bytes big-endian
length, then the payload. A request is a JSON header line (`{"format": media type}`) and the
document's bytes; an answer is JSON: `{"markdown", "notes"}` or `{"reason", "message"}`.

The parser libraries run here, not in the server: a hostile file that makes one of them crash, loop
or swell ends this process (killed on timeout, capped by RLIMIT_AS), never the server. The child
imports everything before it says it is ready, so the time limit covers the conversion alone, and
it refuses to open a network connection even where no sandbox took the network away.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import struct
import sys
import traceback
from typing import Any, BinaryIO, NoReturn

READY = b"ready\n"
_HEADER = struct.Struct(">I")


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write(stream: BinaryIO, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode()
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _no_network(*_args: object, **_kwargs: object) -> NoReturn:
    raise OSError("the source converter never opens network connections")


def _mapped_bytes() -> int:
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _lock_down(memory_bytes: int) -> None:
    if memory_bytes > 0:
        # What the libraries mapped at import is theirs; the budget is for one document on top.
        limit = _mapped_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    socket.socket.connect_ex = _no_network  # type: ignore[method-assign]
    socket.getaddrinfo = _no_network
    socket.create_connection = _no_network


def _convert(header: dict[str, Any], content: bytes) -> dict[str, Any]:
    from deckgen.providers.sources._formats import CONVERTERS, ConversionError, tidy

    try:
        markdown = CONVERTERS[str(header["format"])](content)
    except ConversionError as error:
        return {"reason": error.reason, "message": error.message}
    except MemoryError:
        return {"reason": "SOURCE_TOO_LARGE", "message": "needs more memory to convert than allowed"}
    except Exception as error:
        # The reader's own words say what is damaged; the last frame says where.
        last = traceback.extract_tb(error.__traceback__)[-1:]
        where = f" in {os.path.basename(last[0].filename)}" if last else ""
        detail = str(error).strip().splitlines()[0][:120] if str(error).strip() else ""
        return {
            "reason": "SOURCE_UNREADABLE",
            "message": f"could not be read ({type(error).__name__}{where}{': ' + detail if detail else ''})",
        }
    text, notes = tidy(markdown)
    return {"markdown": text, "notes": notes}


def main() -> None:
    memory_bytes = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    requests = sys.stdin.buffer
    # Answers go to a private copy of stdout; whatever a library prints goes to stderr instead.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    # Import the readers before saying ready (seconds, once), and before the memory cap.
    import markitdown.converters  # noqa: F401
    import openpyxl  # noqa: F401
    import pdfminer.high_level  # noqa: F401

    _lock_down(memory_bytes)
    answers.write(READY)
    answers.flush()
    while True:
        size = _read_exactly(requests, _HEADER.size)
        if size is None:
            return
        frame = _read_exactly(requests, _HEADER.unpack(size)[0])
        if frame is None:
            return
        line, _, content = frame.partition(b"\n")
        with contextlib.suppress(BrokenPipeError):
            _write(answers, _convert(json.loads(line), content))


if __name__ == "__main__":
    main()
