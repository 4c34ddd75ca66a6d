"""One asyncio event loop in a daemon thread, and the bridge that blocking threads call through.

A :class:`LoopThread` runs ``loop.run_forever()`` in its own daemon thread. A blocking thread
:meth:`~LoopThread.submit`\\s a function that makes a coroutine, with a copy of its own
:class:`contextvars.Context`; the loop thread calls the function and runs the coroutine as a task
*in that context* (``create_task(..., context=)``), so ``request_context`` values set in the
calling thread are the ones the request sees. The result or exception comes back through a
:class:`PendingCall`, which the caller waits on.

Waiting on that future can be interrupted (Ctrl-C is delivered to the main thread while it waits)
or time out; the caller then :meth:`~LoopThread.cancel`\\s the task, which unwinds inside the loop
(httpx drops the connection, the cache stores nothing) and leaves the loop serving other calls.

asyncio rather than trio: the Redis cache backend is asyncio-only (``redis.asyncio``).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import contextvars
import inspect
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger("notify_async.sync")

__all__ = ["LoopThread", "PendingCall"]

#: The blocking facade's tunables (kept beside the code that uses them so the core's constants
#: module knows nothing of threads). Seconds ``close()`` waits for calls to unwind and the async
#: client to close before the loop is stopped regardless.
CLOSE_TIMEOUT = 5.0
#: The same at interpreter exit, kept short: exit must never hang on a slow API or Redis.
EXIT_CLOSE_TIMEOUT = 2.0
#: Seconds a caller whose call was cancelled (timeout, Ctrl-C) waits for the task to unwind, so
#: the loop has released the call's connection before the caller goes on.
CANCEL_GRACE = 1.0


class PendingCall:
    """One submitted call: its outcome, which its caller waits for, and once started its task.

    Lighter than a :class:`concurrent.futures.Future` (a lock used as a latch instead of a
    condition variable): with 50 threads waiting, every handoff between them and the loop thread
    is a fight for the GIL, so fewer of them means more throughput.
    """

    __slots__ = ("_failed", "_latch", "_outcome", "_settled", "cancel_error", "task")

    def __init__(self) -> None:
        self._latch = threading.Lock()
        self._latch.acquire()  # released once, when the outcome is in
        self._settled = self._failed = False
        self._outcome: Any = None
        self.task: asyncio.Task[Any] | None = None
        #: What a caller still waiting gets if the task ends cancelled (None: a plain
        #: ``CancelledError``; only a caller that has stopped waiting cancels without one).
        self.cancel_error: BaseException | None = None

    def settle(self, outcome: Any, *, failed: bool = False) -> None:
        """Record the result (or, ``failed``, the exception) and wake the caller; only the
        first outcome counts."""
        if not self._settled:
            self._settled, self._failed, self._outcome = True, failed, outcome
            self._latch.release()

    def done(self) -> bool:
        """Whether the outcome is in."""
        return self._settled

    def cancelled(self) -> bool:
        """Whether the call ended because :meth:`LoopThread.cancel` cancelled it."""
        return self._failed and isinstance(self._outcome, asyncio.CancelledError)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the outcome is in, at most ``timeout`` seconds; whether it is."""
        if self._latch.acquire(timeout=-1 if timeout is None else timeout):
            self._latch.release()
            return True
        return False

    def result(self, timeout: float | None = None) -> Any:
        """The call's result, or raise its exception; TimeoutError when ``timeout`` passes
        first. Interruptible (Ctrl-C) while it waits."""
        if not self.wait(timeout):
            raise TimeoutError
        if self._failed:
            raise self._outcome
        return self._outcome


class LoopThread:
    """A running asyncio loop in a daemon thread (named ``name``), started by the constructor.

    Thread-safe: any thread may :meth:`submit`, :meth:`cancel` and :meth:`stop`.
    """

    def __init__(self, name: str) -> None:
        self.pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._calls: dict[asyncio.Task[Any], PendingCall] = {}
        self._lock = threading.Lock()
        self._stopping = False
        self._closed_error: BaseException = RuntimeError("the event loop thread stopped")
        #: Calls submitted and not started yet; one wake-up of the loop starts them all.
        self._inbox: collections.deque[tuple[PendingCall, Callable[[], Any], contextvars.Context]]
        self._inbox = collections.deque()
        self._wake_pending = False
        ready = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(ready,), name=name, daemon=True)
        self._thread.start()
        ready.wait()

    def __repr__(self) -> str:
        state = "running" if self._thread.is_alive() else "stopped"
        return f"<LoopThread {self._thread.name!r} pid={self.pid} {state}>"

    @property
    def thread(self) -> threading.Thread:
        """The thread that runs the loop."""
        return self._thread

    def _main(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(ready.set)
        self._loop.run_forever()

    def in_loop_thread(self) -> bool:
        """Whether the calling thread is the loop's own."""
        return threading.current_thread() is self._thread

    # --- calls ------------------------------------------------------------------------------

    def submit(self, make: Callable[[], Any], context: contextvars.Context) -> PendingCall:
        """Run ``make()`` in the loop thread inside ``context``; when it returns an awaitable,
        run that as a task in the same context. Returns at once.

        Raises RuntimeError once :meth:`stop` has begun.
        """
        call = PendingCall()
        with self._lock:
            if self._stopping:
                raise RuntimeError("the event loop thread is stopping")
            self._inbox.append((call, make, context))
            if not self._wake_pending:  # under load, calls queue up behind one wake-up
                self._wake_pending = True
                self._loop.call_soon_threadsafe(self._drain)
        return call

    def _drain(self) -> None:
        with self._lock:
            batch = list(self._inbox)
            self._inbox.clear()
            self._wake_pending = False
            stopping = self._stopping
        for call, make, context in batch:
            if stopping:
                call.settle(self._closed_error, failed=True)
            else:
                self._start(call, make, context)

    def _start(self, call: PendingCall, make: Callable[[], Any], context: contextvars.Context
               ) -> None:
        try:
            made = context.run(make)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, raised there
            call.settle(exc, failed=True)
            return
        if not inspect.isawaitable(made):
            call.settle(made)
            return
        coroutine = made if inspect.iscoroutine(made) else _awaited(made)
        task = self._loop.create_task(coroutine, context=context)
        call.task = task
        self._calls[task] = call
        task.add_done_callback(lambda done: self._finish(call, done))

    def _finish(self, call: PendingCall, task: asyncio.Task[Any]) -> None:
        self._calls.pop(task, None)
        if task.cancelled():
            call.settle(call.cancel_error or asyncio.CancelledError(), failed=True)
        elif (exc := task.exception()) is not None:
            call.settle(exc, failed=True)
        else:
            call.settle(task.result())

    def cancel(self, call: PendingCall, error: BaseException | None = None) -> None:
        """Cancel ``call``'s task (if still running); a caller still waiting gets ``error``."""
        call.cancel_error = error
        with contextlib.suppress(RuntimeError):  # a closed loop runs nothing any more
            self._loop.call_soon_threadsafe(self._cancel, call)

    @staticmethod
    def _cancel(call: PendingCall) -> None:
        # Scheduled after the _drain that starts the call (the submit scheduled it, or found it
        # scheduled, and call_soon_threadsafe is FIFO), so a call not done by now has its task.
        if call.task is not None:
            call.task.cancel()

    # --- shutting down ----------------------------------------------------------------------

    def stop(self, aclose: Callable[[], Awaitable[None]], closed_error: BaseException,
             timeout: float = CLOSE_TIMEOUT) -> None:
        """Cancel the calls in flight (their callers get ``closed_error``), run ``aclose()`` in
        the loop, stop the loop and join its thread, each bounded by ``timeout`` seconds.

        From the loop's own thread (a finaliser run by the garbage collector there) it only
        schedules all that and returns. Raises what ``aclose()`` raised.
        """
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            self._closed_error = closed_error
            # Runs after every call submitted so far was drained (the loop's queue is FIFO).
            done = asyncio.run_coroutine_threadsafe(
                self._shutdown(aclose, closed_error), self._loop
            )
        if self.in_loop_thread():
            done.add_done_callback(lambda _: self._loop.stop())
            return
        try:
            done.result(timeout)
        except concurrent.futures.TimeoutError:
            logger.warning("closing the blocking client took over %s s; stopping its loop", timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._loop.close()
            for call in [*self._calls.values(), *(c for c, _, _ in self._inbox)]:
                call.settle(closed_error, failed=True)  # left by a loop that did not unwind

    async def _shutdown(self, aclose: Callable[[], Awaitable[None]],
                        closed_error: BaseException) -> None:
        for task, call in list(self._calls.items()):
            call.cancel_error = closed_error
            task.cancel()
        await asyncio.gather(*self._calls, return_exceptions=True)
        try:
            await aclose()
        finally:
            await self._loop.shutdown_asyncgens()
            try:
                await self._loop.shutdown_default_executor()
            except RuntimeError:  # at interpreter exit (3.12+): no new thread may start
                if not sys.is_finalizing():
                    raise


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
