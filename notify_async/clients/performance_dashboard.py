"""``notify.performance_dashboard``: async port of the admin app's ``PerformanceDashboardAPIClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class PerformanceDashboardAPIClient(BaseClient):
    """Methods of the original ``PerformanceDashboardAPIClient`` (``app/notify_client/performance_dashboard_api_client.py``)."""
