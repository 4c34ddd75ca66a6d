"""``notify.contact_lists``: async port of the admin app's ``ContactListApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class ContactListApiClient(BaseClient):
    """Methods of the original ``ContactListApiClient`` (``app/notify_client/contact_list_api_client.py``)."""
