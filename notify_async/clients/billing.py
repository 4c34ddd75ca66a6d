"""``notify.billing``: async port of the admin app's ``BillingAPIClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class BillingAPIClient(BaseClient):
    """Methods of the original ``BillingAPIClient`` (``app/notify_client/billing_api_client.py``)."""
