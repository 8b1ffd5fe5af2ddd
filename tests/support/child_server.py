"""Entry point for a server in a child process: the real `serve` loop, optionally slowed down."""

from __future__ import annotations

import sys
import time

from deckgen import server
from deckgen.config import load_settings
from deckgen.domain import Slide, Theme
from deckgen.observability import configure_logging
from deckgen.server import build_app, run_loop, serve
from tests.support.engines import LeakyEngine, SlowEngine


def _slow_fit(seconds: float) -> None:
    """Each slide's first fit (when it is announced) sleeps, saying on stdout when it ran."""
    fit = server._fit
    seen: set[str] = set()

    def slow(slide: Slide, theme: Theme) -> tuple[tuple[Slide, ...], tuple[str, ...]]:
        if slide.title in seen:
            return fit(slide, theme)
        seen.add(slide.title)
        started = time.time()
        time.sleep(seconds)  # the loop's thread, as measuring text takes it
        print(f"FIT {started} {time.time()} {slide.title}", flush=True)
        return fit(slide, theme)

    server._fit = slow


def main() -> None:
    delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    leaky = len(sys.argv) > 2 and sys.argv[2] == "leaky"
    if len(sys.argv) > 2 and sys.argv[2].startswith("slow-fit="):
        _slow_fit(float(sys.argv[2].partition("=")[2]))
    settings = load_settings()
    configure_logging(settings.log_level, max_record_bytes=settings.log_max_record_bytes)
    engine = LeakyEngine() if leaky else SlowEngine(delay) if delay else None
    app = build_app(settings, engine)

    def ready(port: int) -> None:
        print(f"PORT {port}", flush=True)

    run_loop(settings, serve(settings, ready, app))


if __name__ == "__main__":
    main()
