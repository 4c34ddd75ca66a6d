"""``notify.letter_rates``: async port of the admin app's ``LetterRateApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class LetterRateApiClient(BaseClient):
    """Methods of the original ``LetterRateApiClient`` (``app/notify_client/letter_rate_api_client.py``)."""
