"""``notify.events``: async port of the admin app's ``EventsApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class EventsApiClient(BaseClient):
    """Methods of the original ``EventsApiClient`` (``app/notify_client/events_api_client.py``)."""
