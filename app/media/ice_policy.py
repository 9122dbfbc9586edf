"""ICE candidate policy: loopback-only mode for local calls and tests.

aioice lists host addresses with ``aioice.ice.get_host_addresses``, which leaves
127.0.0.1 out and offers every other interface instead; ``Connection.gather_candidates``
calls it through the ``aioice.ice`` module namespace, so replacing the name there is
enough. Without ``iceServers`` aiortc also adds Google's public STUN server
(``RTCIceGatherer.getDefaultIceServers``), which would resolve and contact a public
host: loopback-only mode makes that default empty too (explicit servers still apply).
"""

import aioice.ice
from aiortc.rtcicetransport import RTCIceGatherer, RTCIceServer

__all__ = ["apply_ice_policy", "loopback_only_active"]

LOOPBACK_ADDRESS = "127.0.0.1"

_original_get_host_addresses = aioice.ice.get_host_addresses
_original_default_ice_servers = RTCIceGatherer.__dict__["getDefaultIceServers"]


def _loopback_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    """Host addresses in loopback-only mode: 127.0.0.1 alone (IPv4 only, as in tests)."""
    return [LOOPBACK_ADDRESS] if use_ipv4 else []


def _no_default_ice_servers(cls: type[RTCIceGatherer]) -> list[RTCIceServer]:
    return []


def apply_ice_policy(loopback_only: bool) -> None:
    """Offer only 127.0.0.1 (``True``) or restore aioice's own behaviour (``False``).

    Process-wide and idempotent; affects connections that gather candidates afterwards.
    Call it on the loop thread before creating peer connections.
    """
    if loopback_only:
        aioice.ice.get_host_addresses = _loopback_host_addresses
        RTCIceGatherer.getDefaultIceServers = classmethod(_no_default_ice_servers)  # type: ignore[method-assign,assignment]
    else:
        aioice.ice.get_host_addresses = _original_get_host_addresses
        RTCIceGatherer.getDefaultIceServers = _original_default_ice_servers  # type: ignore[method-assign]


def loopback_only_active() -> bool:
    """Whether loopback-only mode is in force."""
    return aioice.ice.get_host_addresses is _loopback_host_addresses
