"""The effects a user can pick: Parley's built-ins and third-party filters registered in
the ``parley.video_filters`` entry point group.

A third-party package declares, in its ``pyproject.toml``::

    [project.entry-points."parley.video_filters"]
    sepia = "parley_sepia:SepiaFilter"   # a no-argument factory returning a VideoFilter

A plugin that fails to import is listed with its error rather than hiding the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from app.media.filters.base import FilterCost, VideoFilter
from app.media.filters.builtin import BackgroundBlurFilter, GrayscaleFilter

__all__ = ["ENTRY_POINT_GROUP", "FilterSpec", "available_filters", "builtin_filters"]

ENTRY_POINT_GROUP = "parley.video_filters"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """One entry of the effects menu.

    ``filter_id``: stable id (``"blur-medium"``, ``"plugin:<entry point name>"``);
    ``create()`` makes a fresh filter (may raise ``FilterUnavailable`` or, for a plugin,
    anything); ``load_error`` is set when a plugin could not even be loaded.
    """

    filter_id: str
    label: str
    create: Callable[[], VideoFilter]
    needs_person_mask: bool
    origin: str = "builtin"  # or the distribution that provides the plugin
    load_error: str | None = None


def builtin_filters() -> list[FilterSpec]:
    """Blur light/medium/heavy and grayscale (the background image needs a path, so the
    picker creates ``BackgroundImageFilter`` itself)."""
    specs = [
        FilterSpec(
            f"blur-{level}",
            BackgroundBlurFilter(level).label,
            lambda level=level: BackgroundBlurFilter(level),  # type: ignore[misc]
            needs_person_mask=True,
        )
        for level in ("light", "medium", "heavy")
    ]
    specs.append(
        FilterSpec("grayscale", GrayscaleFilter.label, GrayscaleFilter, needs_person_mask=False)
    )
    return specs


def _plugin_spec(
    entry_point_name: str, factory: Callable[[], VideoFilter], origin: str
) -> FilterSpec:
    label = str(getattr(factory, "label", entry_point_name))
    cost = getattr(factory, "cost", None)
    needs_mask = bool(cost.needs_person_mask) if isinstance(cost, FilterCost) else False
    return FilterSpec(f"plugin:{entry_point_name}", label, factory, needs_mask, origin)


def available_filters() -> list[FilterSpec]:
    """Built-ins, then every plugin of the ``parley.video_filters`` group, sorted by label.

    Never raises for a broken plugin: its spec carries ``load_error`` and a ``create`` that
    raises ``RuntimeError`` with that message.
    """
    plugins: list[FilterSpec] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        origin = entry.dist.name if entry.dist is not None else entry.value
        try:
            factory = entry.load()
            if not callable(factory):
                raise TypeError(f"{entry.value} is not callable")
        except Exception as exc:  # a plugin's bug must not take the menu down
            message = f"The effect {entry.name!r} from {origin} cannot be loaded: {exc}"
            log.warning("%s", message)

            def broken(message: str = message) -> VideoFilter:
                raise RuntimeError(message)

            plugins.append(
                FilterSpec(f"plugin:{entry.name}", entry.name, broken, False, origin, message)
            )
            continue
        plugins.append(_plugin_spec(entry.name, factory, origin))
    return builtin_filters() + sorted(plugins, key=lambda spec: spec.label.lower())
