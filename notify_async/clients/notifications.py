"""``notify.notifications``: async port of the admin app's ``NotificationApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class NotificationApiClient(BaseClient):
    """Methods of the original ``NotificationApiClient`` (``app/notify_client/notification_api_client.py``)."""
