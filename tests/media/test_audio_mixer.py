"""AudioMixer with real tone files: both tones mixed, gain 0 removes one, taps, WAV."""

import numpy as np

from app.media import AudioMixer, ClockedNullOutput, FileAudioTrack, WavRecorder
from app.media.audio_mixer import _JitterFifo
from tests.media.signal_checks import band_energy, read_wav, wait_until


class _Collector:
    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []

    def __call__(self, block: np.ndarray) -> None:
        self.blocks.append(block[:, 0].copy())

    def samples(self, last_s: float) -> np.ndarray:
        return np.concatenate(self.blocks)[-round(last_s * 48000) :]

    def seconds(self) -> float:
        return sum(b.size for b in self.blocks) / 48000


async def test_two_tones_are_mixed_and_gain_zero_removes_one(tone_wav, tmp_path):
    mixer = AudioMixer()
    low, high = FileAudioTrack(tone_wav(440)), FileAudioTrack(tone_wav(880))
    mixer.add_source("low", low)
    mixer.add_source("high", high)
    collector = _Collector()
    mixer.add_tap(collector)
    recorder = WavRecorder(tmp_path / "mix.wav")
    unsubscribe_recorder = mixer.add_tap(recorder)
    output = ClockedNullOutput(mixer)
    try:
        await wait_until(lambda: collector.seconds() >= 1.0, 10, "1 s of mixed audio")
        mixed = collector.samples(0.5)
        assert band_energy(mixed, 48000, 440) > 0.3
        assert band_energy(mixed, 48000, 880) > 0.3
        # Two 0.5 full-scale tones saturate instead of wrapping around.
        assert mixed.max() <= 32767 and mixed.min() >= -32768
        assert mixer.source_level("low") > 0.3 and mixer.source_level("high") > 0.3

        mixer.set_gain("high", 0.0)
        mark = collector.seconds()
        await wait_until(lambda: collector.seconds() >= mark + 0.6, 10, "audio after gain 0")
        after = collector.samples(0.4)
        assert band_energy(after, 48000, 440) > 0.9
        assert band_energy(after, 48000, 880) < 0.01
        assert mixer.source_level("high") > 0.3  # still received: is_speaking keeps working

        mixer.remove_source("low")
        mixer.remove_source("high")
        assert mixer.keys() == []
        assert not np.any(mixer.read(960))
    finally:
        output.stop()
        unsubscribe_recorder()
        recorder.close()
        low.stop()
        high.stop()
    recorded, rate = read_wav(tmp_path / "mix.wav")
    assert rate == 48000 and recorded.size == recorder.frames_written > 48000


async def test_read_is_silent_before_the_jitter_buffer_is_primed(tone_wav):
    mixer = AudioMixer(target_delay_ms=60)
    track = FileAudioTrack(tone_wav(440))
    mixer.add_source("tone", track)
    try:
        assert not np.any(mixer.read(960))  # nothing queued yet
        # Small reads (2 ms) barely drain: playout starts once 60 ms are queued.
        await wait_until(lambda: bool(np.any(mixer.read(96))), 5, "primed playout")
        assert mixer.source_level("tone") > 0.3
    finally:
        mixer.remove_source("tone")
        track.stop()


def test_jitter_fifo_primes_caps_and_reprimes():
    fifo = _JitterFifo(target=300, limit=1000)
    fifo.push(np.ones(200, np.int16))
    assert fifo.pull(100) is None  # priming: below the 300-sample target
    fifo.push(np.ones(200, np.int16))
    assert np.all(fifo.pull(100) == 1)
    fifo.push(np.full(1000, 2, np.int16))  # 1300 queued > limit: back to the target
    assert fifo.dropped_samples == 1000
    out = fifo.pull(400)
    assert out is not None and np.all(out[:300] == 2) and not np.any(out[300:])
    assert fifo.underruns == 1
    fifo.push(np.ones(100, np.int16))
    assert fifo.pull(50) is None  # re-priming after the underrun
