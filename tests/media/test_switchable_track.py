"""SwitchableTrack: source swaps, waiting without a source, monotonic pts, relay fan-out."""

import asyncio

import av
import pytest
from aiortc.mediastreams import MediaStreamError

from app.media import FileAudioTrack, FileVideoTrack, RelayedSource, SwitchableTrack


async def _recv(track: SwitchableTrack) -> av.VideoFrame | av.AudioFrame:
    frame = await asyncio.wait_for(track.recv(), 10)
    assert isinstance(frame, av.VideoFrame | av.AudioFrame)
    return frame


async def test_without_a_source_recv_waits_until_one_is_set(vtest_avi):
    switchable = SwitchableTrack("video")
    pending = asyncio.ensure_future(switchable.recv())
    done, _ = await asyncio.wait({pending}, timeout=0.3)
    assert not done  # nothing to send, nothing sent
    source = FileVideoTrack(vtest_avi)
    try:
        assert switchable.set_source(source) is None
        frame = await asyncio.wait_for(pending, 10)
        assert frame.pts == 0  # the first source passes through untouched
    finally:
        source.stop()
        switchable.stop()


async def test_switching_sources_keeps_pts_increasing(vtest_avi, vtest_clip_avi):
    first, second = FileVideoTrack(vtest_avi), FileVideoTrack(vtest_clip_avi)
    switchable = SwitchableTrack("video")
    try:
        switchable.set_source(first)
        before = [await _recv(switchable) for _ in range(3)]
        assert switchable.set_source(None) is first
        assert switchable.set_source(second) is None
        after = [await _recv(switchable) for _ in range(3)]
        pts = [f.pts for f in before + after]
        assert pts == sorted(set(pts)), pts
        # The new source's own spacing is kept (10 fps = 9000 ticks).
        assert after[1].pts - after[0].pts == 9000
        # Retimed frames are copies: the source's own frame (shared with its preview) keeps
        # the source's pts.
        assert second.preview_sink.latest() is not after[-1]
        assert second.preview_sink.latest().pts < after[-1].pts
    finally:
        for track in (first, second, switchable):
            track.stop()


async def test_an_ended_source_is_dropped_and_the_next_one_is_read(vtest_clip_avi, vtest_avi):
    short = FileVideoTrack(vtest_clip_avi, loop=False)
    switchable = SwitchableTrack("video")
    switchable.set_source(short)
    for _ in range(20):
        await _recv(switchable)
    pending = asyncio.ensure_future(switchable.recv())
    await asyncio.wait({pending}, timeout=0.5)
    assert not pending.done() and switchable.source is None and switchable.readyState == "live"
    replacement = FileVideoTrack(vtest_avi)
    try:
        switchable.set_source(replacement)
        assert (await asyncio.wait_for(pending, 10)).width == 768
    finally:
        replacement.stop()
        switchable.stop()
    with pytest.raises(MediaStreamError):
        await switchable.recv()


async def test_kind_mismatch_is_rejected(speech_wav):
    audio = FileAudioTrack(speech_wav)
    with pytest.raises(ValueError, match="audio"):
        SwitchableTrack("video").set_source(audio)
    audio.stop()


async def test_relayed_source_feeds_several_switchable_tracks(vtest_avi, speech_wav):
    video = RelayedSource(FileVideoTrack(vtest_avi))
    audio = RelayedSource(FileAudioTrack(speech_wav))
    senders = [SwitchableTrack("video"), SwitchableTrack("video")]
    audio_senders = [SwitchableTrack("audio"), SwitchableTrack("audio")]
    for sender in senders:
        sender.set_source(video.subscribe())
    for sender in audio_senders:
        sender.set_source(audio.subscribe())
    try:
        for _ in range(3):
            frames = await asyncio.gather(*(_recv(s) for s in senders))
            assert frames[0].pts == frames[1].pts
        audio_frames = [await asyncio.gather(*(_recv(s) for s in audio_senders)) for _ in range(5)]
        for a, b in audio_frames:
            assert a.pts == b.pts and a.samples == 960
    finally:
        video.stop()
        audio.stop()
    assert video.source.readyState == "ended" and audio.source.readyState == "ended"
