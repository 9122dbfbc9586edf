"""A headless participant: joins a call with file media and reports what it receives.

Prints JSON lines to stdout (``bot.joined``, ``bot.stats`` every second, ``bot.left``) so a
test or a script can wait on them, and writes the same per-second record to
``stats_json`` when given. Optional commands on stdin, one per line: ``mute``, ``unmute``,
``camera-off``, ``camera-on``, ``leave``; the end of stdin means ``leave``.

Ringing: with ``ring_user_ids`` the bot rings those members (``bot.ringing``) and joins
when one accepts; with ``auto_accept`` it waits for the first call that rings it
(``bot.ringing``), accepts and joins. A ring that ends unanswered ends the bot
(``bot.left`` with the reason).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from aiortc import MediaStreamTrack

from app.bot.frame_stamp import StampedVideoTrack
from app.bot.quality import ReferenceVideo
from app.bot.receive_stats import ParticipantReceiveStats, ReceiveMonitor
from app.call import Call, CallState, LocalMedia
from app.client import VideoClient
from app.media import WavRecorder

log = logging.getLogger(__name__)


@dataclass
class BotOptions:
    server_url: str
    call_type: str
    call_id: str
    name: str = "Bot"
    user_id: str | None = None
    token: str | None = None
    video_file: str | None = None
    audio_file: str | None = None
    duration_s: float | None = None
    stats_json: Path | None = None
    record_audio: Path | None = None
    stamp_frames: bool = False
    read_stamps: bool = False
    reference_video: str | None = None
    control_stdin: bool = False
    camera: bool = True
    microphone: bool = True
    ring_user_ids: tuple[str, ...] = ()
    auto_accept: bool = False


class Bot:
    def __init__(self, options: BotOptions) -> None:
        self.options = options
        self.monitors: dict[str, ReceiveMonitor] = {}
        self.seconds: list[dict[str, Any]] = []
        self._reference = (
            ReferenceVideo(options.reference_video) if options.reference_video else None
        )
        # one worker for every monitor: the reference decodes in order (app.bot.quality)
        self._quality_executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="bot-quality")
            if self._reference is not None
            else None
        )
        self._done = asyncio.Event()
        self._client: VideoClient | None = None
        self._call: Call | None = None

    @property
    def call(self) -> Call | None:
        """The call the bot is in (or entering); None before ``run`` makes it."""
        return self._call

    def _video_transform(self) -> Any:
        if not self.options.stamp_frames:
            return None
        fps = _frame_rate(self.options.video_file) if self.options.video_file else None

        def stamp(track: MediaStreamTrack) -> MediaStreamTrack:
            return StampedVideoTrack(track, fps=fps)

        return stamp

    async def run(self) -> int:
        o = self.options
        media = LocalMedia(
            video_file=o.video_file,
            audio_file=o.audio_file,
            audio_output="null",
            video_transform=self._video_transform(),
        )
        if o.token:
            client = VideoClient(o.server_url, token=o.token, local_media=media)
            await client.connect()
        else:
            client = await VideoClient.sign_in_guest(
                o.server_url, o.name, user_id=o.user_id, local_media=media
            )
        self._client = client
        recorder = WavRecorder(str(o.record_audio)) if o.record_audio else None
        remove_tap = media.mixer.add_tap(recorder) if recorder else None
        call = await self._incoming_call(client) if o.auto_accept else None
        call = call or client.make_call(o.call_type, o.call_id)
        self._call = call
        try:
            if o.camera and o.video_file:
                await call.set_camera_enabled(True)
            if o.microphone and o.audio_file:
                await call.set_microphone_enabled(True)
            call = self._call = await self._enter(call)
            if not call.state.status.is_connected:
                return 0  # the ring ended unanswered: ``bot.left`` says why
            call.subscribe(self._on_state)
            self._on_state(call.state)
            _emit(
                {"event": "bot.joined", "session_id": call.state.session_id, "call_cid": call.cid}
            )
            if o.control_stdin:
                _read_stdin_commands(asyncio.get_running_loop(), self._command)
            await self._report_until_done()
        finally:
            status = call.state.status
            await call.leave()
            if remove_tap:
                remove_tap()
            if recorder:
                recorder.close()
            if self._quality_executor is not None:  # the last comparison counts too
                await asyncio.to_thread(self._quality_executor.shutdown, wait=True)
            self._write_stats()
            _emit({"event": "bot.left", "reason": str(status.reason or ""), "error": status.error})
            await client.disconnect()
            if self._reference:
                self._reference.close()
        return 0

    @staticmethod
    async def _incoming_call(client: VideoClient) -> Call:
        rung: asyncio.Future[Call] = asyncio.get_running_loop().create_future()

        def on_incoming(calls: tuple[Call, ...]) -> None:
            if calls and not rung.done():
                rung.set_result(calls[0])

        unsubscribe = client.subscribe_incoming_calls(on_incoming)
        try:
            call = await rung
        finally:
            unsubscribe()
        _emit({"event": "bot.ringing", "direction": "incoming", "call_cid": call.cid})
        return call

    async def _enter(self, call: Call) -> Call:
        """Join (accept, or ring and wait for an answer); the call the bot is now in."""
        o = self.options
        if o.auto_accept:
            await call.accept()
            return call
        if not o.ring_user_ids:
            await call.join(create=True)
            return call
        answered = asyncio.Event()

        def on_state(state: CallState) -> None:
            if state.status.is_connected or state.status.is_disconnected:
                answered.set()

        await call.get_or_create(members=list(o.ring_user_ids))
        call = await call.ring(list(o.ring_user_ids))
        _emit({"event": "bot.ringing", "direction": "outgoing", "call_cid": call.cid})
        unsubscribe = call.subscribe(on_state)
        on_state(call.state)
        await answered.wait()
        unsubscribe()
        return call

    def _on_state(self, state: CallState) -> None:
        if state.status.is_disconnected:
            self._done.set()
        for p in state.remote_participants:
            sink = self._call.video_sink(p.session_id) if self._call else None
            monitor = self.monitors.get(p.session_id)
            if sink is not None and (monitor is None or monitor.sink is not sink):
                # a renegotiated peer connection brings a new sink: follow it, keep counting
                if monitor is not None:
                    monitor.unsubscribe()
                stats = (
                    monitor.stats
                    if monitor
                    else ParticipantReceiveStats(session_id=p.session_id, user_id=p.user_id)
                )
                self.monitors[p.session_id] = ReceiveMonitor(
                    stats,
                    sink,
                    read_stamps=self.options.read_stamps,
                    reference=self._reference,
                    clock=time.monotonic,
                    quality_executor=self._quality_executor,
                )
            monitor = self.monitors.get(p.session_id)
            if monitor is not None:
                monitor.stats.audio_level = p.audio_level

    async def _report_until_done(self) -> None:
        started = last = time.monotonic()
        while not self._done.is_set():
            try:
                await asyncio.wait_for(self._done.wait(), 1.0)
            except TimeoutError:
                pass
            if self._call is not None:
                self._on_state(self._call.state)  # sinks appear once peers connect
            now = time.monotonic()
            for session_id, monitor in self.monitors.items():
                monitor.tick_second(await self._inbound_bytes(session_id), now - last)
            last = now
            record = self._record(time.monotonic() - started)
            self.seconds.append(record)
            _emit({"event": "bot.stats", **record})
            self._write_stats()
            duration = self.options.duration_s
            if duration is not None and time.monotonic() - started >= duration:
                return

    async def _inbound_bytes(self, session_id: str) -> dict[str, int]:
        if self._call is None:
            return {}
        # aiortc's inbound-rtp has no bytesReceived; the sender's RTCP sender reports
        # (remote-outbound-rtp bytesSent) count the same bytes on a loss-free link.
        totals: dict[str, int] = {}
        for stats in (await self._call.get_stats(session_id)).values():
            if getattr(stats, "type", None) == "remote-outbound-rtp":
                totals[stats.kind] = totals.get(stats.kind, 0) + stats.bytesSent
        return totals

    def _record(self, elapsed_s: float) -> dict[str, Any]:
        state = self._call.state if self._call else None
        local = state.local_participant if state else None
        return {
            "t_s": round(elapsed_s, 2),
            "status": state.status.kind.value if state else "idle",
            "local_published_tracks": sorted(local.published_tracks) if local else [],
            "local_media": self._call.local_stats() if self._call else {},
            "remote": [m.stats.summary() for m in self.monitors.values()],
            "remote_published_tracks": {
                p.session_id: sorted(p.published_tracks)
                for p in (state.remote_participants if state else ())
            },
        }

    def _write_stats(self) -> None:
        path = self.options.stats_json
        if path is None:
            return
        document = {
            "call_cid": self._call.cid if self._call else None,
            "session_id": self._call.state.session_id if self._call else None,
            "seconds": self.seconds,
            "summary": [m.stats.summary() for m in self.monitors.values()],
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(document, indent=1))
        tmp.replace(path)  # readers never see a half-written file

    async def _command(self, line: str) -> None:
        call = self._call
        if call is None:
            return
        command = line.strip()
        try:
            match command:
                case "mute" | "unmute":
                    await call.set_microphone_enabled(command == "unmute")
                case "camera-off" | "camera-on":
                    await call.set_camera_enabled(command == "camera-on")
                case "leave":
                    self._done.set()
                case "":
                    return
                case _:
                    _emit({"event": "bot.error", "message": f"unknown command {command!r}"})
                    return
        except Exception as exc:
            _emit({"event": "bot.error", "message": str(exc)})
            return
        _emit({"event": "bot.command_done", "command": command})


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def _read_stdin_commands(loop: asyncio.AbstractEventLoop, handle: Any) -> None:
    def reader() -> None:
        for line in sys.stdin:
            asyncio.run_coroutine_threadsafe(handle(line), loop)
        # whoever drove the bot is gone (closed the pipe, or was killed): leave, don't linger
        asyncio.run_coroutine_threadsafe(handle("leave"), loop)

    threading.Thread(target=reader, name="bot-stdin", daemon=True).start()


def _frame_rate(path: str) -> float | None:
    with av.open(path) as container:
        rate = container.streams.video[0].average_rate
    return float(rate) if rate else None
