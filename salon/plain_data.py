"""Dataclasses made plain data to store as JSON (session plans, the routine
and screening snapshots they keep)."""

import copy
from dataclasses import fields, is_dataclass

# Field names by dataclass, read once per process (dataclasses.fields builds a tuple on each call).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def as_plain_data(value):
    """``dataclasses.asdict``: the same dicts, tuples and values, without
    deep-copying each string and number on the way, which took most of the
    CPU of building a plan for a booking (they cannot change)."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if is_dataclass(value):
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(item.name for item in fields(value))
        return {name: as_plain_data(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):  # a named tuple is deep-copied, as below
        return kind(as_plain_data(item) for item in value)
    if isinstance(value, dict):
        return kind((as_plain_data(key), as_plain_data(item)) for key, item in value.items())
    return copy.deepcopy(value)  # as asdict does with anything else
