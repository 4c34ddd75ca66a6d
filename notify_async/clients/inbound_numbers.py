"""``notify.inbound_numbers``: async port of the admin app's ``InboundNumberClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class InboundNumberClient(BaseClient):
    """Methods of the original ``InboundNumberClient`` (``app/notify_client/inbound_number_client.py``)."""
