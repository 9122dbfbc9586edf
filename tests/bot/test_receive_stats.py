"""The bot's receive statistics: gaps and freezes are timed where they happen, so the
benchmark can count the ones inside its window (as Chromium's page does) apart from the
call's start."""

from __future__ import annotations

import av

from app.bot.receive_stats import FREEZE_GAP_MS, ParticipantReceiveStats, ReceiveMonitor
from app.media.frame_sink import FrameSink


class _Clock:
    """The monitor's clock, moved by the test (seconds)."""

    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def _monitor() -> tuple[ReceiveMonitor, FrameSink, _Clock]:
    sink, clock = FrameSink(), _Clock()
    stats = ParticipantReceiveStats(session_id="s", user_id="u")
    monitor = ReceiveMonitor(stats, sink, read_stamps=False, reference=None, clock=clock)
    return monitor, sink, clock


def _frame() -> av.VideoFrame:
    return av.VideoFrame(64, 48, "yuv420p")


def test_a_freeze_is_timed_from_the_first_frame_and_the_longest_gap_is_per_second() -> None:
    monitor, sink, clock = _monitor()
    sink.put(_frame())  # first frame at 100 s
    for _ in range(10):
        clock.now_s += 0.033
        sink.put(_frame())
    monitor.tick_second({}, 1.0)
    assert monitor.stats.freezes == 0
    assert 30 < monitor.stats.longest_gap_last_second_ms < 40

    clock.now_s += (FREEZE_GAP_MS + 50) / 1000  # a 250 ms freeze
    sink.put(_frame())
    monitor.tick_second({}, 1.0)
    summary = monitor.stats.summary()
    assert summary["freezes"] == 1
    [(after_first_s, gap_ms)] = summary["freeze_times"]
    assert abs(gap_ms - (FREEZE_GAP_MS + 50)) < 1
    assert abs(after_first_s - (10 * 0.033 + 0.25)) < 0.01
    assert summary["first_frame_monotonic_s"] == 100.0
    assert abs(monitor.stats.longest_gap_last_second_ms - 250) < 1

    clock.now_s += 0.033
    sink.put(_frame())
    monitor.tick_second({}, 1.0)
    assert monitor.stats.longest_gap_last_second_ms < 40  # a new second, a new maximum
    assert monitor.stats.max_gap_ms > 249  # the call-wide figure keeps the freeze
