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
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

from deckgen.domain._errors import DeckgenError

__all__ = ["from_jsonable", "to_jsonable"]

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    cls = type(value)
    encode = _ENCODERS.get(cls)
    if encode is None:
        encode = _ENCODERS[cls] = _encoder(cls)
    return encode(value)


# Every event of a generation is encoded by its worker and decoded by each reader: the work that
# depends only on the class (its fields, their types) is done once per class, not once per value.
_ENCODERS: dict[type, Callable[[Any], Any]] = {}


def _encoder(cls: type) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(cls):
        return _record_encoder(cls.__name__, tuple(f.name for f in dataclasses.fields(cls)))
    if issubclass(cls, DeckgenError):
        return _record_encoder(cls.__name__, tuple(_error_hints(cls)))
    if issubclass(cls, enum.Enum):
        return _enum_value
    if issubclass(cls, bytes):
        return _base64
    if issubclass(cls, tuple | list):
        return _items
    return _same


def _record_encoder(tag: str, names: tuple[str, ...]) -> Callable[[Any], Any]:
    def encode(value: Any) -> dict[str, Any]:
        data = {name: to_jsonable(getattr(value, name)) for name in names}
        data["type"] = tag
        return data

    return encode


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _items(value: tuple[Any, ...] | list[Any]) -> list[Any]:
    return [to_jsonable(item) for item in value]


def _same(value: Any) -> Any:
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
    return _decoder(kind)(data)


def _decoder(kind: Any) -> Callable[[Any], Any]:
    try:
        return _planned(kind)
    except TypeError:  # a type that cannot be a cache key: planned anew each time
        return _plan(kind)


@cache
def _planned(kind: Any) -> Callable[[Any], Any]:
    return _plan(kind)


def _plan(kind: Any) -> Callable[[Any], Any]:
    """How to rebuild a value of `kind`, worked out once per type."""
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        return _union_decoder(kind)
    if origin is list:
        (item,) = get_args(kind)
        return lambda data: [_decode(item, value) for value in data]
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return lambda data: tuple(_decode(args[0], value) for value in data)
        return lambda data: tuple(_decode(arg, value) for arg, value in zip(args, data, strict=True))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    if isinstance(kind, type) and issubclass(kind, DeckgenError):
        return lambda data: _decode_error(kind, data)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    if kind is bytes:
        return base64.b64decode
    if kind is float:
        return lambda data: float(data) if isinstance(data, int) else data
    if kind is typing.Any or kind in (int, str, bool):
        return _same

    def cannot(data: Any) -> Any:
        raise ValueError(f"cannot decode {data!r} as {kind}")

    return cannot


def _union_decoder(kind: Any) -> Callable[[Any], Any]:
    concrete = [option for option in get_args(kind) if option is not type(None)]
    if len(concrete) == 1:
        (only,) = concrete
        return lambda data: None if data is None else _decode(only, data)
    by_name = {option.__name__: option for option in concrete if isinstance(option, type)}
    scalars = tuple(option for option in concrete if option in (int, float, str, bool))

    def decode(data: Any) -> Any:
        if data is None:
            return None
        if isinstance(data, dict) and data.get("type") in by_name:
            return _decode(by_name[data["type"]], data)
        for option in scalars:
            if isinstance(data, option):
                return data
        raise ValueError(f"cannot decode {data!r} as {kind}")

    return decode


def _dataclass_decoder(kind: type) -> Callable[[Any], Any]:
    # Field types are looked up at the first value, not here: a dataclass may refer to itself.
    plan: list[tuple[str, Callable[[Any], Any]]] = []

    def decode(data: Any) -> Any:
        if not plan:
            hints = _hints(kind)
            plan.extend((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(kind))
        return kind(**{name: field(data[name]) for name, field in plan if name in data})

    return decode


def from_jsonable(kind: type[T] | Any, data: Any) -> T:
    """Rebuild a value of `kind` (a dataclass, enum, or a union of dataclasses) from `to_jsonable` data."""
    return typing.cast("T", _decode(kind, data))
