"""Domain errors. The gRPC layer (`deckgen.api._errors`) maps each to a status with typed details.

DeckgenError
├── InvalidRequest          → INVALID_ARGUMENT  (+ BadRequest field violations)
├── PreconditionFailed      → FAILED_PRECONDITION (+ ErrorInfo, PreconditionFailure)
├── NotFound                → NOT_FOUND (+ ResourceInfo)
├── AlreadyExists           → ALREADY_EXISTS
├── CapacityExceeded        → RESOURCE_EXHAUSTED (+ QuotaFailure, RetryInfo)
├── Unavailable             → UNAVAILABLE (+ RetryInfo)
├── DeadlineExceeded        → DEADLINE_EXCEEDED
├── Cancelled               → CANCELLED
└── GenerationFailed        → INTERNAL

Each class declares the fields it carries as annotations: `deckgen.domain._codec` writes and reads
them, so an error can end a generation's event log and still reach the caller whole after the log
went through JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AlreadyExists",
    "Cancelled",
    "CapacityExceeded",
    "DeadlineExceeded",
    "DeckgenError",
    "FieldViolation",
    "GenerationFailed",
    "InvalidRequest",
    "NotFound",
    "PreconditionFailed",
    "Unavailable",
]


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str
    """Path of the offending field in the request, e.g. `sources[2].content`."""
    description: str


class DeckgenError(Exception):
    reason: str = "DECKGEN_ERROR"
    """Stable UPPER_SNAKE identifier, sent as `google.rpc.ErrorInfo.reason`."""
    message: str

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason


class InvalidRequest(DeckgenError):
    reason = "INVALID_REQUEST"
    violations: list[FieldViolation]

    def __init__(
        self, violations: list[FieldViolation], message: str | None = None, *, reason: str | None = None
    ) -> None:
        summary = message or "; ".join(f"{v.field}: {v.description}" for v in violations)
        super().__init__(summary, reason=reason)
        self.violations = violations


class PreconditionFailed(DeckgenError):
    reason = "FAILED_PRECONDITION"
    subject: str

    def __init__(self, message: str, *, reason: str, subject: str = "") -> None:
        super().__init__(message, reason=reason)
        self.subject = subject


class NotFound(DeckgenError):
    reason = "NOT_FOUND"
    resource_type: str
    resource_name: str

    def __init__(self, message: str, *, resource_type: str, resource_name: str) -> None:
        super().__init__(message)
        self.resource_type = resource_type
        self.resource_name = resource_name


class AlreadyExists(DeckgenError):
    reason = "ALREADY_EXISTS"


class CapacityExceeded(DeckgenError):
    reason = "CAPACITY_EXCEEDED"
    subject: str
    retry_after: float

    def __init__(self, message: str, *, subject: str, retry_after: float, reason: str | None = None) -> None:
        super().__init__(message, reason=reason)
        self.subject = subject
        self.retry_after = retry_after


class Unavailable(DeckgenError):
    reason = "UNAVAILABLE"
    retry_after: float

    def __init__(self, message: str, *, retry_after: float = 1.0, reason: str | None = None) -> None:
        super().__init__(message, reason=reason)
        self.retry_after = retry_after


class DeadlineExceeded(DeckgenError):
    reason = "DEADLINE_EXCEEDED"


class Cancelled(DeckgenError):
    reason = "CANCELLED"


class GenerationFailed(DeckgenError):
    reason = "GENERATION_FAILED"
