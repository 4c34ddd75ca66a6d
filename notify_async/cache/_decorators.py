"""Decorators that declare an endpoint method's cache effect, as the original's ``@cache.set``
/ ``@cache.delete`` / ``@cache.delete_by_pattern`` did, with the same key templates.

The decorated method's instance must have a ``_cache`` attribute (a
:class:`~notify_async.cache.RequestCache`). Key placeholders are filled from the method's
arguments by parameter name (defaults included), UUID strings normalised.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from notify_async import _constants as C
from notify_async.cache._keys import compile_key, placeholders
from notify_async.cache._request_cache import RequestCache
from notify_async.errors import CacheInvalidationError

P = ParamSpec("P")
R = TypeVar("R")

Method = Callable[P, Awaitable[R]]
Wrapped = Callable[P, Coroutine[Any, Any, R]]


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def _arguments_getter(
    fn: Callable[..., Any], templates: tuple[str, ...]
) -> Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any]]:
    """A function mapping (args, kwargs) to the values of the templates' placeholders.

    Each placeholder's position and default are worked out once, so a call costs a few index
    lookups; anything unusual (a missing argument, a ``*args`` / ``**kwargs`` placeholder) goes
    through ``Signature.bind``, which also raises the right ``TypeError``.
    """
    signature = inspect.signature(fn)
    needed = {name for template in templates for name in placeholders(template)}
    unknown = needed - set(signature.parameters)
    if unknown:
        raise TypeError(f"{fn.__qualname__}: cache key names unknown parameter(s) {unknown}")
    if not needed:
        return lambda args, kwargs: {}

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return bound.arguments

    parameters = list(signature.parameters.values())
    if any(p.kind in _VARIADIC for p in parameters if p.name in needed):
        return bind
    plan = [
        (p.name, i if p.kind in _POSITIONAL else None, p.default)
        for i, p in enumerate(parameters)
        if p.name in needed
    ]
    empty = inspect.Parameter.empty

    def arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, index, default in plan:
            if index is not None and index < len(args):
                found[name] = args[index]
            elif name in kwargs:
                found[name] = kwargs[name]
            elif default is not empty:
                found[name] = default
            else:
                return bind(args, kwargs)
        return found

    return arguments


def _cache_of(args: tuple[Any, ...]) -> RequestCache:
    cache: RequestCache = args[0]._cache
    return cache


def cached(key: str, *, ttl: int = C.DEFAULT_CACHE_TTL) -> Callable[[Method[P, R]], Wrapped[P, R]]:
    """Read-through: return the JSON cached under ``key`` or call the method and store its
    result for ``ttl`` seconds (see :meth:`RequestCache.read_through` for fencing and
    single-flight)."""

    def decorate(fn: Method[P, R]) -> Wrapped[P, R]:
        get_arguments = _arguments_getter(fn, (key,))
        build_key = compile_key(key)

        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            cache_key = build_key(get_arguments(args, kwargs))
            result: R = await _cache_of(args).read_through(
                cache_key, ttl, lambda: fn(*args, **kwargs)
            )
            return result

        wrapper.__notify_cache__ = ("set", key, ttl)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def invalidates(
    *keys: str, patterns: tuple[str, ...] = ()
) -> Callable[[Method[P, R]], Wrapped[P, R]]:
    """Delete ``keys`` and every key matching ``patterns`` (Redis globs) before the method's
    request(s) and again after them. A failure raises
    :class:`~notify_async.errors.CacheInvalidationError`; the "after" failure carries the
    method's result.

    If the method raises, the "after" invalidation still runs before the error propagates (the
    original skipped it): a write that timed out or got a 5xx may have been applied, and a read
    that ran meanwhile may have cached the older answer. Should that invalidation fail too, a note
    on the method's exception says the cache may be stale.
    """

    def decorate(fn: Method[P, R]) -> Wrapped[P, R]:
        get_arguments = _arguments_getter(fn, keys + patterns)
        key_builders = [compile_key(k) for k in keys]
        pattern_builders = [compile_key(p) for p in patterns]
        name = fn.__qualname__

        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            arguments = get_arguments(args, kwargs)
            ks = [build(arguments) for build in key_builders]
            ps = [build(arguments) for build in pattern_builders]
            cache = _cache_of(args)
            await cache.invalidate(ks, ps, request_sent=False, method=name)
            try:
                result = await fn(*args, **kwargs)
            except Exception as exc:
                try:
                    await cache.invalidate(ks, ps, request_sent=True, method=name)
                except CacheInvalidationError as failed:
                    exc.add_note(str(failed))
                raise
            await cache.invalidate(ks, ps, request_sent=True, result=result, method=name)
            return result

        wrapper.__notify_cache__ = ("delete", keys, patterns)  # type: ignore[attr-defined]
        return wrapper

    return decorate
