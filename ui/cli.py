"""``parley``: the console entry point.

  parley [--user NAME] [--server URL] [--video-file F] [--audio-file F] [--call TYPE:ID]
         [--data-dir DIR]                 the desktop app (default)
  parley server ...                       the coordinator (``app.server.cli``)
  parley bot ...                          a headless participant (``app.bot``)

Nothing here imports Qt at module level, so ``parley server`` runs on a machine without a
display or Qt's system libraries.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

SUBCOMMANDS = ("server", "bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley",
        description="Parley: self-hostable video calls. "
        "Subcommands: 'parley server ...' runs the coordinator, "
        "'parley bot ...' runs a headless participant.",
    )
    parser.add_argument("--user", metavar="NAME", help="display name (also your guest id)")
    parser.add_argument(
        "--server", metavar="URL", help="coordinator URL (default: the embedded one)"
    )
    parser.add_argument(
        "--video-file", metavar="FILE", help="a video file listed as a camera (and chosen)"
    )
    parser.add_argument(
        "--audio-file", metavar="FILE", help="an audio file listed as a microphone (and chosen)"
    )
    parser.add_argument(
        "--call", metavar="TYPE:ID", help="open the Lobby of this call (TYPE defaults to 'default')"
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", type=Path, help="where the embedded coordinator keeps its data"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``parley`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        command, rest = args[0], args[1:]
        if command == "server":
            from app.server.cli import main as server_main

            return server_main(rest)
        from app.bot import main as bot_main

        return bot_main(rest)
    options = build_parser().parse_args(args)
    from ui.coordinator_prestart import prestart

    prestart(options.data_dir, options.server)  # overlaps the coordinator's start-up
    from ui.application import AppOptions, run_gui

    return run_gui(
        AppOptions(
            user_name=options.user,
            server_url=options.server,
            video_file=options.video_file,
            audio_file=options.audio_file,
            call=options.call,
            data_dir=options.data_dir,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
