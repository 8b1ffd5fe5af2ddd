"""First slides first: a generation's later work waits while others still owe their first slide.

All the generations of a process share one event loop (and one interpreter lock), which runs
whatever is ready in turn. In a burst of decks written without a model, every deck's first slide
would then come out only after most of everybody's other work: the outline items, the other slides,
the fitting, the files. And grpc hands the server one new call per turn of the loop: a loop whose
turns are long with other decks' work takes the rest of a burst in slowly. What a caller waits for
first is the first slide; so once a generation has published its own, its later steps wait until
every call that arrived has reached its first slide and no new one has arrived for a moment (or
until it has waited `patience` seconds in all, so that a steady stream of new calls cannot hold it
back for ever).

Only for engines whose way to the first slide is CPU work in this process: a generation waiting on
a model would hold the others back for nothing.
"""

from __future__ import annotations

import asyncio
import time

__all__ = ["FirstSlides"]


class FirstSlides:
    def __init__(self, patience: float = 5.0, quiet: float = 0.1, at_once: int = 3) -> None:
        self._patience = patience
        self._slots = asyncio.Semaphore(at_once)
        """Generations past their first slide going on at once: the loop's turns stay short (a burst
        still being taken in gets a call per turn), and what runs finishes sooner than if every
        generation had a share of each turn; one still waits for the render process while others
        use the loop."""
        self._holding: set[str] = set()
        self._quiet = quiet
        """Seconds without a new call after which a burst is taken to be over."""
        self._owing: set[str] = set()
        self._clear: asyncio.Event | None = None
        self._last_arrival = 0.0
        self._last_arrived = ""
        self._waited: dict[str, float] = {}
        """Seconds each generation past its first slide has waited here so far."""

    def _event(self) -> asyncio.Event:
        if self._clear is None:
            self._clear = asyncio.Event()
            if not self._owing:
                self._clear.set()
        return self._clear

    @property
    def owing(self) -> int:
        """Generations still owing their first slide."""
        return len(self._owing)

    def expect(self, generation: str) -> None:
        """A call for `generation` arrived: it owes its first slide."""
        self._owing.add(generation)
        self._last_arrival, self._last_arrived = time.monotonic(), generation
        self._event().clear()

    def reached(self, generation: str) -> None:
        """`generation` published its first slide (or will not publish one in this process)."""
        self._owing.discard(generation)
        if not self._owing:
            self._event().set()

    def forget(self, generation: str) -> None:
        """`generation` ended."""
        self.reached(generation)
        self._waited.pop(generation, None)
        if generation in self._holding:
            self._holding.discard(generation)
            self._slots.release()

    async def later(self, generation: str) -> None:
        """Wait, before `generation` goes on past its first slide, until no other call owes its
        own and none arrived for a moment, and until it is one of the few that go on at once."""
        if generation in self._owing:
            return
        await self._calm(generation)
        if generation not in self._holding:
            await self._slots.acquire()
            self._holding.add(generation)

    async def _calm(self, generation: str) -> None:
        waited = self._waited.get(generation, 0.0)
        started = time.monotonic()
        try:
            while True:
                now = time.monotonic()
                left = self._patience - waited - (now - started)
                if left <= 0:
                    return
                if self._owing:
                    try:
                        async with asyncio.timeout(left):
                            await self._event().wait()
                    except TimeoutError:
                        return
                    continue
                calm = self._quiet - (now - self._last_arrival)
                if calm <= 0 or self._last_arrived == generation:
                    return
                await asyncio.sleep(min(calm, left))
        finally:
            self._waited[generation] = waited + time.monotonic() - started
