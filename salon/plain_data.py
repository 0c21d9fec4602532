"""Dataclasses made plain data to store as JSON (session plans, the routine
and screening snapshots they keep)."""

import copy
from collections.abc import Callable
from dataclasses import fields, is_dataclass

# Values returned as they are: they cannot change (subclasses, e.g. enum members, are copied as asdict copies them).
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})
# How to make a value of each type plain, found once per type (the checks took as long as the copying).
_CONVERTERS: dict[type, Callable] = {}


def as_plain_data(value):
    """``dataclasses.asdict``: the same dicts, tuples and values, without
    deep-copying each string and number on the way, which took most of the
    CPU of building a plan for a booking (they cannot change). Each booking
    makes three snapshots of a few hundred values: a value that stays as it
    is costs no call."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(kind)
    return convert(value)


def _plain(value):
    return value if type(value) in _AS_THEY_ARE else as_plain_data(value)


def _converter(kind: type) -> Callable:
    """What :func:`as_plain_data` does with a value of type ``kind``, as ``asdict`` does."""
    if is_dataclass(kind):
        names = tuple(item.name for item in fields(kind))
        return lambda value: {
            name: item if type(item := getattr(value, name)) in _AS_THEY_ARE else as_plain_data(item) for name in names
        }
    if issubclass(kind, list | tuple) and not hasattr(kind, "_fields"):  # a named tuple is deep-copied, as below
        if kind is tuple or kind is list:
            return lambda value: kind([item if type(item) in _AS_THEY_ARE else as_plain_data(item) for item in value])
        return lambda value: kind(_plain(item) for item in value)
    if kind is dict:
        return lambda value: {_plain(key): _plain(item) for key, item in value.items()}
    if issubclass(kind, dict):
        return lambda value: kind((_plain(key), _plain(item)) for key, item in value.items())
    return copy.deepcopy  # as asdict does with anything else
