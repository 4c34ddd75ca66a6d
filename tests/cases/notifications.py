"""Cases for ``notify.notifications``."""

from __future__ import annotations

from tests.cases._answers import a_list
from tests.harness import Case, Req, sample_uuid

_SERVICE = sample_uuid("service_id")
_JOB = sample_uuid("job_id")
_NOTIFICATION = sample_uuid("notification_id")
_RECIPIENT = "someone@example.gov.uk"

# Filters common to the listing variants: a list becomes repeated keys (GET) or an array (POST).
_FILTERS = {"page": 2, "page_size": 50, "status": ["delivered", "failed"], "include_jobs": True,
            "include_from_test_key": False, "count_pages": False, "template_type": "email"}

CASES: dict[str, list[Case]] = {
    "get_notification_status_by_service": [a_list()],
    "get_notifications_for_service": [
        Case(kwargs={"job_id": _JOB, "limit_days": 7, **_FILTERS}, variant=0,
             id="job-get-limit-days-ignored"),
        # Variant 1 (job_id with to: a POST to a GET-only route) is refused before sending;
        # see tests/test_clients_notifications.py.
        Case(kwargs={"limit_days": 7, "include_one_off": True, **_FILTERS}, variant=2,
             id="service-get"),
        Case(kwargs={"limit_days": 7, "to": _RECIPIENT, **_FILTERS}, variant=3,
             id="service-to-post"),
        Case(variant=2, id="service-get-no-filters"),
        Case(kwargs={"to": ""}, variant=2, id="empty-to-stays-get"),
    ],
    "get_notifications_for_service_for_csv": [
        Case(kwargs={"job_id": _JOB, "page": 1, "page_size": 500, "status": "delivered",
                     "older_than": sample_uuid("older_than")}, variant=0, id="job"),
        Case(kwargs={"limit_days": 7, "template_type": ["sms", "email"], "page": 3}, variant=1,
             id="service"),
        Case(variant=1, id="service-no-filters"),
    ],
    "get_notification_letter_preview": [
        Case(args=(_SERVICE, _NOTIFICATION, "pdf"), variant=0, id="no-page"),
        Case(args=(_SERVICE, _NOTIFICATION, "png", 0), variant=0, id="page-zero-not-sent"),
        Case(args=(_SERVICE, _NOTIFICATION, "png", 2), variant=1, id="page"),
        # Fixed: the page is an encoded query parameter, not text pasted into the URL.
        Case(
            args=(_SERVICE, _NOTIFICATION, "png", "1&x=y"),
            requests=[Req("GET", f"/service/{_SERVICE}/template/preview/{_NOTIFICATION}/png",
                          query=(("page", "1&x=y"),))],
            id="page-encoded",
        ),
    ],
    "send_notification": [
        Case(kwargs={"sender_id": None}, id="default-sender"),
        Case(kwargs={"personalisation": {"name": "Ada"}}, id="with-sender"),
    ],
    "get_notifications_count_for_service": [
        Case(returns=9, id="count"),
        Case(response={"data": []}, returns=None, id="missing-count-is-none"),
        Case(args=(_SERVICE, None, None),
             requests=[Req("GET", f"/service/{_SERVICE}/notifications/count")],
             returns=9, id="none-filters-dropped"),
    ],
}
