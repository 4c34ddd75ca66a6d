"""Part of ``notify.services`` (ServiceAPIClient): data retention, returned letters, the daily
notification counters and unsubscribe-request reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from notify_async.cache import cached, invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.errors import InvalidArgumentError
from notify_async.types import (
    DataRetention,
    DataRetentionCreated,
    JSONObject,
    JSONValue,
    ReturnedLetters,
    ReturnedLetterStatistics,
    ReturnedLetterSummary,
    UnsubscribeReportCreated,
)

#: The notification types ``set_service_data_retention`` sets, in the order it sets them.
RETENTION_TYPES = ("email", "sms", "letter")

_SUMMARY_KEY = "service-{service_id}-unsubscribe-request-reports-summary"
_STATISTICS_KEY = "service-{service_id}-unsubscribe-request-statistics"


def utc_today() -> dt.date:
    """Today's date in UTC (the day the API's daily-limit counters are keyed by)."""
    return dt.datetime.now(dt.UTC).date()


class ServiceReportsMixin(BaseClient):
    """ServiceAPIClient methods for data retention, returned letters, daily counts and
    unsubscribe-request reports.

    Every method that sends a request raises :class:`~notify_async.errors.HTTPError` (a status
    subclass) when the API answers with an error and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is not a valid
    path segment; methods that change cached data also raise
    :class:`~notify_async.errors.CacheInvalidationError` when the cache cannot be cleared.
    """

    #: Returns today's UTC date for :meth:`get_notification_count`; replace it on an instance
    #: (or a subclass) to fix the day, e.g. in tests.
    _utc_today: Callable[[], dt.date] = staticmethod(utc_today)

    # --- data retention -----------------------------------------------------------------------

    @invalidates("service-{service_id}-data-retention")
    async def create_service_data_retention(
        self, service_id: str, notification_type: str, days_of_retention: int
    ) -> DataRetentionCreated:
        """Set how many days notifications of ``notification_type`` are kept, for a type that
        has no retention entry yet. Raises HTTPError, CacheInvalidationError."""
        body = {"notification_type": notification_type, "days_of_retention": days_of_retention}
        response = await self._post(
            "/service/{service_id}/data-retention", body, service_id=service_id
        )
        return expect(response, DataRetentionCreated)

    @invalidates("service-{service_id}-data-retention")
    async def update_service_data_retention(
        self, service_id: str, data_retention_id: str, days_of_retention: int
    ) -> None:
        """Change the days kept by an existing retention entry.

        Raises HTTPError, CacheInvalidationError.
        """
        await self._post(
            "/service/{service_id}/data-retention/{data_retention_id}",
            {"days_of_retention": days_of_retention},
            service_id=service_id, data_retention_id=data_retention_id,
        )

    @cached("service-{service_id}-data-retention")
    async def get_service_data_retention(self, service_id: str) -> list[DataRetention]:
        """The service's retention entries (a list of ``{id, notification_type,
        days_of_retention, ...}``), cached. Raises HTTPError."""
        response = await self._get("/service/{service_id}/data-retention", service_id=service_id)
        return expect(response, list[DataRetention])

    @invalidates("service-{service_id}-data-retention")
    async def set_service_data_retention(self, service_id: str, days_of_retention: int) -> None:
        """Keep e-mail, SMS and letter notifications for ``days_of_retention`` days.

        Reads the current entries, then for each type in :data:`RETENTION_TYPES` order updates
        its entry (the first one of that type) or creates one: one GET and exactly three POSTs,
        with each step's own cache effects nested inside this method's. A failure part-way
        leaves the earlier types changed. Raises HTTPError, CacheInvalidationError.
        """
        current = await self.get_service_data_retention(service_id)
        for notification_type in RETENTION_TYPES:
            existing = next(
                (r for r in current if r.get("notification_type") == notification_type), None
            )
            if existing:
                await self.update_service_data_retention(
                    service_id, existing["id"], days_of_retention
                )
            else:
                await self.create_service_data_retention(
                    service_id, notification_type, days_of_retention
                )

    # --- returned letters ---------------------------------------------------------------------

    @cached("service-{service_id}-returned-letters-statistics")
    async def get_returned_letter_statistics(self, service_id: str) -> ReturnedLetterStatistics:
        """Counts of the service's returned letters, cached. Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/returned-letter-statistics", service_id=service_id
        )
        return expect(response, ReturnedLetterStatistics)

    @cached("service-{service_id}-returned-letters-summary")
    async def get_returned_letter_summary(self, service_id: str) -> list[ReturnedLetterSummary]:
        """Returned letters per reported day, cached. Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/returned-letter-summary", service_id=service_id
        )
        return expect(response, list[ReturnedLetterSummary])

    async def get_returned_letters(self, service_id: str, reported_at: str) -> ReturnedLetters:
        """The letters reported as returned on ``reported_at`` (sent percent-encoded in the
        query). Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/returned-letters", {"reported_at": reported_at},
            service_id=service_id,
        )
        return expect(response, ReturnedLetters)

    # --- daily counters -----------------------------------------------------------------------

    async def get_notification_count(self, service_id: str, notification_type: str) -> int:
        """How many ``notification_type`` notifications the service sent today (UTC), read from
        the API's daily-limit counter in the cache (key
        ``<service_id>-<notification_type>-<YYYY-MM-DD>-count``, the id used as given). No
        request is sent; 0 when the counter is missing or the cache is unavailable.

        Raises :class:`InvalidArgumentError` for an empty ``notification_type`` and
        :class:`ValueError` when the stored counter is not an integer.
        """
        if not notification_type:
            raise InvalidArgumentError("get_notification_count: notification_type is required")
        key = f"{service_id}-{notification_type}-{self._utc_today():%Y-%m-%d}-count"
        raw = await self._cache.get_raw(key)
        return int(raw or 0)

    # --- unsubscribe requests -----------------------------------------------------------------

    @cached(_SUMMARY_KEY)
    async def get_unsubscribe_reports_summary(self, service_id: str) -> list[JSONObject]:
        """The service's unsubscribe-request reports, cached. Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/unsubscribe-request-reports-summary", service_id=service_id
        )
        return expect(response, list[JSONObject])

    @invalidates(_SUMMARY_KEY)
    @invalidates(_STATISTICS_KEY)
    async def process_unsubscribe_request_report(
        self, service_id: str, batch_id: str, data: Mapping[str, Any]
    ) -> JSONValue:
        """Mark a report as processed (``data`` is the body, unchanged); returns the API's
        answer as it is.

        Raises HTTPError, CacheInvalidationError.
        """
        response: JSONValue = await self._post(
            "/service/{service_id}/process-unsubscribe-request-report/{batch_id}", data,
            service_id=service_id, batch_id=batch_id,
        )
        return response

    @cached(_STATISTICS_KEY)
    async def get_unsubscribe_request_statistics(self, service_id: str) -> JSONObject:
        """Counts of the service's unsubscribe requests (``{}`` when there are none), cached.
        Raises HTTPError."""
        response = await self._get(
            "/service/{service_id}/unsubscribe-request-statistics", service_id=service_id
        )
        return expect(response, dict[str, JSONValue])

    @invalidates(_SUMMARY_KEY)
    async def create_unsubscribe_request_report(
        self, service_id: str, data: Mapping[str, Any]
    ) -> UnsubscribeReportCreated:
        """Create a report of the unsubscribe requests not yet in one (``data`` is the body,
        unchanged). Raises HTTPError, CacheInvalidationError."""
        response = await self._post(
            "/service/{service_id}/create-unsubscribe-request-report", data,
            service_id=service_id,
        )
        return expect(response, UnsubscribeReportCreated)

    async def get_unsubscribe_request_report(self, service_id: str, batch_id: str) -> JSONValue:
        """One unsubscribe-request report, for download (the API's answer as it is). Raises
        HTTPError."""
        response: JSONValue = await self._get(
            "/service/{service_id}/unsubscribe-request-report/{batch_id}",
            service_id=service_id, batch_id=batch_id,
        )
        return response
