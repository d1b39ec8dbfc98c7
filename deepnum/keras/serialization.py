"""What every named family of the Keras door shares (losses, metrics, initializers,
regularizers, optimizers, schedules): the ``{"class_name", "config"}`` form that saved files
hold, and the look-up of a class by name that suggests the closest valid name on a typo.

Only classes listed in a family's table can be built from a file: a name never leads to
importing or running other code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ArgumentError, unknown_name


def serialize(obj: Any) -> dict[str, Any]:
    """``{"class_name": ..., "config": {...}}`` of an object with ``get_config`` (JSON-able)."""
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def lookup(kind: str, name: Any, table: Mapping[str, Any], valid: Iterable[str] | None = None):
    """``table[name.lower()]``, or an UnknownNameError listing ``valid`` (default: the table)
    and suggesting the closest."""
    value = table.get(str(name).lower())
    if value is None:
        raise unknown_name(kind, name, valid if valid is not None else table)
    return value


def deserialize(kind: str, config: Any, table: Mapping[str, type],
                valid: Iterable[str] | None = None):
    """The object that :func:`serialize` described, its class looked up in ``table``."""
    if not isinstance(config, dict) or not isinstance(config.get("config", {}), dict):
        raise ArgumentError(f"a {kind} is described by {{'class_name': str, 'config': dict}}, "
                            f"got {config!r:.200}")
    cls = lookup(kind, config.get("class_name"), table, valid)
    return cls.from_config(config.get("config", {}))
