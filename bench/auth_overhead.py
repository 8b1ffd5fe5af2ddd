"""What identity costs a call: ListThemes latency over gRPC with each authentication mode.

A real in-process server on loopback, N calls per configuration: no authentication; an API key;
a Supabase ES256 token (JWKS from a loopback server, cached); the same with per-caller limits in
process and in Redis (127.0.0.1:6379, a key prefix of its own). Prints p50/p95 per configuration
and the median added over no authentication, with its ratio to the limit (2 ms; the median, as
tails on a shared 2-core machine measure the neighbours more than the code).

Usage: python bench/auth_overhead.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis.asyncio as redis  # noqa: E402

from deckgen.v1 import presentation_service_pb2 as spb  # noqa: E402
from tests.support.identity import api_key_caller, bearer  # noqa: E402
from tests.support.servers import running_server, server_settings  # noqa: E402
from tests.support.supabase_auth import SupabaseAuth  # noqa: E402

LIMIT_MS = 2.0
REDIS_URL = "redis://127.0.0.1:6379/0"


async def _latencies(
    settings: dict[str, str], metadata: tuple[tuple[str, str], ...], calls: int
) -> list[float]:
    with tempfile.TemporaryDirectory() as storage:
        async with running_server(server_settings(Path(storage), **settings)) as server:
            request = spb.ListThemesRequest()
            for _ in range(20):  # warm: channel, JWKS fetch, first bucket
                await server.stub.ListThemes(request, metadata=metadata)
            times = []
            for _ in range(calls):
                started = time.perf_counter()
                await server.stub.ListThemes(request, metadata=metadata)
                times.append((time.perf_counter() - started) * 1000)
            return times


async def main(calls: int) -> int:
    caller = api_key_caller("bench")
    prefix = f"bench-{uuid.uuid4().hex}:"
    limits = {
        "RATE_LIMIT_ENABLED": "true",
        "RATE_LIMIT_READS_PER_MINUTE": "1000000",
        "RATE_LIMIT_READS_BURST": "100000",
    }
    with SupabaseAuth() as supabase:
        users = {"AUTH_MODE": "supabase", "SUPABASE_URL": supabase.url}
        token = bearer(supabase.token())
        configurations = {
            "none": ({}, ()),
            "api_key": ({"AUTH_MODE": "api_key", "API_KEYS": caller.entry}, caller.metadata),
            "supabase ES256": (users, token),
            "supabase + limits (memory)": ({**users, **limits}, token),
            "supabase + limits (redis)": (
                {
                    **users,
                    **limits,
                    "REDIS_URL": REDIS_URL,
                    "REDIS_KEY_PREFIX": prefix,
                    "RESUME_TOKEN_SECRET": "k" * 32,
                },
                token,
            ),
        }
        results = {}
        try:
            for name, (settings, metadata) in configurations.items():
                results[name] = await _latencies(settings, metadata, calls)
        finally:
            client = redis.Redis.from_url(REDIS_URL)
            keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]

    base = statistics.median(results["none"])
    worst = 0.0
    print(f"ListThemes over loopback gRPC, {calls} calls each")
    for name, values in results.items():
        added = statistics.median(values) - base
        worst = max(worst, added / LIMIT_MS)
        print(
            f"  {name:28} p50 {statistics.median(values):6.3f} ms  p95 {p95(values):6.3f} ms"
            f"  added p50 {added:+6.3f} ms  ratio {added / LIMIT_MS:5.2f}"
        )
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    raise SystemExit(asyncio.run(main(parser.parse_args().calls)))
