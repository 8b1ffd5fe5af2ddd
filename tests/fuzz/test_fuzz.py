"""Fuzzing a real server process through its gRPC port: whatever arrives, the caller gets a clear
status (never INTERNAL or UNKNOWN), the server answers every call in time, stays alive and healthy,
and its memory stays bounded.

`make test` runs a few hundred derandomised examples; `make fuzz FUZZ_SECONDS=600` keeps drawing
new random ones for as long as asked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings

from tests.fuzz.strategies import METHODS, Call, calls
from tests.support.servers import ChildServer, start_child_server

CALL_TIMEOUT = 60.0
"""A call that takes longer is a hung server (generations here take about a second)."""
RSS_GROWTH_LIMIT = 200 * 1024 * 1024
"""Bytes the server may grow by over a whole run (caches and pools warm up; leaks do not stop)."""
FORBIDDEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def child(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChildServer]:
    server = start_child_server(
        {
            "STORAGE_DIR": str(tmp_path_factory.mktemp("fuzz-store")),
            # PDF/PNG go through LibreOffice (seconds per deck); the fuzz wants many requests.
            "EXPORT_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    yield server
    server.stop()


class Caller:
    """Sends a `Call` the way any client would, and checks what came back."""

    def __init__(self, child: ChildServer) -> None:
        self.child = child
        self.channel = grpc.insecure_channel(child.target)
        self.health = health_pb2_grpc.HealthStub(self.channel)
        self.seen: dict[str, int] = {}

    def send(self, call: Call) -> None:
        method = METHODS[call.method]
        path = f"/deckgen.v1.PresentationService/{call.method}"
        payload = call.payload if call.request is None else call.request.SerializeToString()
        started = time.monotonic()
        try:
            if method.server_streaming:
                for _ in self.channel.unary_stream(path)(payload, timeout=CALL_TIMEOUT):
                    pass
            else:
                self.channel.unary_unary(path)(payload, timeout=CALL_TIMEOUT)
            code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
            details = error.details()
            assert code not in FORBIDDEN, (
                f"{call.method} answered {code.name} after {time.monotonic() - started:.1f} s: {details}"
            )
        self.seen[code.name] = self.seen.get(code.name, 0) + 1
        self.check_alive()

    def check_alive(self) -> None:
        assert self.child.process.poll() is None, "the server process died"
        response = self.health.Check(health_pb2.HealthCheckRequest(service="liveness"), timeout=10)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


def _fuzz_settings(examples: int, derandomize: bool) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=derandomize,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def test_no_request_gets_internal_or_unknown_hangs_or_kills_the_server(child: ChildServer) -> None:
    caller = Caller(child)
    caller.check_alive()
    # Warm up (imports, fonts, pools) before measuring memory.
    caller.send(Call("ListThemes", None, b""))
    before = rss(child.process.pid)

    budget = float(os.environ.get("FUZZ_SECONDS", "0"))
    examples = int(os.environ.get("FUZZ_EXAMPLES", "250"))

    @given(call=calls())
    def one(call: Call) -> None:
        caller.send(call)

    run = _fuzz_settings(examples, derandomize=budget == 0)(one)
    run()
    rounds = 1
    end = time.monotonic() + budget
    while time.monotonic() < end:
        run()
        rounds += 1
    growth = rss(child.process.pid) - before
    print(f"fuzz: {rounds} round(s) of {examples}; statuses {caller.seen}; RSS +{growth / 2**20:.1f} MiB")
    assert growth < RSS_GROWTH_LIMIT, f"RSS grew by {growth / 2**20:.0f} MiB"
    caller.channel.close()
