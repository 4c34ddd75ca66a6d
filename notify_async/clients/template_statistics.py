"""``notify.template_statistics``: async port of the admin app's
``TemplateStatisticsApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import optional, unwrap
from notify_async.types import MonthlyTemplateUsage, TemplateStatistics


class TemplateStatisticsApiClient(BaseClient):
    """How often a service's templates are used.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_template_statistics_for_service(
        self, service_id: str, limit_days: int | None = None
    ) -> list[TemplateStatistics]:
        """Usage per template over the last ``limit_days`` days (the server's default when
        None); returns ``response["data"]``."""
        response = await self._get(
            "/service/{service_id}/template-statistics",
            {"limit_days": limit_days},
            service_id=service_id,
        )
        return unwrap(response, "data", list[TemplateStatistics])

    async def get_monthly_template_usage_for_service(
        self, service_id: str, year: int
    ) -> list[MonthlyTemplateUsage]:
        """Usage per template per month of the financial year starting in ``year``; returns
        ``response["stats"]``. (``year`` is sent as an encoded query parameter, not pasted
        into the URL as the original did.)"""
        response = await self._get(
            "/service/{service_id}/notifications/templates_usage/monthly",
            {"year": year},
            service_id=service_id,
        )
        return unwrap(response, "stats", list[MonthlyTemplateUsage])

    async def get_last_used_date_for_template(
        self, service_id: str, template_id: str
    ) -> str | None:
        """When the template was last used (``response["last_date_used"]``, None if never)."""
        response = await self._get(
            "/service/{service_id}/template-statistics/last-used/{template_id}",
            service_id=service_id,
            template_id=template_id,
        )
        return optional(response, "last_date_used", str)
