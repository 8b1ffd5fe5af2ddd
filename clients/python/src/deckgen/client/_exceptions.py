"""Errors raised by the deckgen client.

Every `grpc.RpcError` a call ends with is raised as one of these, chosen by its status code, with
the `google.rpc.Status` details the server attached already unpacked:

* DeckgenError - any failed call; also the class of codes without a subclass below.
  * InvalidArgumentError - INVALID_ARGUMENT: see `field_violations`.
  * NotFoundError - NOT_FOUND.
  * AlreadyExistsError - ALREADY_EXISTS.
  * FailedPreconditionError - FAILED_PRECONDITION.
  * ResourceExhaustedError - RESOURCE_EXHAUSTED: see `retry_after`.
  * UnavailableError - UNAVAILABLE, after any automatic resumes were used up.
  * DeadlineExceededError - DEADLINE_EXCEEDED.
  * CallCancelledError - CANCELLED (not `asyncio.CancelledError`, which is left alone).
  * UnauthenticatedError - UNAUTHENTICATED.
  * PermissionDeniedError - PERMISSION_DENIED.
  * InternalError - INTERNAL.
  * DataLossError - DATA_LOSS, also raised by the client itself when a downloaded artifact does
    not match its size or SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

__all__ = [
    "DeckgenError",
    "InvalidArgumentError",
    "NotFoundError",
    "AlreadyExistsError",
    "FailedPreconditionError",
    "ResourceExhaustedError",
    "UnavailableError",
    "DeadlineExceededError",
    "CallCancelledError",
    "UnauthenticatedError",
    "PermissionDeniedError",
    "InternalError",
    "DataLossError",
]

# The trailer in which gRPC servers send the serialized `google.rpc.Status`. Parsed here rather than
# with grpcio-status so that the client needs nothing beyond grpcio and the common protos.
_STATUS_DETAILS_KEY = "grpc-status-details-bin"

_DETAIL_TYPES: tuple[Any, ...] = (
    error_details_pb2.ErrorInfo,
    error_details_pb2.BadRequest,
    error_details_pb2.RetryInfo,
    error_details_pb2.QuotaFailure,
    error_details_pb2.PreconditionFailure,
    error_details_pb2.ResourceInfo,
    error_details_pb2.RequestInfo,
    error_details_pb2.DebugInfo,
    error_details_pb2.Help,
    error_details_pb2.LocalizedMessage,
)


class DeckgenError(Exception):
    """A failed deckgen call, with the server's structured error details."""

    code: grpc.StatusCode
    """The gRPC status code."""
    message: str
    """The status message."""
    reason: str
    """The `ErrorInfo` reason, a stable UPPER_SNAKE code such as `TOPIC_REQUIRED`; empty if none."""
    domain: str
    """The `ErrorInfo` domain, `deckgen.v1` for errors raised by the service; empty if none."""
    metadata: dict[str, str]
    """The `ErrorInfo` metadata."""
    field_violations: list[tuple[str, str]]
    """`(field, description)` pairs from `BadRequest`."""
    retry_after: float | None
    """Seconds to wait before trying again, from `RetryInfo`; None when the server gave no delay."""
    details: list[Any]
    """Every detail message, unpacked (`ErrorInfo`, `BadRequest`, …); unknown types stay `Any`."""

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode = grpc.StatusCode.UNKNOWN,
        details: Iterable[Any] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = list(details)
        self.reason = ""
        self.domain = ""
        self.metadata = {}
        self.field_violations = []
        self.retry_after = None
        for detail in self.details:
            self._absorb(detail)

    def _absorb(self, detail: Any) -> None:
        if isinstance(detail, error_details_pb2.ErrorInfo):
            self.reason, self.domain = detail.reason, detail.domain
            self.metadata = dict(detail.metadata)
        elif isinstance(detail, error_details_pb2.BadRequest):
            self.field_violations.extend((v.field, v.description) for v in detail.field_violations)
        elif isinstance(detail, error_details_pb2.RetryInfo):
            self.retry_after = detail.retry_delay.ToTimedelta().total_seconds()

    def __str__(self) -> str:
        text = f"{self.code.name}: {self.message}"
        if self.reason:
            text += f" [{self.reason}]"
        if self.field_violations:
            text += " (" + "; ".join(f"{f}: {d}" for f, d in self.field_violations) + ")"
        return text

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> DeckgenError:
        """Builds the `DeckgenError` subclass matching a failed call's status code."""
        code = _call_attr(error, "code", grpc.StatusCode.UNKNOWN)
        message = _call_attr(error, "details", "") or ""
        status = _status_from_trailers(_call_attr(error, "trailing_metadata", None) or ())
        details: list[Any] = []
        if status is not None:
            message = message or status.message
            details = [_unpack(item) for item in status.details]
        error_class = _CLASS_BY_CODE.get(code, DeckgenError)
        return error_class(message, code=code, details=details)


class InvalidArgumentError(DeckgenError):
    """The request was invalid; `field_violations` says which fields and why."""


class NotFoundError(DeckgenError):
    """The presentation, artifact or resume token does not exist (any more)."""


class AlreadyExistsError(DeckgenError):
    """A resource with that identity exists, such as a request id reused with another request."""


class FailedPreconditionError(DeckgenError):
    """The call is not possible in the resource's current state."""


class ResourceExhaustedError(DeckgenError):
    """A quota or rate limit was hit; wait `retry_after` seconds when it is set."""


class UnavailableError(DeckgenError):
    """The service could not be reached, or the stream broke more often than allowed."""


class DeadlineExceededError(DeckgenError):
    """The call's deadline passed."""


class CallCancelledError(DeckgenError):
    """The call was cancelled, by the caller or the server."""


class UnauthenticatedError(DeckgenError):
    """The call carried no valid credentials."""


class PermissionDeniedError(DeckgenError):
    """The credentials do not allow the call."""


class InternalError(DeckgenError):
    """The service failed."""


class DataLossError(DeckgenError):
    """Data was lost or corrupted, such as a downloaded artifact that fails its SHA-256 check."""


_CLASS_BY_CODE: dict[grpc.StatusCode, type[DeckgenError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.CANCELLED: CallCancelledError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.INTERNAL: InternalError,
    grpc.StatusCode.DATA_LOSS: DataLossError,
}


def _call_attr(error: grpc.RpcError, name: str, default: Any) -> Any:
    # A bare `grpc.RpcError` (raised by interceptors or tests) has none of the `grpc.Call` methods.
    method = getattr(error, name, None)
    return method() if callable(method) else default


def _status_from_trailers(trailers: Iterable[tuple[str, str | bytes]]) -> Any:
    for key, value in trailers:
        if key == _STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status()
            try:
                status.ParseFromString(value)
            except Exception:
                # A garbled trailer must not hide the error it came with.
                return None
            return status
    return None


def _unpack(item: any_pb2.Any) -> Any:
    for detail_type in _DETAIL_TYPES:
        if item.Is(detail_type.DESCRIPTOR):
            detail = detail_type()
            item.Unpack(detail)
            return detail
    return item
