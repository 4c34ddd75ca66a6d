"""``notify.events``: async port of the admin app's ``EventsApiClient``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import unwrap
from notify_async.types import Event


class EventsApiClient(BaseClient):
    """Audit events (e.g. a successful login, a changed e-mail address).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def create_event(self, event_type: str, event_data: Mapping[str, Any]) -> Event:
        """Record an event; ``event_data`` is sent as ``data``. Returns
        ``response["data"]``."""
        response = await self._post("/events", {"event_type": event_type, "data": event_data})
        return unwrap(response, "data", Event)
