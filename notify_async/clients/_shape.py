"""Refusing answers of the wrong JSON shape.

Every endpoint method declares what it returns (a TypedDict from :mod:`notify_async.types`, a
list of them, a ``str``...). The values stay the plain JSON the API sent; only their top-level
kind is checked here: an object where an object is declared, a list where a list is, ``null``
only where ``None`` is allowed. A JSON list where the code expects an object would otherwise end
as a bare ``TypeError`` deep in the caller, or be cached and served for weeks.

Endpoint methods pass what the transport decoded through one of these before returning it, so
a wrong answer is refused before a cache decorator could store it:

- :func:`expect` for the whole answer (``expect(response, ServiceResponse)``);
- :func:`unwrap` for one key of it (``unwrap(response, "data", User)``);
- :func:`optional` for a key that may be missing or null.

:func:`check_shape` does the same from a method's return annotation (read on the first call and
remembered), for code that wraps methods, such as the cache decorators on a cache hit.

Each raises :class:`~notify_async.errors.InvalidResponse` (status 200) naming the SDK method.
"""

from __future__ import annotations

import sys
import types
import typing
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar, cast, get_args, get_origin, get_type_hints

from notify_async.errors import InvalidResponse

R = TypeVar("R")
T = TypeVar("T")

Kinds = frozenset[type]
"""The JSON kinds a value may have (``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``,
``NoneType``); None where anything goes."""

_NONE = type(None)
_NAMES = {
    dict: "a JSON object", list: "a JSON list", str: "a string", int: "an integer",
    float: "a number", bool: "true or false", _NONE: "null", tuple: "a pair",
}
_BY_CLASS: tuple[tuple[type, Kinds], ...] = (
    (bool, frozenset({bool})), (str, frozenset({str})), (int, frozenset({int})),
    (float, frozenset({float, int})), (tuple, frozenset({tuple})), (Mapping, frozenset({dict})),
    (Sequence, frozenset({list})),
)
_BY_ANNOTATION: dict[object, Kinds | None] = {}
_KINDS: weakref.WeakKeyDictionary[Callable[..., Any], Kinds | None] = (
    weakref.WeakKeyDictionary()
)


def kinds_of(annotation: object) -> Kinds | None:
    """The top-level JSON kinds a value of type ``annotation`` can have, or None when any value
    fits (``object``, ``Any``, :data:`~notify_async.types.JSONValue`, a type variable).

    Worked out once per annotation and remembered.
    """
    try:
        return _BY_ANNOTATION[annotation]
    except KeyError:
        kinds = _BY_ANNOTATION[annotation] = _kinds_of(annotation)
        return kinds
    except TypeError:  # an unhashable annotation
        return _kinds_of(annotation)


def _kinds_of(annotation: object) -> Kinds | None:
    if annotation is None or annotation is _NONE:
        return frozenset({_NONE})
    if annotation is Any or annotation is object or isinstance(annotation, TypeVar):
        return None
    value = getattr(annotation, "__value__", None)  # a TypeAliasType such as JSONValue
    if value is not None:
        return kinds_of(value)
    origin = get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        found: set[type] = set()
        for arg in get_args(annotation):
            kinds = kinds_of(arg)
            if kinds is None:
                return None
            found |= kinds
        return frozenset(found)
    if origin is Literal:
        return frozenset(type(arg) for arg in get_args(annotation))
    if origin is typing.Annotated:
        return kinds_of(get_args(annotation)[0])
    cls = origin if origin is not None else annotation
    if not isinstance(cls, type):
        return None
    for base, json_kinds in _BY_CLASS:
        if issubclass(cls, base):
            return json_kinds
    return None


def _fits(value: object, kinds: Kinds) -> bool:
    if isinstance(value, bool):  # JSON true is not an integer
        return bool in kinds
    return isinstance(value, tuple(kinds))


def _describe(kinds: Kinds) -> str:
    shown = {kind for kind in kinds if not (kind is int and float in kinds)}
    return " or ".join(sorted(_NAMES.get(kind, kind.__name__) for kind in shown))


def _kind_name(value: object) -> str:
    for kind in (bool, dict, list, str, int, float, tuple):
        if isinstance(value, kind):
            return _NAMES[kind]
    return "null" if value is None else type(value).__name__


def _refuse(where: str, expected: str, value: object) -> InvalidResponse:
    return InvalidResponse(
        f"{where}: expected {expected} from the API, got {_kind_name(value)}", status_code=200
    )


def expected_kinds(fn: Callable[..., Any]) -> Kinds | None:
    """The kinds ``fn``'s return annotation allows (evaluated on the first call, then
    remembered); None when it allows anything or cannot be read.

    Raises nothing: an annotation that cannot be resolved means no check (a test makes sure
    every endpoint's annotation resolves).
    """
    fn = getattr(fn, "__func__", fn)  # a bound method: remember its function
    try:
        return _KINDS[fn]
    except KeyError:
        pass
    try:
        kinds = kinds_of(get_type_hints(fn).get("return", object))
    except Exception:  # noqa: BLE001 - never fail a request over an unreadable annotation
        kinds = None
    _KINDS[fn] = kinds
    return kinds


def check_shape(fn: Callable[..., Any], value: R) -> R:
    """``value`` unchanged if its top-level JSON kind fits ``fn``'s return annotation.

    Raises :class:`~notify_async.errors.InvalidResponse` (status 200) naming ``fn`` otherwise,
    e.g. for a JSON list from a method declared to return a TypedDict.
    """
    kinds = expected_kinds(fn)
    if kinds is None or _fits(value, kinds):
        return value
    raise _refuse(fn.__qualname__, _describe(kinds), value)


def unwrap(response: object, key: str, expected: type[T]) -> T:
    """``response[key]``, refusing an answer that is not a JSON object with ``key`` or whose
    ``key`` holds a value of the wrong kind for ``expected`` (a TypedDict, ``list[...]``,
    ``str``...). Raises :class:`~notify_async.errors.InvalidResponse` naming the caller."""
    where = sys._getframe(1).f_code.co_qualname
    if not isinstance(response, dict) or key not in response:
        raise _refuse(where, f"a JSON object with {key!r}", response)
    value = response[key]
    kinds = kinds_of(expected)
    if kinds is not None and not _fits(value, kinds):
        raise _refuse(where, f"{_describe(kinds)} in {key!r}", value)
    return cast(T, value)


def expect(response: object, expected: type[T]) -> T:
    """``response`` unchanged if its top-level kind fits ``expected`` (a TypedDict,
    ``list[...]``, ``str``...); raises :class:`~notify_async.errors.InvalidResponse` naming
    the caller otherwise."""
    kinds = kinds_of(expected)
    if kinds is not None and not _fits(response, kinds):
        raise _refuse(sys._getframe(1).f_code.co_qualname, _describe(kinds), response)
    return cast(T, response)


def optional(response: object, key: str, expected: type[T]) -> T | None:
    """``response[key]``, or None when the key is missing or null; raises
    :class:`~notify_async.errors.InvalidResponse` naming the caller when ``response`` is not a
    JSON object or ``key`` holds a value of the wrong kind."""
    where = sys._getframe(1).f_code.co_qualname
    if not isinstance(response, dict):
        raise _refuse(where, "a JSON object", response)
    value = response.get(key)
    kinds = kinds_of(expected)
    if value is not None and kinds is not None and not _fits(value, kinds):
        raise _refuse(where, f"{_describe(kinds)} or null in {key!r}", value)
    return cast(T | None, value)
