"""Cases for ``notify.status``."""

from __future__ import annotations

from tests.harness import Case, Req

CASES: dict[str, list[Case]] = {
    "get_status": [
        Case(id="no-query"),
        Case(
            args=({"simple": True},),
            requests=[Req("GET", "/_status", query=(("simple", "True"),))],
            id="query-mapping",
        ),
    ],
}
