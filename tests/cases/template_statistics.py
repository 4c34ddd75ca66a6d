"""Cases for ``notify.template_statistics``."""

from __future__ import annotations

from tests.cases._answers import ROWS
from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "get_template_statistics_for_service": [
        Case(response={"data": ROWS}, id="server-default-days"),
        Case(kwargs={"limit_days": 7}, response={"data": ROWS}, id="limit-days"),
    ],
}
