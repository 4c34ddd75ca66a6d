"""Cases for ``notify.report_requests``."""

from __future__ import annotations

from tests.harness import Case, Req, sample_uuid

_SERVICE = sample_uuid("service_id")
_DATA = {
    "user_id": sample_uuid("user"),
    "report_type": "notifications",
    "notification_status": "all",
}

CASES: dict[str, list[Case]] = {
    "create_report_request": [
        Case(kwargs={"report_type": "notifications", "data": _DATA}, id="dict-body"),
        # Fixed: the original pasted report_type into the URL unencoded ("?report_type=a&b=c"
        # would have become two parameters); it is now one encoded parameter.
        Case(
            kwargs={"report_type": "a b&c=d", "data": _DATA},
            requests=[
                Req(
                    "POST",
                    f"/service/{_SERVICE}/report-request",
                    query=(("report_type", "a b&c=d"),),
                    body=_DATA,
                )
            ],
            id="report-type-encoded",
        ),
    ],
}
