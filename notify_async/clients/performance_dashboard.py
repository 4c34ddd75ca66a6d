"""``notify.performance_dashboard``: async port of the admin app's
``PerformanceDashboardAPIClient``."""

from __future__ import annotations

from notify_async import _constants as C
from notify_async.cache import cached
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.clients.billing import DateLike, date_range_params
from notify_async.types import PerformanceDashboardStats


class PerformanceDashboardAPIClient(BaseClient):
    """Figures for the public performance dashboard.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    @cached("performance-stats-{start_date}-to-{end_date}", ttl=C.SHORT_CACHE_TTL)
    async def get_performance_dashboard_stats(
        self, *, start_date: DateLike, end_date: DateLike
    ) -> PerformanceDashboardStats:
        """Platform figures between the two dates (cached for an hour per date range).

        Raises :class:`~notify_async.errors.InvalidArgumentError` when a date is None.
        """
        response = await self._get(
            "/performance-dashboard", date_range_params(start_date, end_date)
        )
        return expect(response, PerformanceDashboardStats)
