"""The part every loopback test server shares: an asyncio TCP server on 127.0.0.1 and a free port,
in a thread with its own event loop, so the code under test never shares a loop with it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

__all__ = ["LoopbackServer"]

_THREAD_TIMEOUT = 10.0


class LoopbackServer:
    """Subclasses answer connections in `_serve_connection`; `_crashed` hears of a crash after start."""

    thread_name = "loopback-server"
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    """The event loop to serve on; None for asyncio's default."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._closing = False
        self._port: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> Self:
        name = type(self).__name__
        if self._thread is not None:
            raise RuntimeError(f"{name} is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._closing = False
        self._thread = threading.Thread(
            target=self._run, args=(ready, failure), name=self.thread_name, daemon=True
        )
        self._thread.start()
        if not ready.wait(_THREAD_TIMEOUT):
            raise RuntimeError(f"{name} did not start in time")
        if failure:
            self._thread.join(_THREAD_TIMEOUT)
            self._thread = None
            raise RuntimeError(f"{name} failed to start") from failure[0]
        return self

    def stop(self) -> None:
        """Close every connection, in-flight responses included, and end the server thread."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            # RuntimeError means the loop already closed: the thread is on its way out.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        thread.join(_THREAD_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError(f"{type(self).__name__} did not stop in time")
        self._thread = None
        self._loop = None
        self._stopping = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} has not been started")
        return self._port

    def _crashed(self, error: BaseException) -> None:
        """The server failed after it had started."""

    def _accepted(self) -> None:
        """A connection came in."""

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        try:
            with asyncio.Runner(loop_factory=self.loop_factory) as runner:
                runner.run(self._serve(ready))
        except BaseException as error:
            # Kept rather than raised so pytest's thread-exception hook never sees it.
            if ready.is_set():
                self._crashed(error)
            else:
                failure.append(error)
        finally:
            ready.set()

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        self._port = server.sockets[0].getsockname()[1]
        ready.set()
        try:
            await self._stopping.wait()
        finally:
            self._closing = True
            server.close()
            for task in self._tasks:
                task.cancel()
            if self._tasks:
                await asyncio.wait(self._tasks)
            await server.wait_closed()

    def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A plain callback that owns the task, so shutdown can cancel and await every connection.
        self._accepted()
        task = asyncio.get_running_loop().create_task(self._serve_connection(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
