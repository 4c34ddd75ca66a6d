"""Cases for ``notify.complaints``."""

from __future__ import annotations

from tests.harness import Case, Req

CASES: dict[str, list[Case]] = {
    "get_all_complaints": [Case(id="first-page"), Case(args=(3,), id="page")],
    "get_complaint_count": [
        Case(response=[4], id="no-query"),
        Case(
            args=({"start_date": "2024-01-01", "end_date": "2024-01-31"},),
            response=[4],
            requests=[
                Req(
                    "GET",
                    "/complaint/count-by-date-range",
                    query=(("end_date", "2024-01-31"), ("start_date", "2024-01-01")),
                )
            ],
            id="date-range",
        ),
    ],
}
