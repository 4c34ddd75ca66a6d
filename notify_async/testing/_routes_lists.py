"""Paged lists beyond the core: a service's uploads, a print day's uploaded letters, a job's
notifications, the CSV rows of a service's notifications (paged ``older_than`` the last row),
the latest inbound SMS per number and the complaints.

Inbound SMS and complaints have no admin API that creates them: seed them with
:func:`add_inbound_sms` and :func:`add_complaint` (``add_complaint(fake.store, ...)``).
"""

from __future__ import annotations

import datetime as dt
import weakref

import attrs

from notify_async.testing import _routes_jobs as jobs
from notify_async.testing import _routes_notifications as notifications
from notify_async.testing._http import (
    Call,
    Reply,
    RouteTable,
    field_error,
    page_links,
    page_of,
)
from notify_async.testing._state import JSON, Store, iso, midnight_days_ago, new_id, snapshot

ROUTES = RouteTable()

_DEFAULT_LIMIT_DAYS = 7
_NOTIFY_NUMBER = "07700900000"


@attrs.define
class _Seeded:
    inbound_sms: list[JSON] = attrs.Factory(list)
    complaints: list[JSON] = attrs.Factory(list)


_SEEDED: weakref.WeakKeyDictionary[Store, _Seeded] = weakref.WeakKeyDictionary()


def _seeded(store: Store) -> _Seeded:
    return _SEEDED.setdefault(store, _Seeded())


def add_inbound_sms(
    store: Store, service_id: str, user_number: str, content: str = "Hello"
) -> JSON:
    """Store a text message the service received from ``user_number`` now; return its JSON."""
    store.service(service_id)
    message = {
        "content": content,
        "created_at": iso(store.now()),
        "id": new_id(),
        "notify_number": _NOTIFY_NUMBER,
        "service_id": service_id,
        "user_number": user_number,
    }
    _seeded(store).inbound_sms.append(message)
    return snapshot(message)


def add_complaint(store: Store, notification_id: str, complaint_type: str = "abuse") -> JSON:
    """Store a complaint about a stored notification, made now; return its JSON."""
    notification = store.notifications[notification_id]
    service = store.service(notification["service"])
    complaint = {
        "complaint_date": iso(store.now()),
        "complaint_type": complaint_type,
        "created_at": iso(store.now()),
        "id": new_id(),
        "notification_id": notification_id,
        "service_id": service["id"],
        "service_name": service["name"],
        "ses_feedback_id": new_id(),
    }
    _seeded(store).complaints.append(complaint)
    return snapshot(complaint)


def _page(call: Call, items: list[JSON], size: int) -> tuple[list[JSON], dict[str, str]]:
    page = call.int_arg("page", 1)
    return page_of(items, page, size), page_links(call.path, page, size, len(items))


def _newest_first(items: list[JSON]) -> list[JSON]:
    return sorted(items, key=lambda item: item["created_ts"], reverse=True)


def _filtered(store: Store, call: Call, found: list[JSON]) -> list[JSON]:
    """Notifications of the ``template_type`` and ``status`` filters (repeated query keys)."""
    types = call.query.getlist("template_type")
    statuses = call.query.getlist("status")
    return [
        n for n in found
        if (not types or n["notification_type"] in types)
        and (not statuses or notifications.status_of(store, n) in statuses)
    ]


def _csv_row(store: Store, notification: JSON) -> JSON:
    shown = notifications.render(store, notification)
    creator = shown["created_by"] or {}
    return {
        "api_key_name": None,
        "client_reference": "",
        "created_at": shown["created_at"],
        "created_by_email_address": creator.get("email_address"),
        "created_by_name": creator.get("name"),
        "id": shown["id"],
        "job_name": None,
        "recipient": shown["to"],
        "row_number": "",
        "status": shown["status"].replace("-", " ").capitalize(),
        "template_name": shown["template"]["name"],
        "template_type": shown["template"]["template_type"],
    }


@ROUTES.add("GET", "/service/{service_id}/upload")
def list_uploads(store: Store, call: Call) -> Reply:
    """GET /service/{id}/upload: the service's jobs as uploads, newest first, by page
    (``{"data", "links", "page_size", "total"}``); ``limit_days`` filters."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    found = [job for job in store.jobs.values() if job["service"] == service_id]
    if "limit_days" in call.query:
        since = midnight_days_ago(store.now(), call.int_arg("limit_days", 0))
        found = [job for job in found if job["created_ts"] >= since]
    shown, links = _page(call, _newest_first(found), store.page_size)
    uploads = []
    for job in shown:
        rendered = jobs.render(store, job)
        start = job["scheduled_ts"] or job["created_ts"]
        uploads.append({
            "created_at": dt.datetime.fromtimestamp(start, dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "id": job["id"],
            "notification_count": job["notification_count"],
            "original_file_name": job["original_file_name"],
            "recipient": None,
            "statistics": rendered["statistics"],
            "template_type": rendered["template_type"],
            "upload_type": "job",
        })
    return Reply(200, {
        "data": uploads, "links": links, "page_size": store.page_size, "total": len(found),
    })


@ROUTES.add("GET", "/service/{service_id}/upload/uploaded-letters/{letter_print_day}")
def list_uploaded_letters(store: Store, call: Call) -> Reply:
    """GET /service/{id}/upload/uploaded-letters/{YYYY-MM-DD}: the service's one-off letters
    created that (UTC) day, newest first, by page."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    day = call.ids["letter_print_day"]
    found = [
        n for n in store.notifications.values()
        if n["service"] == service_id and n["notification_type"] == "letter" and n["job"] is None
        and dt.datetime.fromtimestamp(n["created_ts"], dt.UTC).date().isoformat() == day
    ]
    shown, links = _page(call, _newest_first(found), store.page_size)
    return Reply(200, {
        "links": links,
        "notifications": [notifications.render(store, n) for n in shown],
        "page_size": store.page_size,
        "total": len(found),
    })


@ROUTES.add("GET", "/service/{service_id}/job/{job_id}/notifications")
def list_job_notifications(store: Store, call: Call) -> Reply:
    """GET /service/{id}/job/{jid}/notifications: the job's notifications by page
    (``format_for_csv=True`` gives CSV rows), filtered by ``status`` and ``template_type``."""
    job = store.job(call.ids["service_id"], call.ids["job_id"])
    of_job = [n for n in store.notifications.values() if n["job"] == job["id"]]
    found = _filtered(store, call, of_job)
    size = call.int_arg("page_size", store.page_size)
    shown, links = _page(call, _newest_first(found), size)
    render = _csv_row if call.flag("format_for_csv") else notifications.render
    return Reply(200, {
        "links": links,
        "notifications": [render(store, n) for n in shown],
        "page_size": size,
        "total": len(found),
    })


@ROUTES.add("GET", "/service/{service_id}/notifications/csv")
def list_csv_rows(store: Store, call: Call) -> Reply:
    """GET /service/{id}/notifications/csv: CSV rows of the service's notifications of the last
    ``limit_days`` days, newest first, ``page_size`` of them ``older_than`` the given row id
    (``{"notifications", "page_size"}``, no links)."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    since = midnight_days_ago(store.now(), call.int_arg("limit_days", _DEFAULT_LIMIT_DAYS))
    found = _newest_first(_filtered(store, call, [
        n for n in store.notifications.values()
        if n["service"] == service_id and n["created_ts"] >= since
    ]))
    older_than = call.query.get("older_than")
    if older_than:
        ids = [n["id"] for n in found]
        if older_than not in ids:
            raise field_error("older_than", "Not a notification of this service")
        found = found[ids.index(older_than) + 1:]
    size = call.int_arg("page_size", store.page_size)
    return Reply(200, {"notifications": [_csv_row(store, n) for n in found[:size]],
                       "page_size": size})


@ROUTES.add("GET", "/service/{service_id}/inbound-sms/most-recent")
def list_most_recent_inbound_sms(store: Store, call: Call) -> Reply:
    """GET /service/{id}/inbound-sms/most-recent: the latest message from each number, newest
    first, by page (``{"data", "has_next"}``)."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    latest: dict[str, JSON] = {}
    for message in _seeded(store).inbound_sms:
        if message["service_id"] == service_id:
            latest[message["user_number"]] = message
    found = sorted(latest.values(), key=lambda m: m["created_at"], reverse=True)
    page = call.int_arg("page", 1)
    shown = page_of(found, page, store.page_size)
    return Reply(200, {"data": snapshot(shown), "has_next": page * store.page_size < len(found)})


@ROUTES.add("GET", "/complaint")
def list_complaints(store: Store, call: Call) -> Reply:
    """GET /complaint: every complaint, newest first, by page (``{"complaints", "links"}``)."""
    found = list(reversed(_seeded(store).complaints))
    shown, links = _page(call, found, store.page_size)
    return Reply(200, {"complaints": snapshot(shown), "links": links})
