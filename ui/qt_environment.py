"""Keep Qt's environment ours: undo what ``import cv2`` does to it.

The non-headless OpenCV wheels (``opencv-python``, and ``opencv-contrib-python`` that
mediapipe pulls in) set ``QT_QPA_PLATFORM_PLUGIN_PATH`` and ``QT_QPA_FONTDIR`` to the Qt
build bundled inside ``cv2/qt`` when imported (``cv2/config-3.py``). PySide6 then loads
cv2's xcb plugin, built against another Qt, and fails on a real display (ARCHITECTURE.md,
"Known pitfalls"). No Qt import here: this runs before the QApplication exists.
"""

from __future__ import annotations

import os
from pathlib import PurePath

QT_PATH_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR", "QT_PLUGIN_PATH")


def _points_into_cv2(value: str) -> bool:
    return any("cv2" in PurePath(entry).parts for entry in value.split(os.pathsep) if entry)


def sanitize_qt_environment(environ: dict[str, str] | None = None) -> list[str]:
    """Remove Qt path variables that point into an OpenCV package; return their names.

    Call it right before creating the ``QApplication`` (after every import that may pull
    in cv2). Values the user set to other places are kept.
    """
    env = os.environ if environ is None else environ
    removed = [name for name in QT_PATH_VARIABLES if _points_into_cv2(env.get(name, ""))]
    for name in removed:
        del env[name]
    return removed
