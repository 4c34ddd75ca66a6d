"""Cases for ``notify.billing`` (the optional ``year`` given and left out)."""

from __future__ import annotations

from tests.cases._answers import ROWS, a_list
from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_annual_usage_for_service": [
        Case(response=[ROWS], id="no-year"),
        Case(kwargs={"year": 2023}, response=[ROWS], id="year"),
    ],
    "get_monthly_usage_for_service": [a_list()],
    "get_data_for_billing_report": [a_list()],
    "get_data_for_dvla_billing_report": [a_list()],
    "get_data_for_volumes_by_service_report": [a_list()],
    "get_data_for_daily_volumes_report": [a_list()],
    "get_data_for_daily_sms_provider_volumes_report": [a_list()],
    "get_free_sms_fragment_limit_for_year": [
        Case(id="no-year"),
        Case(args=(), kwargs={"year": 2022}, id="year"),
    ],
}
