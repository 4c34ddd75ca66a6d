"""Decorators that declare an endpoint method's cache effect, as the original's ``@cache.set``
/ ``@cache.delete`` / ``@cache.delete_by_pattern`` did, with the same key templates.

The decorated method's instance must have a ``_cache`` attribute (a
:class:`~notify_async.cache.RequestCache`). Key placeholders are filled from the method's
arguments by parameter name (defaults included), UUID strings normalised.

A write's invalidations bracket its requests. The first one runs when the method sends its
first request (:func:`start_pending_writes`, called by the sub-clients' verbs), not when the
method is called: a call refused before sending (bad arguments, no acting user) leaves the cache
alone. The second runs after the method returns or raises - even when the caller is cancelled
meanwhile - as long as the first one ran.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, ParamSpec, TypeVar

from notify_async import _constants as C
from notify_async._shield import run_to_completion
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
            if _PENDING.get():  # a read inside a write: the write's keys are cleared first
                await start_pending_writes()
            check = getattr(args[0], "_check_shape", None)  # the sub-client's shape check
            result: R = await _cache_of(args).read_through(
                cache_key, ttl, lambda: fn(*args, **kwargs), template=key,
                accept=None if check is None else lambda value: check(fn, value),
            )
            return result

        wrapper.__notify_cache__ = ("set", key, ttl)  # type: ignore[attr-defined]
        return wrapper

    return decorate


class _Write:
    """The cache effect of one call of an ``@invalidates`` method."""

    __slots__ = ("cache", "keys", "method", "patterns", "started")

    def __init__(
        self, cache: RequestCache, keys: Sequence[str], patterns: Sequence[str], method: str
    ) -> None:
        self.cache = cache
        self.keys = keys
        self.patterns = patterns
        self.method = method
        self.started = False

    async def start(self) -> None:
        """Invalidate before the first request and mark the write as in progress."""
        await self.cache.invalidate(
            self.keys, self.patterns, request_sent=False, method=self.method, write="start"
        )
        self.started = True

    async def finish(self, result: Any = None) -> None:
        """Invalidate after the requests and mark the write as finished, to the end even if the
        caller is cancelled meanwhile."""
        await run_to_completion(
            lambda: self.cache.invalidate(
                self.keys, self.patterns, request_sent=True, result=result,
                method=self.method, write="end",
            )
        )


_PENDING: contextvars.ContextVar[tuple[_Write, ...]] = contextvars.ContextVar(
    "notify_async_pending_writes", default=()
)


async def start_pending_writes() -> None:
    """Run the "before" invalidation of every ``@invalidates`` method in progress in this
    context that has not sent a request yet. Called right before each request is sent.

    Raises:
        CacheInvalidationError: an invalidation failed; the request must not be sent.
    """
    for write in _PENDING.get():
        if not write.started:
            await write.start()


def invalidates(
    *keys: str, patterns: tuple[str, ...] = ()
) -> Callable[[Method[P, R]], Wrapped[P, R]]:
    """Delete ``keys`` and every key matching ``patterns`` (Redis globs) before the method's
    first request and again after its requests. A failure raises
    :class:`~notify_async.errors.CacheInvalidationError`; the "after" failure carries the
    method's result. Between the two, no read of those keys stores its answer.

    A method that raises before sending anything (refused arguments, no acting user) touches
    no key. If the method raises after sending, or its caller is cancelled, the "after"
    invalidation still runs before the exception propagates (the original skipped it): a write
    that timed out or got a 5xx may have been applied. Should that invalidation fail too, a note
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
            write = _Write(
                _cache_of(args),
                [build(arguments) for build in key_builders],
                [build(arguments) for build in pattern_builders],
                name,
            )
            pending = _PENDING.set((*_PENDING.get(), write))
            try:
                result = await fn(*args, **kwargs)
            except BaseException as exc:
                _PENDING.reset(pending)
                if write.started:
                    try:
                        await write.finish()
                    except CacheInvalidationError as failed:
                        exc.add_note(str(failed))
                raise
            _PENDING.reset(pending)
            if write.started:
                await write.finish(result)
            return result

        wrapper.__notify_cache__ = ("delete", keys, patterns)  # type: ignore[attr-defined]
        return wrapper

    return decorate
