"""Entry point for a server in a child process: the real `serve` loop, optionally slowed down."""

from __future__ import annotations

import sys

from deckgen.config import load_settings
from deckgen.observability import configure_logging
from deckgen.server import build_app, run_loop, serve
from tests.support.engines import LeakyEngine, SlowEngine


def main() -> None:
    delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    leaky = len(sys.argv) > 2 and sys.argv[2] == "leaky"
    settings = load_settings()
    configure_logging(settings.log_level, max_record_bytes=settings.log_max_record_bytes)
    engine = LeakyEngine() if leaky else SlowEngine(delay) if delay else None
    app = build_app(settings, engine)

    def ready(port: int) -> None:
        print(f"PORT {port}", flush=True)

    run_loop(settings, serve(settings, ready, app))


if __name__ == "__main__":
    main()
