"""Resources that belong to one event loop: made on first use inside it, closed when it ends.

An HTTP connection pool or a Redis pool opened in one event loop cannot be used, or even closed,
from another: its sockets are registered with that loop. :class:`PerLoop` keeps one resource per
running loop (asyncio loop or trio run), so a client can be used from a new loop (a notebook
kernel's, a second ``asyncio.run``, another thread's) while the old one still runs, and closes
each resource *inside its own loop* when that loop finishes: a small "reaper" task waits there
and is cancelled when the loop shuts down (``asyncio.run``, ``asyncio.Runner``, pytest-asyncio,
``anyio.run`` and trio all cancel leftover tasks before closing their loop), so its cleanup runs
while the sockets can still be closed properly.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


def loop_token() -> object:
    """An object identifying the running event loop (asyncio loop or trio run).

    Raises:
        RuntimeError: outside a running asyncio or trio event loop.
    """
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")  # only trio can be running if it was never imported
    if trio is not None:
        try:
            return trio.lowlevel.current_root_task()
        except RuntimeError:
            pass
    raise RuntimeError("notify_async must be awaited inside a running asyncio or trio event loop")


def loop_is_running(token: object) -> bool:
    """Whether the loop ``token`` names may still run code: an asyncio loop not closed, or a
    trio run whose root task's coroutine has not finished."""
    if isinstance(token, asyncio.AbstractEventLoop):
        return not token.is_closed()
    return getattr(getattr(token, "coro", None), "cr_frame", None) is not None


class PerLoop(Generic[T]):
    """One ``T`` per running event loop.

    Args:
        make: builds the resource; called inside the loop that will use it.
        close: closes it; awaited inside that same loop, when the loop ends or on :meth:`aclose`.
    """

    def __init__(self, make: Callable[[], T], close: Callable[[T], Awaitable[None]]) -> None:
        self._make = make
        self._close = close
        self._items: dict[object, T] = {}
        self._reapers: dict[object, anyio.CancelScope] = {}
        self._lock = threading.Lock()

    def get(self) -> T:
        """The resource of the running loop, made (and its reaper started) on first use."""
        token = loop_token()
        item = self._items.get(token)
        if item is not None:
            return item
        with self._lock:
            item = self._items.get(token)
            if item is None:
                # Loops closed without cancelling their tasks never ran their reaper: their
                # resources cannot be closed any more, only forgotten.
                for gone in [t for t in self._items if not loop_is_running(t)]:
                    del self._items[gone]
                    self._reapers.pop(gone, None)
                item = self._items[token] = self._make()
                self._start_reaper(token, item)
        return item

    def current(self) -> T | None:
        """The running loop's resource if it was made, else None (never makes one)."""
        try:
            return self._items.get(loop_token())
        except RuntimeError:
            return None

    def others_running(self) -> bool:
        """Whether a resource is held for another loop that has not finished."""
        try:
            token: object = loop_token()
        except RuntimeError:
            token = None
        return any(t is not token and loop_is_running(t) for t in list(self._items))

    async def aclose(self) -> None:
        """Close the running loop's resource now. Resources of other loops are closed by their
        own loop when it ends (they cannot be closed from here)."""
        try:
            token = loop_token()
        except RuntimeError:
            return
        with self._lock:
            item = self._items.pop(token, None)
            reaper = self._reapers.pop(token, None)
        if reaper is not None:
            reaper.cancel()  # its item is closed here: it need not wait for the loop to end
        if item is not None:
            await self._close(item)

    def _start_reaper(self, token: object, item: T) -> None:
        scope = anyio.CancelScope()
        self._reapers[token] = scope

        async def reap() -> None:
            try:
                with scope:
                    await _forever()
            finally:
                with self._lock:
                    mine = self._items.get(token) is item
                    if mine:
                        del self._items[token]
                    if self._reapers.get(token) is scope:
                        del self._reapers[token]
                if mine:
                    with anyio.CancelScope(shield=True):
                        await self._close(item)

        if isinstance(token, asyncio.AbstractEventLoop):
            task = token.create_task(reap(), name="notify_async: close at loop end")
            # A loop closed by hand without cancelling its tasks drops the reaper silently.
            task._log_destroy_pending = False  # type: ignore[attr-defined]
        else:
            import trio

            trio.lowlevel.spawn_system_task(reap, name="notify_async: close at run end")


async def _forever() -> None:
    """Sleep until cancelled (on whichever library runs the loop)."""
    await anyio.sleep_forever()
