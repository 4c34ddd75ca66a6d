"""Jobs: create (from a staged upload), get, list (``statuses`` filter, pages), cancel.

The real API reads a job's template and file name from the CSV the admin app uploaded to S3;
the fake reads them from an upload staged with ``FakeNotifyAPI.stage_upload(...)``. A job's
status follows the fake's clock: ``scheduled`` until its ``scheduled_for``, then ``pending``,
``in progress`` after ``sending_after`` seconds and ``finished`` after ``delivered_after``.
Only a job still scheduled in the future can be cancelled (404 otherwise, as the real API).
"""

from __future__ import annotations

from typing import Any

from notify_async.testing._http import (
    Call,
    FakeError,
    Reply,
    RouteTable,
    field_error,
    page_links,
    page_of,
    refuse_unknown,
    require,
)
from notify_async.testing._state import JSON, Store, iso, midnight_days_ago, parse_time

ROUTES = RouteTable()

#: The longest a job may be scheduled ahead, in seconds (the real API allows 96 hours).
MAX_SCHEDULE_AHEAD = 96 * 60 * 60


def stage_upload(store: Store, service_id: str, job_id: str, template_id: str,
                 original_file_name: str, notification_count: int) -> None:
    """Remember what the uploaded CSV of ``job_id`` holds, as the admin app's S3 upload does."""
    store.template_versions(service_id, template_id)
    store.uploads[job_id] = {
        "service": service_id,
        "template": template_id,
        "original_file_name": original_file_name,
        "notification_count": notification_count,
    }


def _start(job: JSON) -> float:
    return float(max(job["created_ts"], job["scheduled_ts"] or 0.0))


def job_status(store: Store, job: JSON) -> str:
    """The job's status now."""
    if job["cancelled"]:
        return "cancelled"
    if job["scheduled_ts"] is not None and store.now() < job["scheduled_ts"]:
        return "scheduled"
    stage = store.stage(_start(job))
    return ("pending", "in progress", "finished")[stage]


def render(store: Store, job: JSON) -> JSON:
    """The job's JSON as the real API shows it."""
    template = store.templates[job["template"]][job["template_version"] - 1]
    status = job_status(store, job)
    start = _start(job)
    count = job["notification_count"]
    finished = status == "finished"
    creator = store.users.get(job["created_by"])
    return {
        "archived": False,
        "contact_list_id": job["contact_list_id"],
        "created_at": iso(job["created_ts"]),
        "created_by": {"id": job["created_by"], "name": creator["name"] if creator else None},
        "id": job["id"],
        "job_status": status,
        "notification_count": count,
        "notifications_delivered": count if finished else 0,
        "notifications_failed": 0,
        "notifications_requested": count if status in ("in progress", "finished") else 0,
        "original_file_name": job["original_file_name"],
        "processing_finished": iso(start + store.delivered_after) if finished else None,
        "processing_started": (
            iso(start + store.sending_after) if status in ("in progress", "finished") else None
        ),
        "scheduled_for": iso(job["scheduled_ts"]),
        "service": job["service"],
        "service_name": {"name": store.services[job["service"]]["name"]},
        "statistics": [{"count": count, "status": "delivered"}] if finished else [],
        "template": job["template"],
        "template_name": template["name"],
        "template_type": template["template_type"],
        "template_version": job["template_version"],
        "updated_at": None,
    }


def create_job(store: Store, service_id: str, data: dict[str, Any]) -> JSON:
    """Validate a create-job body against the staged upload and store the job."""
    store.service(service_id)
    require(data, "id", "created_by")
    refuse_unknown(data, ("id", "created_by", "scheduled_for", "contact_list_id"))
    job_id = str(data["id"])
    upload = store.uploads.get(job_id)
    if upload is None or upload["service"] != service_id:
        raise field_error("id", "No uploaded file for this job id")
    if job_id in store.jobs:
        raise field_error("id", "Job already exists")
    store.user(str(data["created_by"]))
    template = store.template_versions(service_id, upload["template"])[-1]
    if template["archived"]:
        raise FakeError(400, "Template has been deleted")
    now = store.now()
    scheduled = None
    if data.get("scheduled_for"):
        scheduled = parse_time(data["scheduled_for"], "scheduled_for")
        if scheduled < now:
            raise field_error("scheduled_for", "Date cannot be in the past")
        if scheduled > now + MAX_SCHEDULE_AHEAD:
            raise field_error("scheduled_for", "Date cannot be more than 96hrs in the future")
    job: JSON = {
        "id": job_id,
        "service": service_id,
        "template": template["id"],
        "template_version": template["version"],
        "original_file_name": upload["original_file_name"],
        "notification_count": upload["notification_count"],
        "created_by": data["created_by"],
        "created_ts": now,
        "scheduled_ts": scheduled,
        "contact_list_id": data.get("contact_list_id"),
        "cancelled": False,
    }
    store.jobs[job_id] = job
    return job


@ROUTES.add("POST", "/service/{service_id}/job")
def post_job(store: Store, call: Call) -> Reply:
    """POST /service/{id}/job: 201 ``{"data": job}``."""
    job = create_job(store, call.ids["service_id"], call.data())
    return Reply(201, {"data": render(store, job)})


@ROUTES.add("GET", "/service/{service_id}/job/{job_id}")
def get_job(store: Store, call: Call) -> Reply:
    """GET /service/{id}/job/{jid}: ``{"data": job}``."""
    job = store.job(call.ids["service_id"], call.ids["job_id"])
    return Reply(200, {"data": render(store, job)})


@ROUTES.add("GET", "/service/{service_id}/job")
def list_jobs(store: Store, call: Call) -> Reply:
    """GET /service/{id}/job: ``{"data": [...], "page_size", "total", "links"}``, newest
    first; ``statuses`` (comma-separated), ``limit_days``, ``contact_list_id`` and ``page``."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    jobs = [job for job in store.jobs.values() if job["service"] == service_id]
    statuses = {s for s in call.query.get("statuses", "").split(",") if s}
    if statuses:
        jobs = [job for job in jobs if job_status(store, job) in statuses]
    if "limit_days" in call.query:
        since = midnight_days_ago(store.now(), call.int_arg("limit_days", 0))
        jobs = [job for job in jobs if job["created_ts"] >= since]
    if call.query.get("contact_list_id"):
        jobs = [job for job in jobs if job["contact_list_id"] == call.query["contact_list_id"]]
    jobs.sort(key=lambda job: job["created_ts"], reverse=True)
    page = call.int_arg("page", 1)
    return Reply(200, {
        "data": [render(store, job) for job in page_of(jobs, page, store.page_size)],
        "links": page_links(call.path, page, store.page_size, len(jobs)),
        "page_size": store.page_size,
        "total": len(jobs),
    })


@ROUTES.add("POST", "/service/{service_id}/job/{job_id}/cancel")
def cancel_job(store: Store, call: Call) -> Reply:
    """POST /service/{id}/job/{jid}/cancel: ``{"data": job}``; 404 unless still scheduled."""
    job = store.job(call.ids["service_id"], call.ids["job_id"])
    if job_status(store, job) != "scheduled":
        raise FakeError(404, "No result found")
    job["cancelled"] = True
    return Reply(200, {"data": render(store, job)})
