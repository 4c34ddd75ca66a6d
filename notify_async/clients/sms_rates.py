"""``notify.sms_rates``: async port of the admin app's ``SMSRateApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class SMSRateApiClient(BaseClient):
    """Methods of the original ``SMSRateApiClient`` (``app/notify_client/sms_rate_client.py``)."""
