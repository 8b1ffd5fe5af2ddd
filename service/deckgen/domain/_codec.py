"""Domain values to and from JSON-compatible data, so records and events can leave the process.

Dataclasses become objects, enums their values, tuples lists, bytes base64, and members of a union
of dataclasses carry their class name under "type". A domain error (`DeckgenError`) becomes the
fields its class declares, with its class name under "type", so a failure survives the trip whole.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

from deckgen.domain._errors import DeckgenError

__all__ = ["from_jsonable", "to_jsonable"]

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        data["type"] = type(value).__name__
        return data
    if isinstance(value, DeckgenError):
        data = {name: to_jsonable(getattr(value, name)) for name in _error_hints(type(value))}
        data["type"] = type(value).__name__
        return data
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _error_hints(cls: type[DeckgenError]) -> dict[str, Any]:
    # Not cached: `functools.cache` wants hashable arguments, and exception classes are rarely coded.
    return typing.get_type_hints(cls)


def _error_classes(base: type[DeckgenError]) -> dict[str, type[DeckgenError]]:
    found = {base.__name__: base}
    for sub in base.__subclasses__():
        found.update(_error_classes(sub))
    return found


def _decode_error(base: type[DeckgenError], data: dict[str, Any]) -> DeckgenError:
    # An error class unknown here (a newer replica's) still arrives as its nearest known base.
    cls = _error_classes(base).get(data.get("type", ""), base)
    error = cls.__new__(cls)
    Exception.__init__(error, data.get("message", ""))
    for name, kind in _error_hints(cls).items():
        if name in data:
            setattr(error, name, _decode(kind, data[name]))
    return error


def _decode(kind: Any, data: Any) -> Any:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = get_args(kind)
        if data is None:
            return None
        concrete = [option for option in options if option is not type(None)]
        if len(concrete) == 1:
            return _decode(concrete[0], data)
        by_name = {option.__name__: option for option in concrete if isinstance(option, type)}
        if isinstance(data, dict) and data.get("type") in by_name:
            return _decode(by_name[data["type"]], data)
        for option in concrete:
            if option in (int, float, str, bool) and isinstance(data, option):
                return data
        raise ValueError(f"cannot decode {data!r} as {kind}")
    if origin is list:
        return [_decode(get_args(kind)[0], item) for item in data]
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in data)
        return tuple(_decode(arg, item) for arg, item in zip(args, data, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        fields = {f.name for f in dataclasses.fields(kind)}
        return kind(**{name: _decode(hints[name], data[name]) for name in fields if name in data})
    if isinstance(kind, type) and issubclass(kind, DeckgenError):
        return _decode_error(kind, data)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is bytes:
        return base64.b64decode(data)
    if kind is float and isinstance(data, int):
        return float(data)
    if kind is typing.Any or kind in (int, str, bool, float):
        return data
    raise ValueError(f"cannot decode {data!r} as {kind}")


def from_jsonable(kind: type[T] | Any, data: Any) -> T:
    """Rebuild a value of `kind` (a dataclass, enum, or a union of dataclasses) from `to_jsonable` data."""
    return typing.cast("T", _decode(kind, data))
