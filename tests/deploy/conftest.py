"""Fixtures for the deployment checks: a real server (the serve loop) to run health-check commands against."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.support.servers import ChildServer, start_child_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChildServer]:
    """`deckgen serve` in a child process: liveness, readiness and the service report SERVING."""
    server = start_child_server(
        {"STORAGE_DIR": str(tmp_path_factory.mktemp("artifacts")), "METRICS_ENABLED": "false"}
    )
    yield server
    server.stop()


def run_python(argv: Sequence[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python ...` as a container would, with this venv's interpreter (grpcio installed)."""
    assert argv[0] == "python", argv
    return subprocess.run(
        [sys.executable, *argv[1:]], capture_output=True, text=True, timeout=30, env=env, check=False
    )
