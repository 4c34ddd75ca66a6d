"""``notify.report_requests``: async port of the admin app's ``ReportRequestClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class ReportRequestClient(BaseClient):
    """Methods of the original ``ReportRequestClient`` (``app/notify_client/report_request_api_client.py``)."""
