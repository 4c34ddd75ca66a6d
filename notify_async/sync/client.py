"""The blocking facade: :class:`NotifyAdminClient` for Flask apps, Celery / RQ workers and scripts.

It owns one async :class:`notify_async.NotifyAdminClient` (one HTTP pool, one cache) and one event
loop running in a daemon thread; every calling thread shares them. A method call copies the
caller's :mod:`contextvars` (so ``request_context`` travels with it), runs the async method as a
task on that loop, and blocks until it finishes.

Lifecycle: the loop thread starts on the first call; ``close()`` (or the end of a ``with`` block)
cancels calls in flight, closes the async client and stops the thread; a client never closed is
closed at interpreter exit, bounded in time. Fork safety: a forked child (gunicorn, Celery's
prefork pool, ``multiprocessing``) never touches the parent's loop, sockets or Redis connections;
it builds its own async client and loop on its first call.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from types import TracebackType
from typing import Any, Literal

import httpx

from notify_async.cache import CacheBackend, CacheStats
from notify_async.client import NotifyAdminClient as AsyncNotifyAdminClient
from notify_async.config import ClientConfig
from notify_async.errors import ConfigurationError
from notify_async.sync._errors import CallTimeoutError, ClientClosedError, RunningEventLoopError
from notify_async.sync._loop import CANCEL_GRACE, CLOSE_TIMEOUT, EXIT_CLOSE_TIMEOUT, LoopThread
from notify_async.sync.clients import SubClients

__all__ = ["NotifyAdminClient", "call_timeout"]

CacheOption = CacheBackend | Literal[False] | Callable[[], CacheBackend] | None
HttpClientOption = httpx.AsyncClient | Callable[[], httpx.AsyncClient] | None

_UNSET: Any = object()
_call_timeout: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "notify_async_sync_call_timeout", default=_UNSET
)
#: Every blocking client alive in this process (for the fork hook).
_LIVE: weakref.WeakSet[NotifyAdminClient] = weakref.WeakSet()
#: In a forked child: the parent's loop objects and async clients. Kept referenced and never
#: used, so that no finaliser ever closes one: closing an inherited socket through the parent's
#: event loop would unregister it from the epoll instance the parent still shares.
_INHERITED: list[object] = []


def _checked_timeout(seconds: float | None) -> float | None:
    if seconds is not None and not (isinstance(seconds, int | float) and seconds > 0):
        raise ConfigurationError("call_timeout must be a positive number of seconds or None")
    return None if seconds is None else float(seconds)


@contextmanager
def call_timeout(seconds: float | None) -> Iterator[None]:
    """Bound each blocking call made inside the ``with`` block, in this thread (and the
    contexts copied from it), to ``seconds`` (None: no bound), overriding the client's
    ``call_timeout``. A call that runs over is cancelled in the loop and raises
    :class:`~notify_async.sync.CallTimeoutError`; the client stays usable.

    Raises :class:`~notify_async.errors.ConfigurationError` for a value that is not positive.
    """
    token = _call_timeout.set(_checked_timeout(seconds))
    try:
        yield
    finally:
        _call_timeout.reset(token)


def _refuse_inside_event_loop(label: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # trio counts only once fully imported (another thread may be importing it right now)
        in_trio_run = getattr(sys.modules.get("trio.lowlevel"), "in_trio_run", None)
        if in_trio_run is None or not in_trio_run():
            return
    raise RunningEventLoopError(
        f"{label} blocks, and was called from a thread running an event loop: use "
        "notify_async.NotifyAdminClient with await there (or asyncio.to_thread)"
    )


class _Recipe:
    """How to build the async client, again in a forked child."""

    def __init__(self, make: Callable[..., AsyncNotifyAdminClient], cache: CacheOption,
                 http_client: HttpClientOption) -> None:
        self._make, self._cache, self._http_client = make, cache, http_client

    def build(self, *, parent_used_it: bool = False
              ) -> tuple[AsyncNotifyAdminClient, tuple[Any, ...]]:
        """A new async client, and what the factories made for it (closed with it: the async
        client never closes what it is given). ``parent_used_it``: in a forked child whose
        parent ran calls; objects passed in (not factories) may hold the parent's connections."""
        cache, http_client = self._cache, self._http_client
        cache_factory = inspect.isclass(cache) or (
            callable(cache) and not hasattr(cache, "begin_read")
        )
        client_factory = callable(http_client) and not isinstance(http_client, httpx.AsyncClient)
        if parent_used_it:
            shared = [name for name, value, made in (
                ("http_client", http_client, client_factory),
                ("cache", cache, cache_factory or cache is False),
            ) if value is not None and not made]
            if shared:
                raise ConfigurationError(
                    f"this blocking client was used before the process forked, and its "
                    f"{' and '.join(shared)} may hold the parent's connections: pass a factory "
                    "instead (e.g. cache=lambda: RedisCache.from_url(url)), or create the client "
                    "in the child"
                )
        made_cache = _made(cache) if cache_factory else cache
        made_client = _made(http_client) if client_factory else http_client
        made = tuple(made for made, is_made in ((made_cache, cache_factory),
                                               (made_client, client_factory)) if is_made)
        return self._make(cache=made_cache, http_client=made_client), made


def _made(factory: Any) -> Any:
    return factory()


async def _aclose_all(facade: AsyncNotifyAdminClient, made: tuple[Any, ...]) -> None:
    async with contextlib.AsyncExitStack() as stack:
        for thing in made:
            stack.push_async_callback(thing.aclose)
        await facade.aclose()


def _shut(runner: LoopThread, facade: AsyncNotifyAdminClient, made: tuple[Any, ...],
          timeout: float) -> None:
    runner.stop(partial(_aclose_all, facade, made),
                ClientClosedError("the client was closed during the call"), timeout)


def _invoke(attribute: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any],
            facade: AsyncNotifyAdminClient) -> Any:
    return getattr(getattr(facade, attribute), method)(*args, **kwargs)


async def _aclose(iterator: Any) -> None:
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()


class NotifyAdminClient(SubClients):
    """Blocking client of the GOV.UK Notify admin API, for synchronous code.

    The same constructor, sub-clients (``notify.services``, ``notify.users``, ...), methods,
    arguments, results and errors as :class:`notify_async.NotifyAdminClient`, without ``await``.
    Share one instance between all threads of a process (it is thread-safe); use it as
    ``with NotifyAdminClient(...) as notify:`` or call :meth:`close` when done.

    Args:
        base_url, client_id, secret, config, **options: as the async client.
        cache: as the async client, or a zero-argument callable returning a cache backend
            (``lambda: RedisCache.from_url(url)``), which a forked child calls again to get its
            own connections.
        http_client: as the async client (an ``httpx.AsyncClient``), or a zero-argument callable
            returning one; called in the client's loop thread, and again in a forked child.
        call_timeout: seconds a blocking call may take in all (retries included) before it is
            cancelled and :class:`~notify_async.sync.CallTimeoutError` is raised; None (default)
            bounds it only by the async client's own timeouts and retry budget. See also
            :func:`call_timeout` for one block of code.

    Raises:
        ConfigurationError: for a missing or invalid setting (here, not on the first call).

    Besides the async client's errors, a method raises
    :class:`~notify_async.sync.ClientClosedError` after :meth:`close`,
    :class:`~notify_async.sync.CallTimeoutError` after ``call_timeout`` and
    :class:`~notify_async.sync.RunningEventLoopError` when called from a thread that runs an
    event loop (``async def`` code must ``await`` the async client instead).
    """

    def __init__(
        self,
        base_url: str | None = None,
        client_id: str | None = None,
        secret: str | None = None,
        *,
        cache: CacheOption = None,
        http_client: HttpClientOption = None,
        config: ClientConfig | None = None,
        call_timeout: float | None = None,
        **options: Any,
    ) -> None:
        make = partial(AsyncNotifyAdminClient, base_url, client_id, secret, config=config,
                       **options)
        self._setup(_Recipe(make, cache, http_client), call_timeout)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, call_timeout: float | None = None,
        **options: Any,
    ) -> NotifyAdminClient:
        """Build a client from the environment as :meth:`notify_async.NotifyAdminClient.from_env`
        does (``NOTIFY_API_URL``, ``NOTIFY_ADMIN_CLIENT_ID``, ``NOTIFY_ADMIN_CLIENT_SECRET``,
        ``REDIS_URL``...), read once now. ``cache`` and ``http_client`` may be factories, as for
        the constructor. Raises :class:`ConfigurationError` naming any missing variable."""
        source = dict(os.environ if env is None else env)
        cache, http_client = options.pop("cache", None), options.pop("http_client", None)
        client = cls.__new__(cls)
        make = partial(AsyncNotifyAdminClient.from_env, source, **options)
        client._setup(_Recipe(make, cache, http_client), call_timeout)
        return client

    def _setup(self, recipe: _Recipe, timeout: float | None) -> None:
        self._recipe = recipe
        self._timeout = _checked_timeout(timeout)
        self._lock = threading.Lock()
        self._closed = False
        self._forked_after_use = False
        self._runner: LoopThread | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._setups: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []
        self._facade: AsyncNotifyAdminClient | None
        self._facade, self._made = recipe.build()
        self.config: ClientConfig = self._facade.config
        _LIVE.add(self)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running" if self._runner else "idle"
        return (f"<blocking NotifyAdminClient base_url={self.config.base_url!r} "
                f"client_id={self.config.client_id!r} {state}>")

    @property
    def cache_stats(self) -> CacheStats:
        """The cache's hit, miss, populate... counters (this process's)."""
        with self._lock:
            return self._async_client().cache_stats

    # --- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> NotifyAdminClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the calls in flight (they raise :class:`~notify_async.sync.ClientClosedError`),
        close the HTTP client and cache the SDK made (never yours), and stop the loop thread.
        Idempotent; waits a few seconds at most. Raises what closing the async client raised."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            runner, facade, finalizer = self._runner, self._facade, self._finalizer
        if finalizer is not None:
            finalizer.detach()
        if runner is not None and facade is not None:
            _shut(runner, facade, self._made, CLOSE_TIMEOUT)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def _forget_parent(self, *, new_lock: bool = True) -> None:
        """In a forked child: drop (never touch) the parent's loop thread and async client."""
        if new_lock:  # another thread of the parent may have held it when the process forked
            self._lock = threading.Lock()
        if self._runner is None:  # the parent never ran a call: nothing was connected
            return
        _INHERITED.append((self._runner, self._facade, self._made))
        if self._finalizer is not None:
            self._finalizer.detach()
        self._runner = self._finalizer = self._facade = None
        self._forked_after_use = True

    def _async_client(self) -> AsyncNotifyAdminClient:
        """The async client of this process, built again after a fork. Call under the lock."""
        if self._runner is not None and self._runner.pid != os.getpid():
            self._forget_parent(new_lock=False)  # forked without os.register_at_fork seeing it
        if self._facade is None:
            self._facade, self._made = self._recipe.build(parent_used_it=self._forked_after_use)
            for attribute, method, args, kwargs in self._setups:
                _invoke(attribute, method, args, kwargs, self._facade)
        return self._facade

    def _started(self, label: str) -> tuple[LoopThread, AsyncNotifyAdminClient]:
        runner, facade = self._runner, self._facade
        if runner is not None and facade is not None and runner.pid == os.getpid():
            return runner, facade  # the usual case, without taking the lock
        with self._lock:
            if self._closed:
                raise ClientClosedError(f"{label}: the client is closed")
            facade = self._async_client()
            if self._runner is None:
                self._runner = LoopThread(f"notify_async.sync loop (pid {os.getpid()})")
                self._finalizer = weakref.finalize(
                    self, _shut, self._runner, facade, self._made, EXIT_CLOSE_TIMEOUT
                )
            return self._runner, facade

    # --- calls --------------------------------------------------------------------------------

    def _run(self, label: str, make: Callable[[AsyncNotifyAdminClient], Any],
             runner_expected: LoopThread | None = None) -> tuple[Any, LoopThread]:
        """``make(async client)`` in the loop thread in a copy of the caller's context; an
        awaitable it returns is awaited there. Returns the result and the loop that ran it."""
        _refuse_inside_event_loop(label)
        if self._closed:
            raise ClientClosedError(f"{label}: the client is closed")
        runner, facade = self._started(label)
        if runner_expected is not None and runner is not runner_expected:
            raise ClientClosedError(f"{label}: the iteration began in a loop that is gone "
                                    "(the process forked since); start it again")
        timeout = _call_timeout.get()
        timeout = self._timeout if timeout is _UNSET else timeout
        try:
            pending = runner.submit(partial(make, facade), contextvars.copy_context())
        except RuntimeError:
            raise ClientClosedError(f"{label}: the client is closed") from None
        try:
            finished = pending.wait(timeout)
        except BaseException:  # KeyboardInterrupt and the like, raised while waiting
            if not pending.done():
                runner.cancel(pending)
                pending.wait(CANCEL_GRACE)
            raise
        if not finished:
            runner.cancel(pending)
            if not pending.wait(CANCEL_GRACE) or pending.cancelled():
                raise CallTimeoutError(f"{label} took longer than {timeout:g} s and was cancelled")
        return pending.result(), runner

    def _call(self, attribute: str, method: str, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        label = f"{attribute}.{method}"
        return self._run(label, partial(_invoke, attribute, method, args, kwargs))[0]

    def _iterate(self, attribute: str, method: str, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Iterator[Any]:
        label = f"{attribute}.{method}"
        iterator, runner = self._run(label, partial(_invoke, attribute, method, args, kwargs))
        try:
            while True:
                try:  # each step in the context current at that step, as ``async for`` does
                    item, _ = self._run(label, lambda _: anext(iterator), runner)
                except StopAsyncIteration:
                    return
                yield item
        finally:  # stopped early (break, an error, garbage): close the async generator there
            if not (self._closed or runner.in_loop_thread()) and runner.pid == os.getpid():
                with contextlib.suppress(Exception):
                    self._run(label, lambda _: _aclose(iterator), runner)

    def _configure(self, attribute: str, method: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> Any:
        with self._lock:
            if self._closed:
                raise ClientClosedError(f"{attribute}.{method}: the client is closed")
            if self._runner is None:  # no loop thread yet: nothing else touches the client
                result = _invoke(attribute, method, args, kwargs, self._async_client())
                self._setups.append((attribute, method, args, kwargs))
                return result
        result = self._call(attribute, method, args, kwargs)  # in the loop thread
        with self._lock:
            self._setups.append((attribute, method, args, kwargs))
        return result


def _after_fork_in_child() -> None:
    for client in list(_LIVE):
        client._forget_parent()


os.register_at_fork(after_in_child=_after_fork_in_child)
