"""``notify.complaints``: async port of the admin app's ``ComplaintApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class ComplaintApiClient(BaseClient):
    """Methods of the original ``ComplaintApiClient`` (``app/notify_client/complaint_api_client.py``)."""
