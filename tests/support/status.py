"""Unpack the `google.rpc.Status` details a server attached to a failed call."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2, status_pb2

__all__ = ["RichError", "failure_of", "rich_error"]


@dataclass
class RichError:
    code: grpc.StatusCode
    message: str
    reason: str = ""
    domain: str = ""
    violations: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    quota_subjects: list[str] = field(default_factory=list)
    precondition: list[tuple[str, str, str]] = field(default_factory=list)
    resource: tuple[str, str] | None = None


def rich_error(error: grpc.aio.AioRpcError) -> RichError:
    result = RichError(error.code(), error.details() or "")
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        assert status.code == error.code().value[0]
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                result.reason, result.domain = info.reason, info.domain
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                result.violations = {v.field: v.description for v in bad.field_violations}
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
                result.retry_after = retry.retry_delay.ToNanoseconds() / 1e9
            elif detail.Is(error_details_pb2.QuotaFailure.DESCRIPTOR):
                quota = error_details_pb2.QuotaFailure()
                detail.Unpack(quota)
                result.quota_subjects = [v.subject for v in quota.violations]
            elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
                failure = error_details_pb2.PreconditionFailure()
                detail.Unpack(failure)
                result.precondition = [(v.type, v.subject, v.description) for v in failure.violations]
            elif detail.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
                info_r = error_details_pb2.ResourceInfo()
                detail.Unpack(info_r)
                result.resource = (info_r.resource_type, info_r.resource_name)
    return result


async def failure_of(call: object) -> RichError:
    """Await a unary call or drain a stream; the status it failed with (it must fail)."""
    try:
        if hasattr(call, "__aiter__"):
            async for _ in call:
                pass
        else:
            await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as error:
        return rich_error(error)
    raise AssertionError("the call succeeded")
