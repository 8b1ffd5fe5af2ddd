"""Entry point for a server in a child process: the real `serve` loop, optionally slowed down."""

from __future__ import annotations

import asyncio
import sys

from deckgen.config import load_settings
from deckgen.observability import configure_logging
from deckgen.server import build_app, serve
from tests.support.engines import SlowEngine


def main() -> None:
    delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    settings = load_settings()
    configure_logging(settings.log_level, max_record_bytes=settings.log_max_record_bytes)
    app = build_app(settings, SlowEngine(delay) if delay else None)

    def ready(port: int) -> None:
        print(f"PORT {port}", flush=True)

    asyncio.run(serve(settings, ready, app))


if __name__ == "__main__":
    main()
