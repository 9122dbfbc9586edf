"""``parley bot``: a headless participant with file media (tests, demos, benchmarks)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from app.bot.runner import Bot, BotOptions
from app.frame_memory import keep_frame_buffers_mapped
from app.protocol import split_call_cid

__all__ = ["Bot", "BotOptions", "build_parser", "main", "options_from_args", "parse_args"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley bot", description="Join a call headless with file media and report stats."
    )
    parser.add_argument("--server", help="coordinator URL (default: the embedded one)")
    parser.add_argument("--call", help="TYPE:ID, e.g. default:standup (not with --auto-accept)")
    parser.add_argument("--name", default="Bot", help="display name")
    parser.add_argument("--user-id", help="guest user id (default: a new one)")
    parser.add_argument("--token", help="a user token instead of guest sign-in")
    parser.add_argument("--video-file", help="video file used as the camera (loops)")
    parser.add_argument("--audio-file", help="audio file used as the microphone (loops)")
    parser.add_argument("--duration", type=float, help="seconds to stay, default: until 'leave'")
    parser.add_argument("--stats-json", type=Path, help="write per-second stats here")
    parser.add_argument("--record-audio", type=Path, help="record the received mix (WAV)")
    parser.add_argument(
        "--stamp-frames", action="store_true", help="draw frame index + capture time into video"
    )
    parser.add_argument(
        "--read-stamps", action="store_true", help="read stamps of received video (latency)"
    )
    parser.add_argument("--reference-video", help="source file of the remote video, for PSNR")
    parser.add_argument("--control-stdin", action="store_true", help="read commands on stdin")
    parser.add_argument(
        "--ring",
        action="append",
        default=[],
        metavar="USER_ID",
        help="ring this member of --call (repeatable) and join when they accept",
    )
    parser.add_argument(
        "--auto-accept", action="store_true", help="wait for a ring, accept it and join"
    )
    parser.add_argument("--no-camera", action="store_true")
    parser.add_argument("--no-microphone", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``parley bot``'s arguments, checked; ``SystemExit`` with a message when they clash."""
    args = build_parser().parse_args(argv)
    if args.auto_accept and (args.call or args.ring):
        raise SystemExit("parley bot: --auto-accept answers whatever rings: no --call/--ring")
    if not args.auto_accept:
        if args.call is None:
            raise SystemExit("parley bot: --call TYPE:ID is required (or --auto-accept)")
        try:
            split_call_cid(args.call)
        except ValueError as exc:
            raise SystemExit(f"parley bot: --call: {exc}") from exc
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    keep_frame_buffers_mapped()  # as the app does: app/frame_memory.py
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    server_url = args.server
    if server_url is None:
        from app.server import ensure_local_coordinator

        server_url = await ensure_local_coordinator()
    return await Bot(options_from_args(args, server_url)).run()


def options_from_args(args: argparse.Namespace, server_url: str) -> BotOptions:
    """``BotOptions`` from arguments of ``parse_args`` and the coordinator's URL."""
    # with --auto-accept the call comes with the ring
    call_type, call_id = split_call_cid(args.call) if args.call else ("default", "")
    return BotOptions(
        server_url=server_url,
        call_type=call_type,
        call_id=call_id,
        name=args.name,
        user_id=args.user_id,
        token=args.token,
        video_file=args.video_file,
        audio_file=args.audio_file,
        duration_s=args.duration,
        stats_json=args.stats_json,
        record_audio=args.record_audio,
        stamp_frames=args.stamp_frames,
        read_stamps=args.read_stamps,
        reference_video=args.reference_video,
        control_stdin=args.control_stdin,
        camera=not args.no_camera,
        microphone=not args.no_microphone,
        ring_user_ids=tuple(args.ring),
        auto_accept=args.auto_accept,
    )
