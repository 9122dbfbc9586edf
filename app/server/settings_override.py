"""Merging a partial ``CallSettings`` override into a call's settings.

``settings_override`` (get-or-create, update) is a nested JSON object; objects merge key by
key into the current settings and any other value replaces what was there, so
``{"video": {"target_resolution": {"bitrate": 800000}}}`` changes one number. Unknown keys
are refused rather than silently dropped: a misspelt setting must not look applied.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from app.protocol import CallSettings
from app.server.errors import error_field, invalid_request


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in: nested mappings merge, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``annotation`` (``Model``, ``Model | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            model = _model_of(arg)
            if model is not None:
                return model
    return None


def _check_known_keys(value: Mapping[str, Any], model: type[BaseModel], path: str) -> None:
    for key, item in value.items():
        field_path = f"{path}.{key}"
        field = model.model_fields.get(key)
        if field is None:
            raise invalid_request(f"{field_path}: unknown setting", field_path)
        nested = _model_of(field.annotation)
        if nested is not None and isinstance(item, Mapping):
            _check_known_keys(item, nested, field_path)


def apply_settings_override(
    settings: CallSettings, override: Mapping[str, Any] | None, *, field: str
) -> CallSettings:
    """``settings`` with ``override`` merged in (module docstring).

    ``field`` is the request path of the override (e.g. ``"data.settings_override"``);
    raises ``ApiError`` 422 ``invalid_request`` naming the first unknown or invalid key.
    """
    if not override:
        return settings
    _check_known_keys(override, CallSettings, field)
    merged = deep_merge(settings.model_dump(), override)
    try:
        return CallSettings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(p for p in (field, error_field(first["loc"])) if p)
        raise invalid_request(f"{path}: {first['msg']}", path) from exc
