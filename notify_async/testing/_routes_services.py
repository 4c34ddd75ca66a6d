"""Services (create, get, update, list, archive) and their API keys."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from notify_async.testing._http import (
    Call,
    Reply,
    RouteTable,
    check_choice,
    field_error,
    not_found,
    refuse_unknown,
    require,
)
from notify_async.testing._routes_service_settings import (
    record_api_key_version,
    record_service_version,
)
from notify_async.testing._routes_users import join_service
from notify_async.testing._state import JSON, Store, iso, new_id, snapshot

ROUTES = RouteTable()

DEFAULT_PERMISSIONS = ("sms", "email", "letter", "international_sms", "international_letters")
ORGANISATION_TYPES = (
    "central", "local", "nhs_central", "nhs_local", "nhs_gp", "emergency_service",
    "school_or_college", "other",
)
KEY_TYPES = ("normal", "team", "test")
#: What ``update_service`` may send beyond the service JSON's own fields (accepted, not kept).
_UPDATE_EXTRAS = (
    "created_by", "free_sms_fragment_limit", "letter_contact_block", "reply_to_email_address",
    "sms_sender",
)
_SERVICE_CREATE_FIELDS = (
    "name", "organisation_type", "active", "email_message_limit",
    "international_sms_message_limit", "sms_message_limit", "letter_message_limit", "user_id",
    "restricted", "created_by",
)


def _local_part(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".")


def _check_name(store: Store, name: object, service_id: str | None) -> None:
    if not isinstance(name, str) or not name.strip():
        raise field_error("name", "Service name can't be empty")
    for other in store.services.values():
        if other["id"] != service_id and other["name"].lower() == name.lower():
            raise field_error("name", f"Duplicate service name '{name}'")


def create_service(store: Store, data: dict[str, Any]) -> JSON:
    """Validate a create-service body and store the service with its creator as a member."""
    require(data, "name", "user_id", "created_by")
    refuse_unknown(data, _SERVICE_CREATE_FIELDS)
    check_choice(data, "organisation_type", ORGANISATION_TYPES)
    store.user(str(data["user_id"]))
    store.user(str(data["created_by"]))
    _check_name(store, data["name"], None)
    service: JSON = {
        "active": bool(data.get("active", True)),
        "billing_contact_email_addresses": None,
        "billing_contact_names": None,
        "billing_reference": None,
        "confirmed_email_sender_name": False,
        "confirmed_unique": False,
        "consent_to_research": None,
        "contact_link": None,
        "count_as_live": True,
        "created_by": data["created_by"],
        "custom_email_sender_name": None,
        "email_branding": None,
        "email_message_limit": data.get("email_message_limit", 1000),
        "email_sender_local_part": _local_part(data["name"]),
        "go_live_at": None,
        "go_live_user": None,
        "has_active_go_live_request": False,
        "id": new_id(),
        "international_sms_message_limit": data.get("international_sms_message_limit", 100),
        "letter_branding": None,
        "letter_message_limit": data.get("letter_message_limit", 1000),
        "name": data["name"],
        "notes": None,
        "organisation": None,
        "organisation_type": data.get("organisation_type"),
        "permissions": list(DEFAULT_PERMISSIONS),
        "prefix_sms": False,
        "purchase_order_number": None,
        "rate_limit": 3000,
        "restricted": bool(data.get("restricted", True)),
        "service_callback_api": [],
        "sms_message_limit": data.get("sms_message_limit", 1000),
        "volume_email": None,
        "volume_letter": None,
        "volume_sms": None,
    }
    store.services[service["id"]] = service
    store.api_keys[service["id"]] = []
    join_service(store, str(data["user_id"]), service["id"])
    record_service_version(store, service, str(data["created_by"]))
    return service


@ROUTES.add("POST", "/service")
def post_service(store: Store, call: Call) -> Reply:
    """POST /service: 201 ``{"data": service}``; 404 for an unknown user, 400 for a bad body."""
    return Reply(201, {"data": snapshot(create_service(store, call.data()))})


@ROUTES.add("GET", "/service/{service_id}")
def get_service(store: Store, call: Call) -> Reply:
    """GET /service/{id}: ``{"data": service}``."""
    return Reply(200, {"data": snapshot(store.service(call.ids["service_id"]))})


@ROUTES.add("GET", "/service")
def list_services(store: Store, call: Call) -> Reply:
    """GET /service with ``user_id`` (the user's services) and ``only_active=True`` filters."""
    services = list(store.services.values())
    user_id = call.query.get("user_id")
    if user_id:
        member_of = set(store.user(user_id)["services"])
        services = [s for s in services if s["id"] in member_of]
    if call.flag("only_active"):
        services = [s for s in services if s["active"]]
    return Reply(200, {"data": snapshot(services)})


@ROUTES.add("POST", "/service/{service_id}")
def update_service(store: Store, call: Call) -> Reply:
    """POST /service/{id} with attributes: ``{"data": service}`` after the change."""
    service = store.service(call.ids["service_id"])
    data = call.data()
    refuse_unknown(data, set(service) - {"id", "service_callback_api"} | set(_UPDATE_EXTRAS))
    check_choice(data, "organisation_type", ORGANISATION_TYPES)
    if "name" in data:
        _check_name(store, data["name"], service["id"])
        service["email_sender_local_part"] = _local_part(data["name"])
    service.update({key: value for key, value in data.items() if key in service})
    record_service_version(store, service, data.get("created_by"))
    return Reply(200, {"data": snapshot(service)})


@ROUTES.add("POST", "/service/{service_id}/archive")
def archive_service(store: Store, call: Call) -> Reply:
    """POST /service/{id}/archive: 204; the service is renamed and deactivated, its API keys
    revoked and its templates archived (as the real API does)."""
    service = store.service(call.ids["service_id"])
    if service["active"]:
        now = store.now()
        stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%d_%H:%M:%S")
        service.update(active=False, name=f"_archived_{stamp}_{service['name']}")
        for key in store.api_keys[service["id"]]:
            key["expiry_date"] = key["expiry_date"] or iso(now)
        for versions in store.templates.values():
            if versions[-1]["service"] == service["id"]:
                versions[-1]["archived"] = True
        record_service_version(store, service, None)
    return Reply(204)


def create_api_key(store: Store, service_id: str, data: dict[str, Any]) -> tuple[JSON, str]:
    """Validate and store a new API key; returns the record and its secret."""
    store.service(service_id)
    require(data, "name", "key_type", "created_by")
    refuse_unknown(data, ("name", "key_type", "created_by"))
    check_choice(data, "key_type", KEY_TYPES)
    store.user(str(data["created_by"]))
    key: JSON = {
        "created_at": iso(store.now()),
        "created_by": data["created_by"],
        "expiry_date": None,
        "id": new_id(),
        "key_type": data["key_type"],
        "name": data["name"],
        "updated_at": None,
        "version": 1,
    }
    store.api_keys[service_id].append(key)
    record_api_key_version(store, service_id, key)
    return key, new_id()


@ROUTES.add("POST", "/service/{service_id}/api-key")
def post_api_key(store: Store, call: Call) -> Reply:
    """POST /service/{id}/api-key: 201 ``{"data": <the new key's secret>}``."""
    _, secret = create_api_key(store, call.ids["service_id"], call.data())
    return Reply(201, {"data": secret})


@ROUTES.add("GET", "/service/{service_id}/api-keys")
def get_api_keys(store: Store, call: Call) -> Reply:
    """GET /service/{id}/api-keys: ``{"apiKeys": [...]}`` (revoked keys have an expiry date)."""
    store.service(call.ids["service_id"])
    return Reply(200, {"apiKeys": snapshot(store.api_keys[call.ids["service_id"]])})


@ROUTES.add("POST", "/service/{service_id}/api-key/revoke/{key_id}")
def revoke_api_key(store: Store, call: Call) -> Reply:
    """POST /service/{id}/api-key/revoke/{key_id}: 202 with a JSON ``null`` body."""
    store.service(call.ids["service_id"])
    for key in store.api_keys[call.ids["service_id"]]:
        if key["id"] == call.ids["key_id"]:
            now = iso(store.now())
            key["expiry_date"] = key["expiry_date"] or now
            key["updated_at"] = now
            record_api_key_version(store, call.ids["service_id"], key)
            return Reply(202, None)
    raise not_found()


# The paged lists that read services' jobs, notifications and seeded messages.
from notify_async.testing._routes_lists import ROUTES as _LISTS  # noqa: E402

ROUTES.extend(_LISTS)
