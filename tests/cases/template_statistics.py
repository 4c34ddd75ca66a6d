"""Cases for ``notify.template_statistics``."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_template_statistics_for_service": [
        Case(id="server-default-days"),
        Case(kwargs={"limit_days": 7}, id="limit-days"),
    ],
}
