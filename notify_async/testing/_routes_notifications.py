"""One-off notifications: send, get, list (filters and pages), and service statistics.

A notification's status is read off the fake's clock: ``created`` when sent, ``sending`` after
``sending_after`` seconds, ``delivered`` after ``delivered_after`` seconds. Recipients that start
with ``temp-fail@`` / ``perm-fail@`` (or the numbers ``07700900003`` / ``07700900002``) end in
``temporary-failure`` / ``permanent-failure`` instead, so failures can be tested too.
"""

from __future__ import annotations

import re
from typing import Any

from notify_async.testing._http import (
    Call,
    FakeError,
    Reply,
    RouteTable,
    field_error,
    not_found,
    page_links,
    page_of,
    refuse_unknown,
    require,
)
from notify_async.testing._routes_service_settings import guest_list
from notify_async.testing._routes_templates import placeholders
from notify_async.testing._routes_users import valid_email, valid_phone
from notify_async.testing._state import JSON, Store, iso, midnight_days_ago, new_id, snapshot

ROUTES = RouteTable()

TRIAL_MODE_MESSAGE = (
    "Can\u2019t send to this recipient when service is in trial mode \u2013 see "
    "https://www.notifications.service.gov.uk/trial-mode"
)
FAILED_STATUSES = (
    "technical-failure", "temporary-failure", "permanent-failure", "validation-failed",
    "virus-scan-failed",
)
_PROVIDERS = {"email": "ses", "sms": "mmg", "letter": "dvla"}
_DEFAULT_LIMIT_DAYS = 7
_SEND_FIELDS = ("created_by", "template_id", "to", "personalisation", "sender_id")
_LIST_FILTERS = (
    "page", "page_size", "template_type", "status", "include_jobs", "include_from_test_key",
    "to", "include_one_off", "count_pages", "limit_days", "format_for_csv", "older_than",
)


def normalise(recipient: str, notification_type: str) -> str:
    """The recipient as the real API stores ``normalised_to``: lower-case e-mail, or the
    phone number's digits with the UK prefix ``44``."""
    if notification_type == "email":
        return recipient.strip().lower()
    if notification_type == "sms":
        digits = re.sub(r"\D", "", recipient)
        return "44" + digits[1:] if digits.startswith("0") else digits
    return recipient.strip().lower()


def _final_status(normalised_to: str) -> str:
    if normalised_to.startswith("perm-fail@") or normalised_to == "447700900002":
        return "permanent-failure"
    if normalised_to.startswith("temp-fail@") or normalised_to == "447700900003":
        return "temporary-failure"
    return "delivered"


def _check_recipient(store: Store, service: JSON, template_type: str, to: str) -> str:
    valid = {"email": valid_email, "sms": valid_phone}.get(template_type, lambda _: True)
    if not valid(to):
        kind = "email address" if template_type == "email" else "phone number"
        raise field_error("to", f"Not a valid {kind}")
    normalised = normalise(to, template_type)
    if service["restricted"]:
        team = {
            normalise(member["email_address"], "email") for member in store.members(service["id"])
        } | {
            normalise(member["mobile_number"], "sms")
            for member in store.members(service["id"]) if member["mobile_number"]
        } | {
            normalise(address, "email")
            for address in guest_list(store, service["id"])["email_addresses"]
        } | {
            normalise(number, "sms")
            for number in guest_list(store, service["id"])["phone_numbers"]
        }
        if normalised not in team:
            raise FakeError(400, TRIAL_MODE_MESSAGE)
    return normalised


def send_one_off(store: Store, service_id: str, data: dict[str, Any]) -> JSON:
    """Validate a one-off send and store the notification (status ``created``)."""
    service = store.service(service_id)
    require(data, "created_by", "template_id", "to")
    refuse_unknown(data, _SEND_FIELDS)
    template = store.template_versions(service_id, str(data["template_id"]))[-1]
    store.user(str(data["created_by"]))
    if not service["active"]:
        raise FakeError(400, "Service is not active")
    if template["archived"]:
        raise FakeError(400, "Template has been deleted")
    personalisation = data.get("personalisation") or {}
    if not isinstance(personalisation, dict):
        raise field_error("personalisation", "Not a valid mapping type.")
    missing = [name for name in placeholders(template) if name not in personalisation]
    if missing:
        raise FakeError(400, f"Missing personalisation: {', '.join(missing)}")
    template_type = template["template_type"]
    normalised = _check_recipient(store, service, template_type, str(data["to"]))
    notification: JSON = {
        "id": new_id(),
        "service": service_id,
        "template": template["id"],
        "template_version": template["version"],
        "to": data["to"],
        "normalised_to": normalised,
        "personalisation": personalisation,
        "notification_type": template_type,
        "created_by": data["created_by"],
        "created_ts": store.now(),
        "job": None,
    }
    store.notifications[notification["id"]] = notification
    return notification


def status_of(store: Store, notification: JSON) -> str:
    """The notification's status now."""
    stage = store.stage(notification["created_ts"])
    return ("created", "sending", _final_status(notification["normalised_to"]))[stage]


def render(store: Store, notification: JSON) -> JSON:
    """The notification's JSON as the real API shows it (see ``notification_get.json``)."""
    created = notification["created_ts"]
    stage = store.stage(created)
    versions = store.templates[notification["template"]]
    template = versions[notification["template_version"] - 1]
    return {
        "api_key": None,
        "billable_units": 1 if stage else 0,
        "client_reference": None,
        "created_at": iso(created),
        "created_by": store.user_summary(notification["created_by"]),
        "document_download_count": None,
        "id": notification["id"],
        "international": False,
        "job": notification["job"],
        "job_row_number": None,
        "key_name": None,
        "key_type": "normal",
        "normalised_to": notification["normalised_to"],
        "notification_type": notification["notification_type"],
        "personalisation": snapshot(notification["personalisation"]),
        "phone_prefix": "44" if notification["notification_type"] == "sms" else None,
        "postage": template["postage"],
        "rate_multiplier": 1 if notification["notification_type"] == "sms" else None,
        "reference": None,
        "reply_to_text": None,
        "sent_at": iso(created + store.sending_after) if stage else None,
        "sent_by": _PROVIDERS[notification["notification_type"]] if stage else None,
        "service": notification["service"],
        "status": status_of(store, notification),
        "template": {
            key: template[key]
            for key in (
                "content", "has_unsubscribe_link", "id", "is_precompiled_letter",
                "letter_attachment", "letter_languages", "letter_welsh_content",
                "letter_welsh_subject", "name", "redact_personalisation", "reply_to_text",
                "service", "subject", "template_type", "version",
            )
        },
        "to": notification["to"],
        "unsubscribe_link": None,
        "updated_at": iso(created + store.delivered_after) if stage == 2 else None,
    }


@ROUTES.add("POST", "/service/{service_id}/send-notification")
def post_one_off(store: Store, call: Call) -> Reply:
    """POST /service/{id}/send-notification: 201 ``{"id": ...}`` (no ``data`` wrapper)."""
    return Reply(201, {"id": send_one_off(store, call.ids["service_id"], call.data())["id"]})


@ROUTES.add("GET", "/service/{service_id}/notifications/{notification_id}")
def get_notification(store: Store, call: Call) -> Reply:
    """GET /service/{id}/notifications/{nid}: the notification (no ``data`` wrapper)."""
    store.service(call.ids["service_id"])
    notification = store.notifications.get(call.ids["notification_id"])
    if notification is None or notification["service"] != call.ids["service_id"]:
        raise not_found()
    return Reply(200, render(store, notification))


def _filters(call: Call) -> dict[str, list[str]]:
    """The list filters from the query (GET) or the JSON body (POST), as lists of text."""
    if call.method == "GET":
        return {name: call.query.getlist(name) for name in _LIST_FILTERS if name in call.query}
    data = call.data()
    refuse_unknown(data, _LIST_FILTERS)
    as_text = {True: "True", False: "False"}
    return {
        name: [as_text.get(v, str(v)) if isinstance(v, bool) else str(v)
               for v in (value if isinstance(value, list) else [value])]
        for name, value in data.items() if value is not None
    }


def _number(filters: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int(filters[name][0]) if filters.get(name) else default
    except ValueError:
        raise field_error(name, "Not a valid integer.") from None


def _recent(store: Store, service_id: str, limit_days: int) -> list[JSON]:
    since = midnight_days_ago(store.now(), limit_days)
    return [
        n for n in store.notifications.values()
        if n["service"] == service_id and n["created_ts"] >= since
    ]


@ROUTES.add("GET", "/service/{service_id}/notifications")
@ROUTES.add("POST", "/service/{service_id}/notifications")
def list_notifications(store: Store, call: Call) -> Reply:
    """GET (query) or POST (JSON body, used when searching by ``to``)
    /service/{id}/notifications: ``{"notifications": [...], "page_size": n, "links": {...}}``,
    newest first, filtered by ``status``, ``template_type``, ``to``, ``limit_days``,
    ``include_one_off`` and ``include_jobs``."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    filters = _filters(call)
    page = _number(filters, "page", 1)
    size = _number(filters, "page_size", store.page_size)
    found = _recent(store, service_id, _number(filters, "limit_days", _DEFAULT_LIMIT_DAYS))
    if filters.get("include_one_off") == ["False"]:
        found = [n for n in found if n["job"] is not None]
    if filters.get("include_jobs") == ["False"]:
        found = [n for n in found if n["job"] is None]
    if filters.get("template_type"):
        found = [n for n in found if n["notification_type"] in filters["template_type"]]
    if filters.get("status"):
        found = [n for n in found if status_of(store, n) in filters["status"]]
    if filters.get("to"):
        term = filters["to"][0].strip().lower()
        found = [
            n for n in found
            if term in n["normalised_to"] or normalise(term, n["notification_type"]) in
            n["normalised_to"]
        ]
    found.sort(key=lambda n: n["created_ts"], reverse=True)
    shown = [render(store, n) for n in page_of(found, page, size)]
    answer: JSON = {"links": page_links(call.path, page, size, len(found)), "notifications": shown}
    if call.method == "GET":  # the search by ``to`` (POST) sends no page size
        answer["page_size"] = size
    return Reply(200, answer)


@ROUTES.add("GET", "/service/{service_id}/statistics")
def get_statistics(store: Store, call: Call) -> Reply:
    """GET /service/{id}/statistics: ``{"data": {channel: {"requested", "delivered",
    "failed"}}}`` over the last ``limit_days`` days (7 by default)."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    stats = {kind: {"delivered": 0, "failed": 0, "requested": 0}
             for kind in ("email", "letter", "sms")}
    for notification in _recent(store, service_id, call.int_arg("limit_days", _DEFAULT_LIMIT_DAYS)):
        counts = stats[notification["notification_type"]]
        counts["requested"] += 1
        status = status_of(store, notification)
        if status == "delivered":
            counts["delivered"] += 1
        elif status in FAILED_STATUSES:
            counts["failed"] += 1
    return Reply(200, {"data": stats})
