"""gRPC's core settings: applied before grpc is imported, and never over the operator's own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from deckgen.grpc_core import CORE_DEFAULTS

PROBE = (
    "import os; from deckgen.grpc_core import apply_core_defaults; "
    "applied = apply_core_defaults(); print(applied, repr(os.environ.get('GRPC_EXPERIMENTS')))"
)


def _probe(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in CORE_DEFAULTS} | env
    return subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def test_a_fresh_process_gets_the_defaults() -> None:
    assert _probe(PROBE) == "True '-event_engine_listener'"


@pytest.mark.parametrize("value", ["", "-event_engine_callback_cq"])
def test_the_operators_value_wins_even_empty(value: str) -> None:
    assert _probe(PROBE, GRPC_EXPERIMENTS=value) == f"True {value!r}"


def test_too_late_once_grpc_is_imported() -> None:
    assert _probe("import grpc; " + PROBE) == "False '-event_engine_listener'"


SERVE = (
    "from deckgen.grpc_core import apply_core_defaults; apply_core_defaults(); "
    "from concurrent import futures; import grpc; "
    "server = grpc.server(futures.ThreadPoolExecutor(1)); server.add_insecure_port('127.0.0.1:0'); "
    "server.start(); server.stop(0)"
)


def _core_log(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in CORE_DEFAULTS} | env
    return subprocess.run(
        [sys.executable, "-c", SERVE],
        env={**environ, "GRPC_VERBOSITY": "debug", "GRPC_TRACE": "all"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stderr


def test_the_installed_grpc_knows_the_experiment_and_drops_its_listener() -> None:
    # A release that renamed or removed the experiment would log it as unknown, and the
    # listener's own trace would show it still runs.
    ours = _core_log()
    assert "Unknown experiment" not in ours
    assert "posix_engine_listener" not in ours
    assert "posix_engine_listener" in _core_log(GRPC_EXPERIMENTS="")
