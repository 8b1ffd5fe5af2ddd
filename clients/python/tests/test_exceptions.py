"""Failed calls become typed errors carrying the server's `google.rpc.Status` details."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2

from deckgen.client import (
    CallCancelledError,
    DeckgenClient,
    DeckgenError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
    UnavailableError,
)

from .fake_service import PRESENTATION, Failure, FakeService

ERROR_INFO = error_details_pb2.ErrorInfo(reason="TOPIC_REQUIRED", domain="deckgen.v1", metadata={"k": "v"})
BAD_REQUEST = error_details_pb2.BadRequest(
    field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="topic", description="required"),
        error_details_pb2.BadRequest.FieldViolation(field="slide_count", description="1 to 50"),
    ]
)


def test_invalid_argument_carries_field_violations_and_reason(target: str, service: FakeService) -> None:
    service.failure = Failure(grpc.StatusCode.INVALID_ARGUMENT, "invalid request", [ERROR_INFO, BAD_REQUEST])

    with DeckgenClient(target) as client, pytest.raises(InvalidArgumentError) as raised:
        list(client.generate_presentation(slide_count=99))

    error = raised.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.message == "invalid request"
    assert (error.reason, error.domain, error.metadata) == ("TOPIC_REQUIRED", "deckgen.v1", {"k": "v"})
    assert error.field_violations == [("topic", "required"), ("slide_count", "1 to 50")]
    assert error.retry_after is None
    assert error.details == [ERROR_INFO, BAD_REQUEST]
    assert isinstance(error.__cause__, grpc.RpcError)
    assert str(error) == (
        "INVALID_ARGUMENT: invalid request [TOPIC_REQUIRED] (topic: required; slide_count: 1 to 50)"
    )


def test_resource_exhausted_carries_retry_after(target: str, service: FakeService) -> None:
    quota = error_details_pb2.QuotaFailure(
        violations=[error_details_pb2.QuotaFailure.Violation(subject="user", description="10/min")]
    )
    retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=2, nanos=500_000_000))
    service.failure = Failure(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down", [retry, quota])

    with DeckgenClient(target) as client, pytest.raises(ResourceExhaustedError) as raised:
        client.regenerate_slide(PRESENTATION, 0, "shorter")

    assert raised.value.retry_after == 2.5
    assert raised.value.details == [retry, quota]


def test_not_found_with_resource_info(target: str, service: FakeService) -> None:
    resource = error_details_pb2.ResourceInfo(resource_type="Presentation", resource_name=PRESENTATION)
    service.failure = Failure(grpc.StatusCode.NOT_FOUND, "no such presentation", [resource])

    with DeckgenClient(target) as client, pytest.raises(NotFoundError) as raised:
        client.get_presentation(PRESENTATION)

    assert raised.value.details == [resource]
    assert raised.value.reason == ""


def test_unknown_detail_types_stay_packed(target: str, service: FakeService) -> None:
    service.failure = Failure(grpc.StatusCode.ABORTED, "conflict", [error_details_pb2.Help()])

    with DeckgenClient(target) as client, pytest.raises(DeckgenError) as raised:
        client.get_presentation(PRESENTATION)

    assert type(raised.value) is DeckgenError
    assert raised.value.code == grpc.StatusCode.ABORTED
    assert raised.value.details == [error_details_pb2.Help()]


def test_error_without_status_details(target: str, service: FakeService) -> None:
    service.failure = Failure(grpc.StatusCode.CANCELLED, "stopped")

    with DeckgenClient(target) as client, pytest.raises(CallCancelledError) as raised:
        client.get_presentation(PRESENTATION)

    assert raised.value.details == []
    assert raised.value.message == "stopped"


def test_unreachable_server_is_unavailable() -> None:
    # Port 1 on loopback refuses connections.
    with DeckgenClient("127.0.0.1:1", timeout=2) as client, pytest.raises(UnavailableError):
        client.get_presentation(PRESENTATION)


def test_bare_rpc_error_maps_to_unknown() -> None:
    error = DeckgenError.from_rpc_error(grpc.RpcError())
    assert type(error) is DeckgenError
    assert error.code == grpc.StatusCode.UNKNOWN
