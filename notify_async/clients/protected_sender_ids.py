"""``notify.protected_sender_ids``: async port of the admin app's ``ProtectedSenderIDApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class ProtectedSenderIDApiClient(BaseClient):
    """Methods of the original ``ProtectedSenderIDApiClient`` (``app/notify_client/protected_sender_id_api_client.py``)."""
