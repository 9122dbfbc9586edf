"""Parley's desktop UI (PySide6). Widgets render engine snapshots (``app.call``) and send
commands through ``ui.bridge``; ``ui.cli.main`` is the ``parley`` command.

The public names load lazily (PEP 562) so that ``ui.cli`` — and with it ``parley server``
— imports no Qt on machines without Qt's system libraries.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ActiveCallsBridge": "ui.bridge",
    "ActiveCallsSwitcher": "ui.active_calls_switcher",
    "CallStack": "ui.call_stack",
    "SplitView": "ui.split_view",
    "CallBridge": "ui.bridge",
    "EngineBridge": "ui.bridge",
    "LocalMediaBridge": "ui.bridge",
    "CallContainer": "ui.call_container",
    "CallContent": "ui.call_content",
    "CallParticipants": "ui.call_participants",
    "LayoutMode": "ui.call_participants",
    "ParticipantsPanel": "ui.participants_panel",
    "PipWindow": "ui.pip_window",
    "ParleyTray": "ui.tray",
    "Settings": "ui.settings",
    "CallControls": "ui.controls",
    "MediaToggles": "ui.controls",
    "HomeWindow": "ui.home_window",
    "Lobby": "ui.lobby",
    "ParticipantView": "ui.participant_view",
    "DARK": "ui.theme",
    "LIGHT": "ui.theme",
    "Palette": "ui.theme",
    "Theme": "ui.theme",
    "VideoFit": "ui.video_renderer",
    "VideoRenderer": "ui.video_renderer",
    "main": "ui.cli",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ui' has no attribute {name!r}")
    return getattr(import_module(module), name)
