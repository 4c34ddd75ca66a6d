"""Usage, billing reports, rates and the performance dashboard (``notify.billing``,
``notify.letter_rates``, ``notify.sms_rates``, ``notify.performance_dashboard``)."""

from __future__ import annotations

from notify_async.types._compat import TypedDict
from notify_async.types.common import JSONObject


class FreeSmsFragmentLimit(TypedDict):
    """A service's free SMS allowance (``create_or_update_free_sms_fragment_limit``)."""

    free_sms_fragment_limit: int


class VolumesByService(TypedDict):
    """One service's volumes and costs in the volumes-by-service report."""

    email_totals: int
    free_allowance: int
    letter_cost: float
    letter_sheet_totals: int
    letter_totals: int
    organisation_id: str
    organisation_name: str
    service_id: str
    service_name: str
    sms_chargeable_units: int
    sms_notifications: int


class LetterRate(TypedDict):
    """The price of a letter of ``sheet_count`` sheets sent by ``post_class`` (``rate`` is a
    decimal in text)."""

    post_class: str
    rate: str
    sheet_count: int
    start_date: str


class SmsRate(TypedDict):
    """The current price of one SMS fragment."""

    rate: float
    valid_from: str


class DashboardService(TypedDict):
    """A service using Notify, on the performance dashboard."""

    organisation_id: str | None
    organisation_name: str | None
    service_id: str
    service_name: str


class PerformanceDashboardStats(TypedDict):
    """Platform figures between two dates (daily rows as the API lists them)."""

    email_notifications: int
    letter_notifications: int
    live_service_count: int
    notifications_by_type: list[JSONObject]
    processing_time: list[JSONObject]
    services_using_notify: list[DashboardService]
    sms_notifications: int
    total_notifications: int
