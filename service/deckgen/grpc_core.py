"""Process-wide settings of gRPC's core, which it reads from the environment once: when the process
first imports `grpc`. A server's entry point applies them before that import; the operator's own
value of each variable always wins (set it empty to get gRPC's default back)."""

from __future__ import annotations

import os
import sys

__all__ = ["CORE_DEFAULTS", "apply_core_defaults"]

CORE_DEFAULTS = {
    # With the event engine's listener, every read and write of a server's connections runs on the
    # engine's work-stealing pool, whose threads wake each other for every piece of work and then
    # poll for more from 15 ms to 3 s after it (constants no option reaches): 270-300 wakes and
    # 10-12 ms of CPU per lone 10-slide deck. Without it, the completion-queue poller that grpc.aio
    # already keeps does those reads and writes itself: ~100 wakes and 4 ms
    # (`bench/load.py --scenario cpu --threads`).
    "GRPC_EXPERIMENTS": "-event_engine_listener",
}


def apply_core_defaults() -> bool:
    """Set each of gRPC's core variables the environment does not set. False when `grpc` was
    imported already: the core has read its settings, and these can no longer apply."""
    for name, value in CORE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    return "grpc" not in sys.modules
