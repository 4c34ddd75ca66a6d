"""``notify.unsubscribe_requests``: async port of the admin app's ``UnsubscribeApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class UnsubscribeApiClient(BaseClient):
    """Methods of the original ``UnsubscribeApiClient`` (``app/notify_client/unsubscribe_api_client.py``)."""
