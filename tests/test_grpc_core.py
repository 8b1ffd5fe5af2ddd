"""The gRPC core option the README offers (`GRPC_EXPERIMENTS=-event_engine_listener`): the
installed grpc knows it, and it does what the README says."""

from __future__ import annotations

import os
import subprocess
import sys

SERVE = (
    "from concurrent import futures; import grpc; "
    "server = grpc.server(futures.ThreadPoolExecutor(1)); server.add_insecure_port('127.0.0.1:0'); "
    "server.start(); server.stop(0)"
)


def _core_log(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "GRPC_EXPERIMENTS"} | env
    return subprocess.run(
        [sys.executable, "-c", SERVE],
        env={**environ, "GRPC_VERBOSITY": "debug", "GRPC_TRACE": "all"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stderr


def test_the_installed_grpc_knows_the_option_and_drops_its_listener() -> None:
    # A release that renamed or removed the experiment would log it as unknown, and the
    # listener's own trace would show it still runs.
    without = _core_log(GRPC_EXPERIMENTS="-event_engine_listener")
    assert "Unknown experiment" not in without
    assert "posix_engine_listener" not in without
    assert "posix_engine_listener" in _core_log()
