"""A real deckgen gRPC server on a loopback port, in this process or in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from deckgen.config import Settings, load_settings
from deckgen.content import ContentEngine
from deckgen.server import App, build_app, close_adapters, create_server, set_serving
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc

__all__ = ["ChildServer", "RunningServer", "running_server", "start_child_server", "server_settings"]

ROOT = Path(__file__).resolve().parents[2]


def server_settings(storage: Path, **overrides: str) -> Settings:
    environ = {"ENVIRONMENT": "test", "STORAGE_DIR": str(storage), **overrides}
    return load_settings(environ)


@dataclass
class RunningServer:
    target: str
    port: int
    app: App
    channel: grpc.aio.Channel
    stub: spb_grpc.PresentationServiceStub


@asynccontextmanager
async def running_server(
    settings: Settings, engine: ContentEngine | None = None
) -> AsyncIterator[RunningServer]:
    app = build_app(settings, engine)
    server, port, app = await create_server(settings, app)
    await server.start()
    await set_serving(app, True)
    target = f"127.0.0.1:{port}"
    channel = grpc.aio.insecure_channel(target)
    try:
        yield RunningServer(target, port, app, channel, spb_grpc.PresentationServiceStub(channel))
    finally:
        await channel.close()
        await server.stop(0)
        await close_adapters(app)


@dataclass
class ChildServer:
    process: subprocess.Popen[str]
    port: int
    # The child's log, read as it comes: a full pipe would block the server, which looks like a hang.
    log: deque[str] = field(default_factory=lambda: deque(maxlen=20_000))
    _readers: list[threading.Thread] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def drain(self) -> None:
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                reader = threading.Thread(target=self.log.extend, args=(stream,), daemon=True)
                reader.start()
                self._readers.append(reader)

    def stop(self, timeout: float = 30, kill: bool = False) -> int:
        """Terminate (or kill) the child, wait for it, and close its pipes."""
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return code

    @property
    def output(self) -> str:
        """What the child has written so far (its log lines, the last 20,000 of them)."""
        return "".join(self.log)


def start_child_server(env: Mapping[str, str], slide_delay: float = 0.0, engine: str = "") -> ChildServer:
    """Run `python -m tests.support.child_server` (the real serve loop) and wait until it listens.

    `engine="leaky"` serves with `LeakyEngine`, whose failures quote the caller's documents;
    `engine="slow-fit=S"` takes S seconds of the loop to fit each slide when it is announced, and
    prints `FIT <started> <ended> <title>`.
    """
    environment = {**os.environ, "ENVIRONMENT": "test", "API_PORT": "0", **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.child_server", str(slide_delay), engine],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        _, err = process.communicate(timeout=5)
        raise RuntimeError(f"server did not start: {line!r} {err}")
    child = ChildServer(process, int(line.split()[1]))
    child.drain()
    return child
