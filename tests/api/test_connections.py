"""One channel carries hundreds of calls at once: a busy backend caller is not a hostile one."""

from __future__ import annotations

import asyncio
from collections import Counter

import grpc

from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer


async def test_three_hundred_concurrent_calls_on_one_channel_are_all_answered(server: RunningServer) -> None:
    async def code() -> str:
        try:
            await server.stub.GetPresentation(
                spb.GetPresentationRequest(name="presentations/abc"), timeout=60
            )
        except grpc.aio.AioRpcError as error:
            return str(error.code().name)
        return "OK"

    codes = Counter(await asyncio.gather(*(code() for _ in range(300))))
    # Every call reaches the service (which says the presentation does not exist); none is refused by
    # the per-connection stream limit (RST_STREAM, seen by the caller as UNAVAILABLE).
    assert codes == {"NOT_FOUND": 300}
