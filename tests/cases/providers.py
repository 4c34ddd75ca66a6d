"""Cases for ``notify.providers``."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "update_provider": [
        Case(kwargs={"priority": 20}, id="no-reason-sent-as-null"),
        Case(kwargs={"priority": 30, "reason": "Provider outage"}, id="reason"),
    ],
}
