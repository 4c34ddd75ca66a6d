"""``notify.platform_admin``: async port of the admin app's ``AdminApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class AdminApiClient(BaseClient):
    """Methods of the original ``AdminApiClient`` (``app/notify_client/platform_admin_api_client.py``)."""
