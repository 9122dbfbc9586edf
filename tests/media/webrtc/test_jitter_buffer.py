"""MarkerJitterBuffer: a video frame leaves on its marker packet, not on the next frame's
first packet; reordering and loss are handled as aiortc handles them."""

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket

from app.media.webrtc import MarkerJitterBuffer

FRAME_TICKS = 3000  # 30 fps in the 90 kHz clock


def _packet(sequence_number: int, timestamp: int, payload: bytes, marker: bool) -> RtpPacket:
    packet = RtpPacket(
        payload_type=96,
        marker=int(marker),
        sequence_number=sequence_number % 65536,
        timestamp=timestamp,
        payload=payload,
    )
    packet._data = payload  # type: ignore[attr-defined]  # RTCRtpReceiver's depayloaded bytes
    return packet


def _frame_packets(first_seq: int, frame_index: int, count: int) -> list[RtpPacket]:
    """``count`` packets of frame ``frame_index``, marker on the last; payloads name them."""
    timestamp = frame_index * FRAME_TICKS
    return [
        _packet(first_seq + i, timestamp, f"f{frame_index}p{i};".encode(), i == count - 1)
        for i in range(count)
    ]


def _add_all(buffer: JitterBuffer, packets: list[RtpPacket]) -> list[JitterFrame | None]:
    return [buffer.add(packet)[1] for packet in packets]


def test_a_frame_is_released_by_its_marker_packet() -> None:
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    released = _add_all(buffer, _frame_packets(1000, 0, 3))
    assert released[:2] == [None, None]
    assert released[2] is not None
    assert released[2].data == b"f0p0;f0p1;f0p2;"
    assert released[2].timestamp == 0
    # aiortc's own buffer still holds the same frame at this point.
    original = JitterBuffer(capacity=128, is_video=True)
    assert _add_all(original, _frame_packets(1000, 0, 3)) == [None, None, None]


def test_consecutive_frames_each_leave_on_their_own_marker() -> None:
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    seq, timestamps = 65530, []  # crosses the 16-bit sequence number wrap
    for index in range(5):
        released = _add_all(buffer, _frame_packets(seq, index, 4))
        assert released[:3] == [None, None, None]
        assert released[3] is not None
        timestamps.append(released[3].timestamp)
        seq += 4
    assert timestamps == [i * FRAME_TICKS for i in range(5)]


def test_reordered_packets_complete_the_frame_in_sequence_order() -> None:
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    p0, p1, p2, p3 = _frame_packets(200, 7, 4)
    # The marker packet arrives first, the frame's first packet last.
    assert _add_all(buffer, [p0])[0] is None  # fixes the buffer's origin
    assert _add_all(buffer, [p3, p2]) == [None, None]
    frame = buffer.add(p1)[1]
    assert frame is not None
    assert frame.data == b"f7p0;f7p1;f7p2;f7p3;"


def test_a_lost_packet_holds_the_frame_until_it_is_retransmitted() -> None:
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    frame_a = _frame_packets(10, 0, 3)
    frame_b = _frame_packets(13, 1, 2)
    assert _add_all(buffer, [frame_a[0], frame_a[2]]) == [None, None]  # a[1] lost
    assert _add_all(buffer, frame_b) == [None, None]  # b is complete but behind the gap
    retransmitted = buffer.add(frame_a[1])[1]  # NACK → RTX brings a[1]
    assert retransmitted is not None and retransmitted.data == b"f0p0;f0p1;f0p2;"
    # One frame per add (aiortc's contract): b leaves with the next packet.
    next_frame = _frame_packets(15, 2, 2)
    assert buffer.add(next_frame[0])[1].data == b"f1p0;f1p1;"  # type: ignore[union-attr]


def test_a_loss_that_never_heals_overflows_into_a_picture_loss_indication() -> None:
    buffer = MarkerJitterBuffer(capacity=16, is_video=True)
    frame_a = _frame_packets(0, 0, 2)
    buffer.add(frame_a[0])  # a's marker packet is lost for good
    pli_seen, released = False, []
    seq = 2
    for index in range(1, 12):
        for packet in _frame_packets(seq, index, 2):
            pli, frame = buffer.add(packet)
            pli_seen |= pli
            if frame is not None:
                released.append(frame.timestamp // FRAME_TICKS)
        seq += 2
    assert pli_seen
    assert released, "frames after the overflow were never released"
    assert 0 not in released  # the damaged frame is dropped, not decoded
    assert released == sorted(released)


def test_without_marker_bits_a_frame_completes_when_the_next_one_starts() -> None:
    buffer = MarkerJitterBuffer(capacity=128, is_video=True)
    frame_a = [_packet(50 + i, 0, f"a{i};".encode(), False) for i in range(2)]
    first_of_b = _packet(52, FRAME_TICKS, b"b0;", False)
    assert _add_all(buffer, frame_a) == [None, None]
    frame = buffer.add(first_of_b)[1]
    assert frame is not None and frame.data == b"a0;a1;" and frame.timestamp == 0


def test_audio_keeps_aiortcs_prefetching_behaviour() -> None:
    """For audio the marker bit starts a talkspurt; the buffer must not act on it."""
    packets = [_packet(300 + i, i * 960, bytes([i]), marker=(i % 3 == 0)) for i in range(12)]
    ours = _add_all(MarkerJitterBuffer(capacity=16, prefetch=4), packets)
    theirs = _add_all(JitterBuffer(capacity=16, prefetch=4), packets)
    assert [f and (f.data, f.timestamp) for f in ours] == [
        f and (f.data, f.timestamp) for f in theirs
    ]
    assert any(f is not None for f in ours)


def test_a_gap_that_retransmission_never_fills_is_given_up_before_an_overflow() -> None:
    buffer = MarkerJitterBuffer(capacity=512, is_video=True)
    seq, pli_seen, released = 0, False, []
    for index in range(40):
        for i, packet in enumerate(_frame_packets(seq, index, 4)):
            if index == 1 and i == 2:
                continue  # lost for good
            pli, frame = buffer.add(packet)
            pli_seen |= pli
            if frame is not None:
                released.append(frame.timestamp // FRAME_TICKS)
        seq += 4
    # 160 packets in all, far below the 512-packet overflow.
    assert pli_seen
    assert 1 not in released
    # Frames held behind the gap leave one per added packet (aiortc's contract).
    assert released[0] == 0 and released[-1] >= 25 and released == sorted(set(released))


def test_a_large_frame_still_arriving_is_not_given_up() -> None:
    buffer = MarkerJitterBuffer(capacity=512, is_video=True)
    keyframe = _frame_packets(0, 0, 300)  # longer than capacity // 4, nothing lost
    released = _add_all(buffer, keyframe)
    assert released[:-1] == [None] * 299
    assert released[-1] is not None and released[-1].data.count(b";") == 300
