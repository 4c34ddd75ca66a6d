"""Cases for ``notify.jobs``."""

from __future__ import annotations

from typing import Any

from notify_async.clients.jobs import JobApiClient
from tests.cases._answers import a_value
from tests.harness import Case, Req, sample_uuid

_SERVICE = sample_uuid("service_id")
_TEMPLATE = sample_uuid("template_id")
_CONTACT_LIST = sample_uuid("contact_list_id")
_JOBS_PATH = f"/service/{_SERVICE}/job"

# The catalogue joins the status sets; the SDK sends them sorted (deterministic).
_STATUS_NAMES = {
    "NON_SCHEDULED_JOB_STATUSES": sorted(JobApiClient.NON_SCHEDULED_JOB_STATUSES),
}
_NON_SCHEDULED = ",".join(sorted(JobApiClient.NON_SCHEDULED_JOB_STATUSES))


def _job(version: int, name: str, status: str = "finished", **extra: Any) -> dict[str, Any]:
    return {"template": _TEMPLATE, "template_version": version, "original_file_name": name,
            "job_status": status, **extra}


def _previously(jobs: list[dict[str, Any]], expected: bool, case_id: str) -> Case:
    return Case(args=(_SERVICE, _TEMPLATE, 3, "list.csv"), response={"data": jobs},
                returns=expected, id=case_id)


_SCHEDULED = [
    _job(1, "a.csv", "scheduled", scheduled_for="2024-05-01T10:00:00"),
    _job(1, "b.csv", "scheduled", scheduled_for="2024-06-01T09:00:00"),
    _job(1, "c.csv", "scheduled", scheduled_for="2024-05-15T12:00:00"),
]

CASES: dict[str, list[Case]] = {
    "cancel_letter_job": [a_value(3)],
    "get_jobs": [
        Case(id="page-only"),
        Case(
            args=(_SERVICE,),
            kwargs={"limit_days": 7, "contact_list_id": _CONTACT_LIST, "page": 3,
                    "statuses": ["scheduled", "cancelled", "scheduled"]},
            requests=[Req("GET", _JOBS_PATH, query=(
                ("contact_list_id", _CONTACT_LIST), ("limit_days", "7"), ("page", "3"),
                ("statuses", "cancelled,scheduled"),
            ))],
            id="all-filters-statuses-sorted",
        ),
        Case(
            kwargs={"statuses": "in progress"},
            requests=[Req("GET", _JOBS_PATH, query=(("page", "1"), ("statuses", "in progress")))],
            id="one-status-string",
        ),
        Case(kwargs={"limit_days": 0}, id="limit-days-zero-sent"),
    ],
    "get_uploads": [Case(id="page-only"), Case(args=(_SERVICE, 7, 2), id="limit-days")],
    "has_sent_previously": [
        _previously([_job(2, "list.csv"), _job(3, "list.csv")], True, "same-file-and-version"),
        _previously([_job(3, "list.csv", "cancelled")], False, "only-cancelled"),
        _previously([_job(2, "list.csv"), _job(3, "other.csv")], False, "different"),
        _previously([], False, "no-jobs"),
    ],
    "get_page_of_jobs": [
        Case(kwargs={"page": 2}, names=_STATUS_NAMES, id="default-statuses"),
        Case(kwargs={"page": 2, "statuses": []}, names=_STATUS_NAMES,
             requests=[Req("GET", _JOBS_PATH, query=(("page", "2"), ("statuses", _NON_SCHEDULED)))],
             id="empty-statuses-fall-back"),
        Case(
            kwargs={"page": 1, "statuses": {"finished", "pending"}, "limit_days": 7,
                    "contact_list_id": _CONTACT_LIST},
            names={"statuses": ["finished", "pending"]},
            id="filters",
        ),
    ],
    "get_immediate_jobs": [
        Case(names=_STATUS_NAMES, response={"data": [_job(1, "a.csv")]}, id="data"),
    ],
    "get_scheduled_jobs": [
        Case(response={"data": _SCHEDULED}, returns=[_SCHEDULED[1], _SCHEDULED[2], _SCHEDULED[0]],
             id="latest-first"),
    ],
    "has_jobs": [
        Case(response={"data": [_job(1, "a.csv")]}, returns=True, id="some"),
        Case(response={"data": []}, returns=False, id="none-cached-as-false"),
    ],
    "create_job": [
        Case(id="immediate"),
        Case(args=(sample_uuid("job_id"), _SERVICE, "2024-06-01T09:00:00", _CONTACT_LIST),
             id="scheduled-from-contact-list"),
    ],
}
