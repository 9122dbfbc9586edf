"""``Settings``: the desktop app's preferences, declared as data and stored with QSettings.

Each setting is a :class:`SettingSpec` (key, type, default, description), so the settings
dialog, the defaults and the storage all read one table. Values live in the platform's
native store (registry, plist, ``~/.config/Parley/Parley.conf``) unless a ``QSettings`` is
given (tests use an INI file). Secrets never go here: the token is in the OS keyring.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QSettings, Signal


class ThemeChoice(StrEnum):
    SYSTEM = "system"  # follow the OS colour scheme
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One preference: its QSettings ``key``, value ``type``, ``default`` and what it does."""

    key: str
    type: type
    default: bool | str
    description: str


CLOSE_TO_TRAY = SettingSpec(
    "window/close_to_tray",
    bool,
    True,
    "Closing the main window keeps Parley running in the system tray, so calls can reach you.",
)
PIP_ON_MINIMISE = SettingSpec(
    "call/pip_on_minimise",
    bool,
    True,
    "Minimising the window during a call opens a small always-on-top video window.",
)
THEME = SettingSpec(
    "appearance/theme",
    str,
    ThemeChoice.SYSTEM.value,
    "Light, dark, or follow the operating system.",
)
RINGTONE = SettingSpec(
    "call/ringtone",
    bool,
    True,
    "Play a ringtone when someone calls you (the pop-up appears either way).",
)
DISPLAY_NAME = SettingSpec(
    "account/display_name",
    str,
    "",
    "The name others see (empty: the operating system's user name). Applies at next start.",
)
SERVER_URL = SettingSpec(
    "account/server_url",
    str,
    "",
    "The coordinator to use (empty: the embedded one on this computer). Applies at next start.",
)
JOIN_CAMERA_OFF = SettingSpec(
    "call/join_camera_off",
    bool,
    False,
    "Join every call with the camera off, whatever the call type turns on.",
)
JOIN_MICROPHONE_OFF = SettingSpec(
    "call/join_microphone_off",
    bool,
    False,
    "Join every call with the microphone off, whatever the call type turns on.",
)
SETTINGS: tuple[SettingSpec, ...] = (
    DISPLAY_NAME,
    SERVER_URL,
    CLOSE_TO_TRAY,
    PIP_ON_MINIMISE,
    JOIN_CAMERA_OFF,
    JOIN_MICROPHONE_OFF,
    RINGTONE,
    THEME,
)


def is_server_url(text: str) -> bool:
    """Whether ``text`` is an absolute ``http``/``https`` URL with a host (a coordinator's
    address, e.g. ``https://parley.example.org`` or ``http://127.0.0.1:28780``)."""
    url = urlsplit(text.strip())
    return url.scheme in ("http", "https") and bool(url.hostname) and not url.query


# QCoreApplication's names, which also name the QSettings store
ORGANIZATION_NAME = APPLICATION_NAME = "Parley"


class Settings(QObject):
    """Typed access to :data:`SETTINGS`. ``changed(str)`` carries the key that changed.

    Raises ``KeyError`` for a key that is not declared, ``TypeError`` for a value of the
    wrong type, ``ValueError`` for a theme that is not a :class:`ThemeChoice` or a server
    URL that is not :func:`is_server_url`.
    """

    changed = Signal(str)

    def __init__(self, store: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store if store is not None else QSettings()
        self._specs = {spec.key: spec for spec in SETTINGS}

    def value(self, key: str) -> bool | str:
        spec = self._specs[key]
        stored = self._store.value(key, spec.default, type=spec.type)
        return spec.type(stored)

    def set_value(self, key: str, value: bool | str) -> None:
        spec = self._specs[key]
        if not isinstance(value, spec.type):
            raise TypeError(f"{key} takes a {spec.type.__name__}, not {value!r}")
        if key == THEME.key:
            ThemeChoice(str(value))
        if key == SERVER_URL.key and value and not is_server_url(str(value)):
            raise ValueError(f"not an http(s) URL: {value!r}")
        if self.value(key) != value:
            self._store.setValue(key, value)
            self._store.sync()
            self.changed.emit(key)

    @property
    def close_to_tray(self) -> bool:
        return bool(self.value(CLOSE_TO_TRAY.key))

    @property
    def pip_on_minimise(self) -> bool:
        return bool(self.value(PIP_ON_MINIMISE.key))

    @property
    def display_name(self) -> str:
        return str(self.value(DISPLAY_NAME.key)).strip()

    @property
    def server_url(self) -> str:
        return str(self.value(SERVER_URL.key)).strip()

    @property
    def join_camera_off(self) -> bool:
        return bool(self.value(JOIN_CAMERA_OFF.key))

    @property
    def join_microphone_off(self) -> bool:
        return bool(self.value(JOIN_MICROPHONE_OFF.key))

    @property
    def ringtone(self) -> bool:
        return bool(self.value(RINGTONE.key))

    @property
    def theme(self) -> ThemeChoice:
        try:
            return ThemeChoice(str(self.value(THEME.key)))
        except ValueError:  # an edited file: fall back rather than refuse to start
            return ThemeChoice.SYSTEM
