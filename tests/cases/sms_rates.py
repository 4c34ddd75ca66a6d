"""Cases for ``notify.sms_rates``."""

from __future__ import annotations

from tests.harness import Case, Req

CASES: dict[str, list[Case]] = {
    # Fixed: the canonical trailing-slash path, not the 308 redirect the original relied on.
    "get_sms_rate": [Case(requests=[Req("GET", "/sms-rate/")], id="trailing-slash")],
}
