"""``notify.billing``: async port of the admin app's ``BillingAPIClient``."""

from __future__ import annotations

import datetime as dt

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.errors import InvalidArgumentError
from notify_async.types import FreeSmsFragmentLimit, JSONObject, VolumesByService

DateLike = dt.date | str
"""A date, or its ``YYYY-MM-DD`` text."""


def date_range_params(start_date: object, end_date: object) -> dict[str, str]:
    """The ``start_date`` / ``end_date`` query of the reporting endpoints.

    Values are sent as their ``str()`` (``YYYY-MM-DD`` for a date), as the original did.
    Raises :class:`InvalidArgumentError` for a ``None`` date (the original would have sent the
    text ``None``, which the server cannot parse).
    """
    if start_date is None or end_date is None:
        raise InvalidArgumentError("start_date and end_date are required")
    return {"start_date": str(start_date), "end_date": str(end_date)}


class BillingAPIClient(BaseClient):
    """Usage and billing figures per service, and the platform-wide billing reports.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_monthly_usage_for_service(
        self, service_id: str, year: int
    ) -> list[JSONObject]:
        """The service's usage per month of the financial year starting in ``year``."""
        response = await self._get(
            "/service/{service_id}/billing/monthly-usage", {"year": year}, service_id=service_id
        )
        return expect(response, list[JSONObject])

    async def get_annual_usage_for_service(
        self, service_id: str, year: int | None = None
    ) -> list[JSONObject]:
        """The service's usage summary for the financial year ``year`` (the current one when
        None)."""
        response = await self._get(
            "/service/{service_id}/billing/yearly-usage-summary",
            {"year": year},
            service_id=service_id,
        )
        return expect(response, list[JSONObject])

    async def get_free_sms_fragment_limit_for_year(
        self, service_id: str, year: int | None = None
    ) -> int:
        """The service's free SMS fragment allowance for the financial year starting in ``year``
        (the current one when None)."""
        response = await self._get(
            "/service/{service_id}/billing/free-sms-fragment-limit",
            {"financial_year_start": year},
            service_id=service_id,
        )
        return unwrap(response, "free_sms_fragment_limit", int)

    async def create_or_update_free_sms_fragment_limit(
        self, service_id: str, free_sms_fragment_limit: int
    ) -> FreeSmsFragmentLimit:
        """Set the service's free SMS fragment allowance for the current financial year."""
        response = await self._post(
            "/service/{service_id}/billing/free-sms-fragment-limit",
            {"free_sms_fragment_limit": free_sms_fragment_limit},
            service_id=service_id,
        )
        return expect(response, FreeSmsFragmentLimit)

    async def _platform_report(
        self, report: str, start_date: DateLike, end_date: DateLike
    ) -> list[JSONObject]:
        """GET ``/platform-stats/<report>`` for the dates (a list of rows); raises
        InvalidArgumentError for None."""
        # ``report`` is one of this module's literals, never caller input.
        response = await self._get(
            f"/platform-stats/{report}", date_range_params(start_date, end_date)
        )
        return expect(response, list[JSONObject])

    async def get_data_for_billing_report(
        self, start_date: DateLike, end_date: DateLike
    ) -> list[JSONObject]:
        """Billing data of every service between the two dates (inclusive).

        Raises :class:`InvalidArgumentError` when a date is None.
        """
        return await self._platform_report("data-for-billing-report", start_date, end_date)

    async def get_data_for_dvla_billing_report(
        self, start_date: DateLike, end_date: DateLike
    ) -> list[JSONObject]:
        """DVLA (letter printing) billing data between the two dates.

        Raises :class:`InvalidArgumentError` when a date is None.
        """
        return await self._platform_report("data-for-dvla-billing-report", start_date, end_date)

    async def get_data_for_volumes_by_service_report(
        self, start_date: DateLike, end_date: DateLike
    ) -> list[VolumesByService]:
        """Notification volumes per service between the two dates.

        Raises :class:`InvalidArgumentError` when a date is None.
        """
        rows = await self._platform_report("volumes-by-service", start_date, end_date)
        return expect(rows, list[VolumesByService])

    async def get_data_for_daily_volumes_report(
        self, start_date: DateLike, end_date: DateLike
    ) -> list[JSONObject]:
        """Platform notification volumes per day between the two dates.

        Raises :class:`InvalidArgumentError` when a date is None.
        """
        return await self._platform_report("daily-volumes-report", start_date, end_date)

    async def get_data_for_daily_sms_provider_volumes_report(
        self, start_date: DateLike, end_date: DateLike
    ) -> list[JSONObject]:
        """SMS volumes per provider per day between the two dates.

        Raises :class:`InvalidArgumentError` when a date is None.
        """
        return await self._platform_report(
            "daily-sms-provider-volumes-report", start_date, end_date
        )
