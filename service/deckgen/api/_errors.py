"""The one error table: domain errors → `google.rpc.Status` with typed details (AIP-193).

Everything a caller sees as a failure status is built here, whether the error was raised during a
unary call or ended a generation's event log (`Failed.error`). Texts echo caller input (names,
field values), so every text is clipped: a status must fit the peer's metadata limit (8 KiB by
default), or an INVALID_ARGUMENT would reach the caller as RESOURCE_EXHAUSTED instead.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from deckgen import domain as d
from deckgen.observability import scrub

__all__ = ["DOMAIN", "MAX_MESSAGE_BYTES", "clip", "status_for"]

DOMAIN = "deckgen.v1"

MAX_MESSAGE_BYTES = 512
"""UTF-8 bytes of a status message; the message travels twice (grpc-message and the details)."""
_MAX_TEXT_BYTES = 200
"""UTF-8 bytes of any other text in the details: a description, a field path, a resource name."""
_MAX_FIELD_BYTES = 100
_VIOLATIONS_BYTES = 2048
"""UTF-8 bytes of field violations listed; the rest are counted in one last violation."""


def clip(text: str, limit: int = _MAX_TEXT_BYTES) -> str:
    """`text` cut to at most `limit` UTF-8 bytes (on a character boundary), marked when cut."""
    encoded = text.encode("utf-8", "replace")
    if len(encoded) <= limit:
        return text
    kept = encoded[: limit - 3].decode("utf-8", "ignore")
    return f"{kept}..."


def _pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _retry(seconds: float) -> error_details_pb2.RetryInfo:
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(int(seconds * 1e9))
    return error_details_pb2.RetryInfo(retry_delay=delay)


def _status(code: int, error: d.DeckgenError, *details: Message) -> grpc.Status:
    info = error_details_pb2.ErrorInfo(reason=clip(error.reason), domain=DOMAIN)
    status = status_pb2.Status(
        code=code,
        # No key-like text reaches a caller, whatever produced the message.
        message=clip(scrub(error.message), MAX_MESSAGE_BYTES),
        details=[_pack(info), *(_pack(x) for x in details)],
    )
    return rpc_status.to_status(status)


def _bad_request(violations: list[d.FieldViolation]) -> error_details_pb2.BadRequest:
    listed: list[error_details_pb2.BadRequest.FieldViolation] = []
    budget = _VIOLATIONS_BYTES
    for violation in violations:
        field, description = clip(violation.field, _MAX_FIELD_BYTES), clip(violation.description)
        budget -= len(field.encode()) + len(description.encode())
        if budget < 0:
            break
        listed.append(error_details_pb2.BadRequest.FieldViolation(field=field, description=description))
    if len(listed) < len(violations):
        more = len(violations) - len(listed)
        listed.append(
            error_details_pb2.BadRequest.FieldViolation(
                field="", description=f"and {more} more violation(s) not listed"
            )
        )
    return error_details_pb2.BadRequest(field_violations=listed)


def status_for(error: d.DeckgenError) -> grpc.Status:
    match error:
        case d.InvalidRequest():
            return _status(code_pb2.INVALID_ARGUMENT, error, _bad_request(error.violations))
        case d.PreconditionFailed():
            failure = error_details_pb2.PreconditionFailure(
                violations=[
                    error_details_pb2.PreconditionFailure.Violation(
                        type=clip(error.reason), subject=clip(error.subject), description=clip(error.message)
                    )
                ]
            )
            return _status(code_pb2.FAILED_PRECONDITION, error, failure)
        case d.NotFound():
            resource = error_details_pb2.ResourceInfo(
                resource_type=clip(error.resource_type),
                resource_name=clip(error.resource_name),
                description=clip(error.message),
            )
            return _status(code_pb2.NOT_FOUND, error, resource)
        case d.AlreadyExists():
            return _status(code_pb2.ALREADY_EXISTS, error)
        case d.CapacityExceeded():
            quota = error_details_pb2.QuotaFailure(
                violations=[
                    error_details_pb2.QuotaFailure.Violation(
                        subject=clip(error.subject), description=clip(error.message)
                    )
                ]
            )
            return _status(code_pb2.RESOURCE_EXHAUSTED, error, quota, _retry(error.retry_after))
        case d.Unavailable():
            return _status(code_pb2.UNAVAILABLE, error, _retry(error.retry_after))
        case d.DeadlineExceeded():
            return _status(code_pb2.DEADLINE_EXCEEDED, error)
        case d.Cancelled():
            return _status(code_pb2.CANCELLED, error)
        case _:
            return _status(code_pb2.INTERNAL, error)
