"""Weak listeners for engine callbacks, so a deleted widget is never called back."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject


class Subscription:
    """Holds one unsubscribe callable. A plain object, so a Qt ``destroyed`` signal can call
    :meth:`cancel` after the owning widget's Python wrapper is gone."""

    def __init__(self) -> None:
        self._unsubscribe: Callable[[], None] | None = None

    def set(self, unsubscribe: Callable[[], None]) -> None:
        """Replace the held subscription, cancelling the previous one."""
        self.cancel()
        self._unsubscribe = unsubscribe

    def cancel(self) -> None:
        """Unsubscribe (idempotent)."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()


def weak_method(bound: Callable[..., None]) -> Callable[..., None]:
    """A callable forwarding to ``bound`` (a method of a QObject) while that object is
    alive on both the Python and the C++ side; afterwards it does nothing. Engine objects
    outlive widgets, so their listener lists must not keep widgets alive."""
    owner: Any = getattr(bound, "__self__", None)
    if not isinstance(owner, QObject):
        raise TypeError("weak_method needs a bound method of a QObject")
    # weakref.WeakMethod rejects Qt's C++ slots (builtin methods): keep the owner weakly and
    # look the method up by name at call time instead.
    ref = weakref.ref(owner)
    name = bound.__name__

    def call(*args: Any) -> None:
        target = ref()
        if target is not None and shiboken6.isValid(target):
            getattr(target, name)(*args)

    return call
