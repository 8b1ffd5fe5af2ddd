"""Domain errors and failure events → `google.rpc.Status` with typed details (AIP-193)."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from deckgen import domain as d
from deckgen.domain._events import Failed
from deckgen.observability import scrub

__all__ = ["DOMAIN", "failure_status", "status_for"]

DOMAIN = "deckgen.v1"


def _pack(message: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _retry(seconds: float) -> error_details_pb2.RetryInfo:
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(int(seconds * 1e9))
    return error_details_pb2.RetryInfo(retry_delay=delay)


def _status(
    code: int, message: str, reason: str, *details: Message, metadata: dict[str, str] | None = None
) -> grpc.Status:
    info = error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=metadata or {})
    status = status_pb2.Status(
        code=code, message=scrub(message), details=[_pack(info), *(_pack(x) for x in details)]
    )
    return rpc_status.to_status(status)


def status_for(error: d.DeckgenError) -> grpc.Status:
    match error:
        case d.InvalidRequest():
            bad = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                    for v in error.violations
                ]
            )
            return _status(code_pb2.INVALID_ARGUMENT, error.message, error.reason, bad)
        case d.PreconditionFailed():
            failure = error_details_pb2.PreconditionFailure(
                violations=[
                    error_details_pb2.PreconditionFailure.Violation(
                        type=error.reason, subject=error.subject, description=error.message
                    )
                ]
            )
            return _status(code_pb2.FAILED_PRECONDITION, error.message, error.reason, failure)
        case d.NotFound():
            resource = error_details_pb2.ResourceInfo(
                resource_type=error.resource_type,
                resource_name=error.resource_name,
                description=error.message,
            )
            return _status(code_pb2.NOT_FOUND, error.message, error.reason, resource)
        case d.AlreadyExists():
            return _status(code_pb2.ALREADY_EXISTS, error.message, error.reason)
        case d.CapacityExceeded():
            quota = error_details_pb2.QuotaFailure(
                violations=[
                    error_details_pb2.QuotaFailure.Violation(subject=error.subject, description=error.message)
                ]
            )
            return _status(
                code_pb2.RESOURCE_EXHAUSTED, error.message, error.reason, quota, _retry(error.retry_after)
            )
        case d.Unavailable():
            return _status(code_pb2.UNAVAILABLE, error.message, error.reason, _retry(error.retry_after))
        case _:
            return _status(code_pb2.INTERNAL, error.message, error.reason)


def failure_status(failure: Failed) -> grpc.Status:
    known = code_pb2.Code.DESCRIPTOR.values_by_name
    code = known[failure.code].number if failure.code in known else code_pb2.INTERNAL
    details = [_retry(failure.retry_after)] if failure.retry_after is not None else []
    return _status(code, failure.message, failure.reason, *details)
