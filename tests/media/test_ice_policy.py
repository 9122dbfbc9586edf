"""apply_ice_policy: loopback-only host candidates, idempotent and reversible.

The end-to-end check (SDP candidates all 127.0.0.1, connection reaches "connected") is in
test_loopback_call.py.
"""

import aioice.ice
from aiortc import RTCPeerConnection
from aiortc.rtcicetransport import RTCIceGatherer

from app.media import apply_ice_policy, loopback_only_active


async def test_loopback_only_is_idempotent_and_reversible():
    # The policy is process-wide and a joined call sets it: start from the default.
    apply_ice_policy(False)
    original = aioice.ice.get_host_addresses
    original_servers = RTCIceGatherer.getDefaultIceServers()
    assert not loopback_only_active()
    assert "127.0.0.1" not in original(use_ipv4=True, use_ipv6=False)
    try:
        apply_ice_policy(True)
        apply_ice_policy(True)
        assert loopback_only_active()
        assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1"]
        assert RTCIceGatherer.getDefaultIceServers() == []

        # Even without an explicit configuration, only loopback is offered.
        pc = RTCPeerConnection()
        pc.createDataChannel("probe")
        await pc.setLocalDescription(await pc.createOffer())
        candidates = [
            line for line in pc.localDescription.sdp.splitlines() if "a=candidate" in line
        ]
        await pc.close()
        assert candidates and all(" 127.0.0.1 " in line for line in candidates)
    finally:
        apply_ice_policy(False)
        apply_ice_policy(False)
    assert not loopback_only_active()
    assert aioice.ice.get_host_addresses is original
    assert RTCIceGatherer.getDefaultIceServers() == original_servers
