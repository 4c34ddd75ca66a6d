"""Cases for ``notify.billing`` (the optional ``year`` given and left out)."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_annual_usage_for_service": [
        Case(id="no-year"),
        Case(kwargs={"year": 2023}, id="year"),
    ],
    "get_free_sms_fragment_limit_for_year": [
        Case(id="no-year"),
        Case(args=(), kwargs={"year": 2022}, id="year"),
    ],
}
