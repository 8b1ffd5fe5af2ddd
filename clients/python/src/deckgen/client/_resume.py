"""When and how soon a broken stream is resumed; shared by the sync and async clients."""

from __future__ import annotations

import random

import grpc

from deckgen.v1.presentation_service_pb2 import GenerationEvent

from ._exceptions import DeckgenError

__all__ = ["Reconnects", "EventCursor", "is_connection_break"]

# Backoff between reconnects: short, because a resume is cheap and usually follows a blip (a pod
# restart, a proxy idle timeout), and capped so a long outage does not stall the caller for long.
_BACKOFF_FIRST = 0.1
_BACKOFF_MAX = 2.0


def is_connection_break(error: DeckgenError) -> bool:
    """Whether the call failed because the connection broke, not because the server refused it."""
    if error.code == grpc.StatusCode.UNAVAILABLE:
        return True
    # gRPC core reports a stream reset by a proxy or a dying peer as INTERNAL, not UNAVAILABLE.
    return error.code == grpc.StatusCode.INTERNAL and "RST_STREAM" in error.message


class Reconnects:
    """Counts the reconnects of one call and decides whether another is allowed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def delay_before_next(self, error: DeckgenError) -> float | None:
        """Seconds to wait before reconnecting, or None to give up and raise `error`."""
        if not is_connection_break(error) or self.count >= self.limit:
            return None
        self.count += 1
        if error.retry_after is not None:
            return float(error.retry_after)
        delay = min(_BACKOFF_MAX, _BACKOFF_FIRST * 2.0 ** (self.count - 1))
        # Jitter, so that clients dropped together do not all come back in the same instant.
        return delay * random.uniform(0.5, 1.0)


class EventCursor:
    """Where a generation stream is, so that a resumed stream continues without repeats."""

    def __init__(self, max_resumes: int) -> None:
        self.last_sequence = 0
        self.resume_token = ""
        self.reconnects = Reconnects(max_resumes)

    def accept(self, event: GenerationEvent) -> bool:
        """Records the event; False if it was already delivered and must be skipped."""
        if event.sequence and event.sequence <= self.last_sequence:
            return False
        self.last_sequence = event.sequence or self.last_sequence
        # An event without a token cannot be resumed from; the previous token still can, and the
        # replayed events it brings are skipped by sequence.
        self.resume_token = event.resume_token or self.resume_token
        return True

    def delay_before_resume(self, error: DeckgenError) -> float | None:
        """Seconds to wait before resuming, or None to raise: nothing received yet, or too many."""
        if not self.resume_token:
            return None
        return self.reconnects.delay_before_next(error)
