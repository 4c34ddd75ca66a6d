"""What the generated blocking sub-clients stand on.

A blocking sub-client (``notify.services`` of :class:`notify_async.sync.NotifyAdminClient`) holds
no state: each method names the async method of the same name and hands its arguments to the
facade, which runs it on its event loop. The classes in :mod:`notify_async.sync.clients` are
generated from the async ones by ``tools/gen_sync_clients.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

__all__ = ["BlockingCaller", "BlockingClient"]


class BlockingCaller(ABC):
    """The facade's side of the bridge: runs one method of one async sub-client."""

    @abstractmethod
    def _call(self, attribute: str, method: str, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        """Run ``await <async facade>.<attribute>.<method>(*args, **kwargs)`` on the loop and
        return its result, raising its exception in the calling thread."""

    @abstractmethod
    def _iterate(self, attribute: str, method: str, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Iterator[Any]:
        """Iterate ``<async facade>.<attribute>.<method>(*args, **kwargs)`` (an async iterator),
        each step run on the loop; closing the iterator early closes the async one."""

    @abstractmethod
    def _configure(self, attribute: str, method: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> Any:
        """Call the plain (not async) method ``<attribute>.<method>`` that sets up the async
        sub-client, and again on every async client built later (in a forked child)."""


class BlockingClient:
    """Base of the blocking sub-clients. Errors: as the async sub-client's methods (see
    :class:`~notify_async.clients._base.BaseClient`), plus
    :class:`~notify_async.sync.ClientClosedError`, :class:`~notify_async.sync.CallTimeoutError`
    and :class:`~notify_async.sync.RunningEventLoopError` from the blocking facade."""

    def __init__(self, caller: BlockingCaller, attribute: str) -> None:
        self._caller = caller
        self._attribute = attribute

    def __repr__(self) -> str:
        return f"<{type(self).__name__} (blocking)>"

    def _call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        return self._caller._call(self._attribute, method, args, kwargs)

    def _iterate(self, method: str, /, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._caller._iterate(self._attribute, method, args, kwargs)

    def _configure(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        return self._caller._configure(self._attribute, method, args, kwargs)
