"""A cache and a fake API that log into one shared timeline, to test what happens in which order
(cache invalidations, requests, manual deletes) in the organisation and folder client tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
import respx

from notify_async import NotifyAdminClient
from notify_async.cache import MemoryCache
from tests.conftest import make_client

Event = tuple[Any, ...]


class RecordingCache(MemoryCache):
    """A :class:`MemoryCache` that logs each invalidation as ``("delete", keys, patterns)``."""

    def __init__(self, events: list[Event]) -> None:
        super().__init__()
        self.events = events

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, write: object = None
    ) -> None:
        """Log, then delete."""
        self.events.append(("delete", tuple(keys), tuple(patterns)))
        await super().invalidate(keys, patterns)


class Timeline:
    """A facade whose cache and (respx) API both log into :attr:`events`."""

    def __init__(self, status: int = 200, answer: Any = None) -> None:
        self.events: list[Event] = []
        self.cache = RecordingCache(self.events)
        self.notify: NotifyAdminClient = make_client(self.cache)
        self.router = respx.mock(assert_all_called=False)
        self.router.route().mock(side_effect=self._answer)
        self._status = status
        self._answer_body = {"data": {"id": "x"}} if answer is None else answer

    def _answer(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.events.append((request.method, request.url.path, body))
        return httpx.Response(self._status, json=self._answer_body)

    def requests(self) -> list[Event]:
        """The requests only."""
        return [e for e in self.events if e[0] != "delete"]
