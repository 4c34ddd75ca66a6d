"""The exceptions only the blocking facade raises.

Every other error is the async client's own, raised unchanged in the calling thread. These live
here rather than in :mod:`notify_async.errors` so that the core knows nothing of the blocking
facade; each is a :class:`~notify_async.errors.NotifyError` and also the built-in class an
``except`` clause written for blocking code would use.
"""

from __future__ import annotations

from notify_async.errors import NotifyError

__all__ = ["CallTimeoutError", "ClientClosedError", "RunningEventLoopError"]


class ClientClosedError(NotifyError, RuntimeError):
    """The blocking client was closed (``close()``, the end of its ``with`` block, or interpreter
    exit) before or while the call ran. Make a new client to go on."""


class CallTimeoutError(NotifyError, TimeoutError):
    """A blocking call took longer than its ``call_timeout``. The call was cancelled inside the
    event loop (its connection is dropped, nothing is cached) and the client stays usable.

    A write that timed out may still have reached the API, as with any timeout."""


class RunningEventLoopError(NotifyError, RuntimeError):
    """A blocking method was called from a thread that runs an event loop (an ``async def``
    function, or the client's own loop). Blocking there would stall that loop, or deadlock it;
    use :class:`notify_async.NotifyAdminClient` with ``await`` instead, or call from a worker
    thread (``await asyncio.to_thread(...)``)."""
