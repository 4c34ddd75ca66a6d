"""``notify.status``: async port of the admin app's ``StatusApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class StatusApiClient(BaseClient):
    """Methods of the original ``StatusApiClient`` (``app/notify_client/status_api_client.py``)."""
