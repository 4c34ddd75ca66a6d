"""``notify.jobs``: async port of the admin app's ``JobApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class JobApiClient(BaseClient):
    """Methods of the original ``JobApiClient`` (``app/notify_client/job_api_client.py``)."""
