"""The desktop application: QApplication + qasync loop, theme, sign-in, the home window.

Start-up is asynchronous so the window appears at once: ensure the coordinator (the
embedded one unless ``--server``), sign in as a guest, then enable the home window (and
open ``--call``'s Lobby). Any failure is shown in the window; nothing raises into Qt.
On close: leave the active call, disconnect, release the devices, then stop the loop.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from app.call import AudioProfile, LocalMedia, MultiCallAudioPolicy
from app.client import VideoClient
from app.frame_memory import keep_frame_buffers_mapped
from app.server import ensure_local_coordinator
from ui.bridge import error_text
from ui.event_loop import GuiEventLoop
from ui.home_window import HomeWindow, parse_call_reference
from ui.icons import app_icon
from ui.qt_environment import sanitize_qt_environment
from ui.settings import APPLICATION_NAME, ORGANIZATION_NAME, THEME, Settings, ThemeChoice
from ui.theme import DARK, LIGHT, Palette, Theme
from ui.tray import ParleyTray

log = logging.getLogger(__name__)

# Multi-call mode (issue 4, Stream's "livestream + 1:1"): a ring accepted during a call puts
# that call on hold, where its other participants see it, instead of ending it; hanging up
# resumes it. ``VideoClient`` keyword arguments.
MULTI_CALL_OPTIONS: dict[str, Any] = {
    "allow_multiple_active_calls": True,
    "multi_call_audio_policy": MultiCallAudioPolicy.SUSPEND_EXISTING,
    "hold_background_calls": True,
}


@dataclass(frozen=True, slots=True)
class AppOptions:
    """What the ``parley`` command line chose (see ``ui.cli``)."""

    user_name: str | None = None
    server_url: str | None = None
    video_file: str | None = None
    audio_file: str | None = None
    call: str | None = None  # "type:id" or "id": open its Lobby after sign-in
    data_dir: Path | None = None


def guest_user_id(name: str) -> str:
    """A stable guest id for a display name (``"Ada Lovelace"`` → ``"ada-lovelace"``), so
    the same name signs in as the same user and finds its recent calls again."""
    slug = re.sub(r"[^a-z0-9@._-]+", "-", name.strip().lower()).strip("-")
    return slug[:128] or "guest"


def default_user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "Guest"


class ParleyApp:
    """One running desktop app: window, engine client, shutdown."""

    def __init__(
        self, app: QApplication, options: AppOptions, settings: Settings | None = None
    ) -> None:
        self.options = options
        self.settings = settings if settings is not None else Settings()
        self.window = HomeWindow(self.settings)
        self.tray = ParleyTray(self.window)
        self.client: VideoClient | None = None
        self._closed = asyncio.Event()
        self.window.closing.connect(self._closed.set)
        self.window.hidden_to_tray.connect(self.tray.notify_hidden)

    async def run(self) -> None:
        """Show the window, sign in, and return once the window was closed and the engine
        shut down."""
        self.window.show()
        # Without a tray, closing the window must quit: nothing else could bring it back.
        self.window.tray_available = self.tray.show()
        starting = asyncio.create_task(self._start())
        await self._closed.wait()
        self.tray.hide()
        starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)
        await self._shutdown()

    async def _start(self) -> None:
        options = self.options
        # The command line wins over the settings dialog, which wins over the defaults.
        name = options.user_name or self.settings.display_name or default_user_name()
        local_media = LocalMedia(video_file=options.video_file, audio_file=options.audio_file)
        try:
            server_url = (
                options.server_url
                or self.settings.server_url
                or await ensure_local_coordinator(options.data_dir)
            )
            self.client = await VideoClient.sign_in_guest(
                server_url,
                name,
                user_id=guest_user_id(name),
                local_media=local_media,
                **MULTI_CALL_OPTIONS,
            )
            # A person at a microphone near speakers: echo cancellation and noise
            # suppression on every call (a call can still be made a viewer's).
            self.client.default_audio_profile = AudioProfile.BROADCASTER
        except Exception as exc:  # any failure here is a message for the user, not a crash
            log.exception("sign-in failed")
            await local_media.close()
            self.window.show_error(
                self.window.tr("Couldn't sign in: %1").replace("%1", error_text(exc))
            )
            return
        self.window.set_client(self.client)
        if options.call:
            reference = parse_call_reference(options.call)
            if reference is None:
                self.window.show_error(
                    self.window.tr("Not a call code: %1").replace("%1", options.call)
                )
            else:
                self.window.open_call(self.client.make_call(*reference))

    async def _shutdown(self) -> None:
        """Leave the active call, close the event stream and release the devices."""
        client, self.client = self.client, None
        if client is None:
            return
        try:
            await client.disconnect()
        except Exception:  # the window is gone; a failed goodbye is only worth a log line
            log.exception("disconnecting at exit failed")


def theme_palette(choice: ThemeChoice) -> Palette | None:
    """The palette the user chose, or None to follow the OS colour scheme."""
    return {ThemeChoice.LIGHT: LIGHT, ThemeChoice.DARK: DARK}.get(choice)


def run_gui(options: AppOptions) -> int:
    """Run the desktop app until its window is closed; returns the exit status."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    sanitize_qt_environment()
    keep_frame_buffers_mapped()  # before any frame is painted: app/frame_memory.py
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setDesktopFileName("parley")
    app.setWindowIcon(app_icon())
    # The loop ends when ParleyApp.run returns (after shutdown), not when Qt sees the last
    # window close: leaving the call and disconnecting still need the loop.
    app.setQuitOnLastWindowClosed(False)
    settings = Settings()
    theme = Theme(app, follow_system=settings.theme is ThemeChoice.SYSTEM)
    theme.apply(theme_palette(settings.theme))
    settings.changed.connect(
        lambda key: theme.choose(theme_palette(settings.theme)) if key == THEME.key else None
    )
    parley = ParleyApp(app, options, settings)
    asyncio.run(parley.run(), loop_factory=lambda: GuiEventLoop(app))
    return 0
