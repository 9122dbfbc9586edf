"""A video jitter buffer that hands a frame to the decoder as soon as it is complete.

aiortc 1.16's ``JitterBuffer`` knows a frame is complete only when a packet with the
*next* RTP timestamp follows it, so every frame waits for the first packet of the next
one: one frame interval of latency (33 ms at 30 fps, 100 ms at 10 fps). The sender marks
the last packet of each video frame with the RTP marker bit (RFC 3550 section 5.1,
RFC 7741 section 4.1 for VP8; aiortc's ``RTCRtpSender`` and libwebrtc both set it), so
the frame is complete the moment that packet is in and every sequence number before it,
back to the frame's first, is present.

A lost packet that retransmission (NACK/RTX) does not bring back stalls aiortc's buffer
until ``capacity`` (512) packets have piled up behind it: seconds of frozen video at a
few Mbps. Here the frame the gap broke is given up once ``capacity // 4`` packets have
arrived past the buffer's start and a marker after the gap closed that frame: its
packets go, a picture loss indication (PLI) asks for a keyframe, and the next complete
frame is released.

Everything else is aiortc's: the ring of ``capacity`` packets indexed by sequence number,
reordering within it, the reset and PLI on a large jump or an overflow. A frame whose
marker packet was lost still completes the old way, when the next frame's packets
arrive. Audio (``is_video`` false) is untouched: there the marker bit means the start of
a talkspurt.
"""

from __future__ import annotations

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's ``JitterBuffer`` that also completes video frames on the marker bit.

    Same constructor and ``add(packet) -> (pli_flag, frame or None)`` contract: at most
    one frame per call, the oldest complete one, with the payloads of its packets joined
    in sequence order (packets carry their depayloaded bytes in ``_data``, which
    ``RTCRtpReceiver`` sets)."""

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        pli_flag, frame = super().add(packet)
        if frame is None and self._is_video and self._give_up_broken_frame(packet):
            pli_flag = True
            frame = self._remove_frame(packet.sequence_number)
        return pli_flag, frame

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        if not self._is_video or self._origin is None:
            return super()._remove_frame(sequence_number)
        packets: list[RtpPacket] = []
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self.capacity]
            if packet is None:
                return None  # a gap: wait for the packet (NACK/RTX) or an overflow
            if packets and packet.timestamp != packets[0].timestamp:
                # The next frame has begun although no marker closed this one.
                return self._release(packets, count)
            packets.append(packet)
            if packet.marker:
                return self._release(packets, count + 1)
        return None

    def _give_up_broken_frame(self, newest: RtpPacket) -> bool:
        """Drop the packets up to the first marker after a gap, if the gap is old
        enough (see the module doc); true when something was dropped."""
        if self._origin is None:
            return False
        ahead = uint16_add(newest.sequence_number, -self._origin)
        if ahead >= self.capacity or ahead < self.capacity // 4:
            return False
        gap_seen = False
        for count in range(ahead + 1):
            packet = self._packets[(self._origin + count) % self.capacity]
            if packet is None:
                gap_seen = True
            elif gap_seen and packet.marker:
                self.remove(count + 1)
                return True
        return False

    def _release(self, packets: list[RtpPacket], count: int) -> JitterFrame:
        frame = JitterFrame(
            data=b"".join(packet._data for packet in packets),  # type: ignore[attr-defined]
            timestamp=packets[0].timestamp,
        )
        self.remove(count)
        return frame
