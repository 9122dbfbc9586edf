"""Parley's main job, headless: two participants in one call see and hear each other.

A real coordinator (uvicorn on an ephemeral port), two ``parley bot`` processes with real
media (people video from opencv-doc's vtest.avi, espeak-ng speech), peer-to-peer media on
loopback. Acceptance of the main-call issue: ≥ 90% of the other side's frames over 10 s at
the source resolution, PSNR ≥ 30 dB against the same source frame, and the received audio
is the source speech (envelope correlation ≥ 0.8, while silence fails the same check).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from tests.e2e.audio_checks import envelope_correlation, read_wav_mono

CALL_SECONDS = 16
WINDOW_S = 10


def _bot_command(server_url: str, name: str, video: Path, audio: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "app.bot",
        "--server", server_url,
        "--call", "default:e2e-two-bots",
        "--name", name,
        "--video-file", str(video),
        "--audio-file", str(audio),
        "--duration", str(CALL_SECONDS),
        "--stats-json", str(out / f"{name}.json"),
        "--record-audio", str(out / f"{name}.wav"),
        "--stamp-frames",
        "--read-stamps",
        "--reference-video", str(video),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def two_bot_call(coordinator_module, vtest_avi, speech_wav, tmp_path_factory):
    out = tmp_path_factory.mktemp("two-bots")
    bots = [
        subprocess.Popen(
            _bot_command(coordinator_module.url, name, vtest_avi, speech_wav, out),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alice", "bob")
    ]
    outputs = [bot.communicate(timeout=CALL_SECONDS + 90) for bot in bots]
    for bot, (stdout, stderr) in zip(bots, outputs, strict=True):
        assert bot.returncode == 0, f"bot failed:\n{stdout[-2000:]}\n{stderr[-4000:]}"
    return out


def _stats(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text())


def _source_info(path: Path) -> tuple[int, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.width, stream.codec_context.height, float(stream.average_rate)


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_each_side_receives_at_least_90_percent_of_frames_at_source_size(
    two_bot_call, vtest_avi, name
):
    width, height, fps = _source_info(vtest_avi)
    seconds = _stats(two_bot_call, name)["seconds"]
    receiving = [s for s in seconds if s["remote"] and s["remote"][0]["frames_received"] > 0]
    assert len(receiving) >= WINDOW_S + 2, f"{name} received video for only {len(receiving)} s"
    start, end = receiving[1], receiving[1 + WINDOW_S]  # skip the first, partial second
    frames = end["remote"][0]["frames_received"] - start["remote"][0]["frames_received"]
    elapsed_s = end["t_s"] - start["t_s"]
    assert frames >= 0.9 * fps * elapsed_s, f"{frames} frames in {elapsed_s:.1f} s at {fps} fps"
    remote = end["remote"][0]
    assert (remote["width"], remote["height"]) == (width, height)


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_received_frames_match_the_source_frame_with_the_same_index(two_bot_call, name):
    summary = _stats(two_bot_call, name)["summary"]
    assert len(summary) == 1
    remote = summary[0]
    assert remote["frames_compared"] >= 20
    assert remote["psnr_db_min"] >= 30.0, remote
    # the stamps show the video moves: many different source frames arrived, in order
    assert remote["distinct_frames"] >= 0.9 * remote["frames_received"] - 5


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_received_audio_is_the_source_speech(two_bot_call, speech_wav, name):
    recorded, recorded_rate = read_wav_mono(str(two_bot_call / f"{name}.wav"))
    source, source_rate = read_wav_mono(str(speech_wav))
    correlation = envelope_correlation(recorded, recorded_rate, source, source_rate)
    assert correlation >= 0.8, f"envelope correlation {correlation:.2f}"


def test_the_audio_check_fails_on_silence_and_noise(speech_wav):
    source, rate = read_wav_mono(str(speech_wav))
    silence = np.zeros(rate * 10, np.float32)
    noise = np.random.default_rng(7).normal(0, 0.1, rate * 10).astype(np.float32)
    assert envelope_correlation(silence, rate, source, rate) < 0.3
    assert envelope_correlation(noise, rate, source, rate) < 0.5
