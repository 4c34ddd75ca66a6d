"""``notify.providers``: async port of the admin app's ``ProviderClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class ProviderClient(BaseClient):
    """Methods of the original ``ProviderClient`` (``app/notify_client/provider_client.py``)."""
