"""``notify.services``: async port of the admin app's ``ServiceAPIClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class ServiceAPIClient(BaseClient):
    """Methods of the original ``ServiceAPIClient`` (``app/notify_client/service_api_client.py``)."""
