"""``Settings``: the desktop app's preferences, declared as data and stored with QSettings.

Each setting is a :class:`SettingSpec` (key, type, default, description), so the settings
dialog, the defaults and the storage all read one table. Values live in the platform's
native store (registry, plist, ``~/.config/Parley/Parley.conf``) unless a ``QSettings`` is
given (tests use an INI file). Secrets never go here: the token is in the OS keyring.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
SETTINGS: tuple[SettingSpec, ...] = (CLOSE_TO_TRAY, PIP_ON_MINIMISE, THEME, RINGTONE)


class Settings(QObject):
    """Typed access to :data:`SETTINGS`. ``changed(str)`` carries the key that changed.

    Raises ``KeyError`` for a key that is not declared, ``TypeError`` for a value of the
    wrong type, ``ValueError`` for a theme that is not a :class:`ThemeChoice`.
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
    def ringtone(self) -> bool:
        return bool(self.value(RINGTONE.key))

    @property
    def theme(self) -> ThemeChoice:
        try:
            return ThemeChoice(str(self.value(THEME.key)))
        except ValueError:  # an edited file: fall back rather than refuse to start
            return ThemeChoice.SYSTEM
