"""PPTX files written in worker processes, so that writing one never holds the server's event loop.

Writing a deck is tens of milliseconds of pure-Python CPU (python-pptx, lxml). In a thread it still
holds the GIL, so every other stream's events wait behind it; in a worker process it runs on
another core and the event loop only pickles the deck in and the bytes out.

Workers are started with `spawn` (forking a process that runs grpc's threads is unsafe), which
costs each one an interpreter start and the render imports, about half a second: `start()` warms
them in the background, so neither the server's start nor the first deck waits for it. A worker
that dies (killed, out of memory) breaks the pool: the deck it was writing fails (the pipeline
keeps its slides and reports RENDER_FAILED, RenderPresentation can try again), and the next deck
gets a fresh pool.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from deckgen._heap import GC_THRESHOLDS
from deckgen.domain import Bullet, Deck, Layout, Slide, Theme
from deckgen.render._pptx import render_pptx

__all__ = ["RenderPool", "write_pptx"]

log = logging.getLogger("deckgen.render")


def write_pptx(
    deck: Deck, theme: Theme, images: Mapping[str, bytes], template: bytes | None
) -> tuple[bytes, tuple[str, ...]]:
    """The .pptx of a deck the pipeline has fitted, on `template` when given, and what could not be
    drawn as asked."""
    if template is not None:
        from deckgen.render.template import render_with_template

        data, warnings = render_with_template(deck, template, images)
        return data, tuple(warnings)
    # Measuring the slides again would find the same parts: the pipeline fitted them with this theme.
    return render_pptx(deck, theme, images, fitted=True), ()


def _follow_parent() -> None:
    """Run at a worker's start: the worker ends when the server does, even one that was killed
    (SIGKILL, out of memory) and never shut its pool down, instead of lingering.

    The server's end closes the pipe that multiprocessing started the worker with, so a thread
    blocked on that pipe wakes then and only then (asking for the parent's pid every second woke
    the worker ten times per deck)."""
    server = multiprocessing.parent_process()
    assert server is not None, "run only in a worker process"

    def watch() -> None:
        multiprocessing.connection.wait([server.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="deckgen-render-parent", daemon=True).start()


def _start_worker() -> None:
    """Run at a worker's start."""
    _follow_parent()
    gc.set_threshold(*GC_THRESHOLDS)  # the server's too (see `deckgen._heap`)


def _warm() -> int:
    """Run in each new worker: the imports and font loading a first deck would otherwise wait for."""
    from deckgen.render._themes import get_theme
    from deckgen.render.template import render_with_template  # noqa: F401 - imported to be warm

    slide = Slide(Layout.BULLETS, "Warm-up", bullets=(Bullet("Fonts are loaded and measured once"),))
    render_pptx(Deck("Warm-up", (slide,)), get_theme("default"))
    # The modules, fonts and template just loaded live as long as the worker: no collection need
    # walk them again.
    gc.freeze()
    return os.getpid()


class RenderPool:
    """`processes` worker processes writing PPTX files; `await pool.pptx(...)` from the event loop."""

    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self._processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return self._executor

    async def start(self) -> None:
        """Start and warm every worker without waiting for them."""
        loop = asyncio.get_running_loop()
        for _ in range(self._processes):
            future = loop.run_in_executor(self._pool(), _warm)
            future.add_done_callback(_log_warm_failure)

    async def pptx(
        self, deck: Deck, theme: Theme, images: Mapping[str, bytes], template: bytes | None
    ) -> tuple[bytes, tuple[str, ...]]:
        loop = asyncio.get_running_loop()
        for _ in range(2):
            executor = self._pool()
            try:
                # Refused at once when a worker died while idle: the deck never started, and a
                # fresh pool takes it.
                running = loop.run_in_executor(executor, write_pptx, deck, theme, dict(images), template)
            except BrokenProcessPool:
                self._discard(executor)
                continue
            try:
                return await running
            except BrokenProcessPool:
                # Died while writing this deck (perhaps because of it): not tried again.
                self._discard(executor)
                raise
        raise BrokenProcessPool("render worker processes could not be started")

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        log.error("a render worker process died; starting new ones")
        if self._executor is executor:
            self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, True, cancel_futures=True)


def _log_warm_failure(future: asyncio.Future[int]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("warming a render worker failed: %r", future.exception())
