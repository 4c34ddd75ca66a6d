"""Cases for ``notify.letter_rates``."""

from __future__ import annotations

from tests.cases._answers import ROWS
from tests.harness import Case, Req

CASES: dict[str, list[Case]] = {
    # Fixed: the canonical trailing-slash path, not the 308 redirect the original relied on.
    "get_letter_rates": [
        Case(requests=[Req("GET", "/letter-rates/")], response=[ROWS], id="trailing-slash")
    ],
}
