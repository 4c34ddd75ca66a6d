"""``notify.template_statistics``: async port of the admin app's ``TemplateStatisticsApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient


class TemplateStatisticsApiClient(BaseClient):
    """Methods of the original ``TemplateStatisticsApiClient`` (``app/notify_client/template_statistics_api_client.py``)."""
