"""TLS on the gRPC port, mTLS principals, certificate reload, and the plaintext health listener."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen.server import start_health_listener
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.certs import Authority, Issued
from tests.support.servers import RunningServer, running_server, server_settings


@pytest.fixture
def ca() -> Authority:
    return Authority()


@pytest.fixture
def tls_files(tmp_path: Path, ca: Authority) -> dict[str, str]:
    cert, key = ca.issue("localhost", server=True).write(tmp_path, "server")
    return {"TLS_CERT_FILE": str(cert), "TLS_KEY_FILE": str(key)}


def _channel(server: RunningServer, roots: bytes, client: Issued | None = None) -> grpc.aio.Channel:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=roots,
        private_key=client.key_pem if client else None,
        certificate_chain=client.cert_pem if client else None,
    )
    return grpc.aio.secure_channel(f"localhost:{server.port}", credentials)


async def _themes(channel: grpc.aio.Channel) -> int:
    response = await spb_grpc.PresentationServiceStub(channel).ListThemes(spb.ListThemesRequest(), timeout=10)
    return len(response.themes)


async def test_tls_serves_trusting_clients_and_refuses_plaintext(
    tmp_path: Path, ca: Authority, tls_files: dict[str, str]
) -> None:
    async with running_server(server_settings(tmp_path / "a", **tls_files)) as server:
        async with _channel(server, ca.pem) as channel:
            assert await _themes(channel) > 0
        # A client that does not trust the CA, and a plaintext client, get nowhere.
        async with _channel(server, Authority("another CA").pem) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _themes(channel)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _themes(server.channel)  # the fixture's channel is plaintext
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


def _renew(files: dict[str, str], renewed: Issued) -> None:
    # cert-manager renews: the mounted files change in place (and their mtime moves on).
    Path(files["TLS_KEY_FILE"]).write_bytes(renewed.key_pem)
    Path(files["TLS_CERT_FILE"]).write_bytes(renewed.cert_pem)
    later = time.time() + 2
    for name in ("TLS_KEY_FILE", "TLS_CERT_FILE"):
        os.utime(files[name], (later, later))


async def test_a_renewed_certificate_is_served_without_a_restart(
    tmp_path: Path, ca: Authority, tls_files: dict[str, str]
) -> None:
    renewed_by = Authority("the renewing CA")
    async with running_server(server_settings(tmp_path / "a", **tls_files)) as server:
        async with _channel(server, renewed_by.pem) as channel:
            with pytest.raises(grpc.aio.AioRpcError):
                await _themes(channel)
        _renew(tls_files, renewed_by.issue("localhost", server=True))
        async with _channel(server, renewed_by.pem) as channel:
            assert await _themes(channel) > 0
        async with _channel(server, ca.pem) as channel:
            with pytest.raises(grpc.aio.AioRpcError):
                await _themes(channel)


async def test_mtls_names_the_principal_by_its_certificate(
    tmp_path: Path, ca: Authority, tls_files: dict[str, str]
) -> None:
    client_ca = tmp_path / "clients.pem"
    client_ca.write_bytes(ca.pem)
    settings = server_settings(
        tmp_path / "a", AUTH_MODE="mtls", TLS_CLIENT_CA_FILE=str(client_ca), **tls_files
    )
    reports, billing = ca.issue("reports", server=False), ca.issue("billing", server=False)
    deck = pb.Deck(title="Q3", slides=[pb.Slide(layout=pb.LAYOUT_BULLETS, title="Revenue")])
    async with running_server(settings) as server:
        async with _channel(server, ca.pem, reports) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            rendered = await stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck))
            name = rendered.presentation.name
            assert (await stub.GetPresentation(spb.GetPresentationRequest(name=name))).name == name
        async with _channel(server, ca.pem, billing) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.GetPresentation(spb.GetPresentationRequest(name=name))
            assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        # Without a client certificate the handshake itself fails.
        async with _channel(server, ca.pem) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _themes(channel)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_the_health_listener_is_plaintext_and_serves_only_health(
    tmp_path: Path, tls_files: dict[str, str]
) -> None:
    settings = server_settings(tmp_path / "a", HEALTH_PORT=str(_free_port()), **tls_files)
    async with running_server(settings) as server:
        port = await start_health_listener(settings, server.app)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            response = await health.Check(health_pb2.HealthCheckRequest(), timeout=10)
            assert response.status == health_pb2.HealthCheckResponse.SERVING
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _themes(channel)
            assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
