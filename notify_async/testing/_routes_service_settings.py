"""A service's history (every version of the service and of its API keys) and its guest list.

Services and API keys are versioned like the real API's: creating one is version 1 and every
change adds a version (:func:`record_service_version`, :func:`record_api_key_version`, called by
the routes that change them). A trial-mode service may send to its guest list as well as to its
team.
"""

from __future__ import annotations

from typing import Any

from notify_async.testing._http import Call, FakeError, Reply, RouteTable
from notify_async.testing._routes_users import valid_email, valid_phone
from notify_async.testing._state import JSON, Store, iso, snapshot

ROUTES = RouteTable()

_SERVICE_HISTORY_FIELDS = (
    "active", "custom_email_sender_name", "email_message_limit", "email_sender_local_part", "id",
    "letter_message_limit", "name", "restricted", "sms_message_limit",
)


def record_service_version(store: Store, service: JSON, by: str | None) -> None:
    """Add the service as it is now as its next version, made by user ``by``."""
    versions = store.service_history.setdefault(service["id"], [])
    now = iso(store.now())
    entry: JSON = {field: service[field] for field in _SERVICE_HISTORY_FIELDS}
    entry.update(
        created_at=versions[0]["created_at"] if versions else now,
        created_by_id=by,
        updated_at=now if versions else None,
        version=len(versions) + 1,
    )
    versions.append(snapshot(entry))


def record_api_key_version(store: Store, service_id: str, key: JSON) -> None:
    """Add the API key as it is now as its next version."""
    store.api_key_history.setdefault(service_id, []).append({
        "created_at": key["created_at"],
        "created_by_id": key["created_by"],
        "expiry_date": key["expiry_date"],
        "id": key["id"],
        "name": key["name"],
        "service_id": service_id,
        "updated_at": key["updated_at"],
        "version": sum(1 for k in store.api_key_history.get(service_id, [])
                       if k["id"] == key["id"]) + 1,
    })


@ROUTES.add("GET", "/service/{service_id}/history")
def get_history(store: Store, call: Call) -> Reply:
    """GET /service/{id}/history: ``{"data": {"service_history": [...], "api_key_history":
    [...]}}``, oldest version first."""
    service_id = store.service(call.ids["service_id"])["id"]
    return Reply(200, {"data": {
        "api_key_history": snapshot(store.api_key_history.get(service_id, [])),
        "service_history": snapshot(store.service_history.get(service_id, [])),
    }})


def guest_list(store: Store, service_id: str) -> JSON:
    """The service's guest list: ``{"email_addresses": [...], "phone_numbers": [...]}``."""
    return store.guest_lists.get(service_id) or {"email_addresses": [], "phone_numbers": []}


@ROUTES.add("GET", "/service/{service_id}/guest-list")
def get_guest_list(store: Store, call: Call) -> Reply:
    """GET /service/{id}/guest-list: ``{"email_addresses": [...], "phone_numbers": [...]}``."""
    service_id = store.service(call.ids["service_id"])["id"]
    return Reply(200, snapshot(guest_list(store, service_id)))


@ROUTES.add("PUT", "/service/{service_id}/guest-list")
def put_guest_list(store: Store, call: Call) -> Reply:
    """PUT /service/{id}/guest-list with both lists: 204, the lists replaced; 400 naming the
    first entry that is neither an e-mail address nor a phone number (nothing changes)."""
    service_id = store.service(call.ids["service_id"])["id"]
    data = call.data()
    lists: dict[str, list[Any]] = {}
    for field, valid in (("email_addresses", valid_email), ("phone_numbers", valid_phone)):
        entries = data.get(field) or []
        if not isinstance(entries, list):
            raise FakeError(400, {field: ["Not a valid list."]})
        for entry in entries:
            if not valid(entry):
                raise FakeError(400, f"{entry} is not a valid email address or phone number")
        lists[field] = list(entries)
    store.guest_lists[service_id] = lists
    return Reply(204)
