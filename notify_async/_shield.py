"""Finishing clean-up work that must not be cut short by a cancellation.

A write that reached the server has to be followed by its cache invalidation even when the caller
is cancelled meanwhile (a task cancelled, an ``asyncio.timeout`` or an anyio/trio cancel scope
expiring): otherwise a read that ran during the write keeps its older answer in the cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

T = TypeVar("T")


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def run_to_completion(work: Callable[[], Awaitable[T]]) -> T:
    """Await ``work()`` to its end even if the caller is cancelled meanwhile, then let the
    cancellation continue. ``work`` must bound its own duration.

    On asyncio the work runs in a task of its own that a cancellation of the caller cannot reach
    (``asyncio.shield``, waited for again after each cancellation, which also covers anyio's
    repeated delivery); on trio in a shielded cancel scope. An exception of ``work`` itself is
    raised as it is.
    """
    if not _on_asyncio():
        with anyio.CancelScope(shield=True):
            result = await work()
        await anyio.lowlevel.checkpoint()  # delivers a cancellation that arrived meanwhile
        return result

    async def run() -> T:
        return await work()

    task = asyncio.ensure_future(run())
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError as exc:
            if task.done() and task.cancelled():
                raise  # the work itself was cancelled (its loop is shutting down)
            cancelled = exc
        except BaseException:  # noqa: BLE001 - the work's own error: raised below
            break
    if cancelled is not None:
        # The caller was cancelled: that goes on, whatever the work did; its error rides along.
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            cancelled.add_note(f"meanwhile: {failure}")
        raise cancelled
    return task.result()
