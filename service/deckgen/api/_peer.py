"""Where a call comes from: the peer address, or the client a trusted proxy forwarded for."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import grpc

__all__ = ["Networks", "client_address", "parse_networks", "peer_host"]

Networks = Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]


def parse_networks(cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs.split(",") if c.strip())


def peer_host(peer: str) -> str:
    # "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "unix:/path" → the address without the port
    kind, _, rest = peer.partition(":")
    if kind == "ipv6" and rest.startswith("["):
        return rest[1 : rest.find("]")]
    if kind == "ipv4":
        return rest.rpartition(":")[0]
    return peer


def _trusted(host: str, networks: Networks) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_address(context: grpc.aio.ServicerContext, trusted: Networks) -> str:
    """The caller's address. Forwarding headers count only when the peer is a trusted proxy, since
    anyone can send them; of `x-forwarded-for` the last hop not itself a trusted proxy is the client."""
    host = peer_host(context.peer() or "")
    if not trusted or not _trusted(host, trusted):
        return host
    metadata = {key: value for key, value in (context.invocation_metadata() or ()) if isinstance(value, str)}
    envoy = metadata.get("x-envoy-external-address", "").strip()
    if envoy:
        return envoy
    hops = [hop.strip() for hop in metadata.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else host
