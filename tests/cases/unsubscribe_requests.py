"""Cases for ``notify.unsubscribe_requests``."""

from __future__ import annotations

from tests.harness import Case

CASES: dict[str, list[Case]] = {
    "unsubscribe": [
        Case(returns=True, id="recorded"),
        Case(status=204, returns=True, id="recorded-no-content"),
        Case(status=404, returns=False, id="not-found-is-false"),
    ],
}
