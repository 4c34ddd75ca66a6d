"""Users: register, get, get by e-mail, update attributes, archive, and a service's users."""

from __future__ import annotations

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
from notify_async.testing._state import JSON, Store, iso, new_id, plain, snapshot

ROUTES = RouteTable()

AUTH_TYPES = ("email_auth", "sms_auth", "webauthn_auth")
USER_UPDATABLE = (
    "name", "email_address", "mobile_number", "auth_type", "updated_by", "current_session_id",
    "email_access_validated_at", "take_part_in_research", "receives_new_features_email",
    "platform_admin",
)
#: Every permission a service's creator gets.
ALL_PERMISSIONS = (
    "manage_users", "manage_templates", "manage_settings", "send_texts", "send_emails",
    "send_letters", "manage_api_keys", "view_activity",
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s()-]{7,20}$")


def valid_email(value: object) -> bool:
    """Whether ``value`` looks like an e-mail address."""
    return isinstance(value, str) and bool(_EMAIL.match(value))


def valid_phone(value: object) -> bool:
    """Whether ``value`` looks like a phone number."""
    return isinstance(value, str) and bool(_PHONE.match(value))


def _check_user_fields(store: Store, data: dict[str, Any], user_id: str | None) -> None:
    if "email_address" in data:
        email = data["email_address"]
        if not valid_email(email):
            raise field_error("email_address", "Not a valid email address")
        if any(
            other["email_address"].lower() == str(email).lower() and other["id"] != user_id
            for other in store.users.values()
        ):
            raise field_error("email_address", "Duplicate email address")
    if data.get("mobile_number") is not None and not valid_phone(data["mobile_number"]):
        raise field_error("mobile_number", "Not a valid phone number")
    check_choice(data, "auth_type", AUTH_TYPES)


def create_user(store: Store, data: dict[str, Any], *, state: str = "pending") -> JSON:
    """Validate a registration body and store the new user (the route and ``add_user``)."""
    require(data, "name", "email_address", "password")
    refuse_unknown(data, ("name", "email_address", "mobile_number", "password", "auth_type"))
    _check_user_fields(store, data, None)
    if data.get("auth_type") == "sms_auth" and not data.get("mobile_number"):
        raise field_error("mobile_number", "Mobile number is required for sms_auth")
    now = store.now()
    user: JSON = {
        "auth_type": data.get("auth_type") or "email_auth",
        "can_use_webauthn": False,
        "created_at": iso(now),
        "current_session_id": None,
        "email_access_validated_at": iso(now),
        "email_address": data["email_address"],
        "failed_login_count": 0,
        "id": new_id(),
        "logged_in_at": None,
        "mobile_number": data.get("mobile_number"),
        "name": data["name"],
        "organisation_permissions": {},
        "organisations": [],
        "password_changed_at": plain(now),
        "permissions": {},
        "platform_admin": False,
        "receives_new_features_email": True,
        "services": [],
        "state": state,
        "take_part_in_research": True,
    }
    store.users[user["id"]] = user
    store.passwords[user["id"]] = str(data["password"])
    return user


def join_service(store: Store, user_id: str, service_id: str) -> None:
    """Make the user a member of the service with every permission."""
    user = store.user(user_id)
    if service_id not in user["services"]:
        user["services"].append(service_id)
    user["permissions"][service_id] = list(ALL_PERMISSIONS)


@ROUTES.add("POST", "/user")
def register_user(store: Store, call: Call) -> Reply:
    """POST /user: 201 ``{"data": user}``; 400 with field messages for a bad body."""
    return Reply(201, {"data": snapshot(create_user(store, call.data()))})


@ROUTES.add("GET", "/user/{user_id}")
def get_user(store: Store, call: Call) -> Reply:
    """GET /user/{id}: ``{"data": user}``."""
    return Reply(200, {"data": snapshot(store.user(call.ids["user_id"]))})


@ROUTES.add("POST", "/user/email")
def get_user_by_email(store: Store, call: Call) -> Reply:
    """POST /user/email ``{"email": ...}``: ``{"data": user}``; 404 when nobody has it."""
    data = call.data()
    require(data, "email")
    wanted = str(data["email"]).lower()
    for user in store.users.values():
        if user["email_address"].lower() == wanted:
            return Reply(200, {"data": snapshot(user)})
    raise not_found()


@ROUTES.add("POST", "/user/{user_id}")
def update_user(store: Store, call: Call) -> Reply:
    """POST /user/{id} with attributes: ``{"data": user}`` after the change."""
    user = store.user(call.ids["user_id"])
    data = call.data()
    refuse_unknown(data, USER_UPDATABLE)
    _check_user_fields(store, data, user["id"])
    if data.get("platform_admin") is True:
        raise field_error("platform_admin", "Platform admin can only be granted by Notify")
    changes = {key: value for key, value in data.items() if key != "updated_by"}
    user.update(changes)
    return Reply(200, {"data": snapshot(user)})


@ROUTES.add("POST", "/user/{user_id}/verify/password")
def verify_password(store: Store, call: Call) -> Reply:
    """POST /user/{id}/verify/password ``{"password": ...}``: 204 and the failed-login count
    reset when it is the user's password; 400 ``{"password": ["Incorrect password"]}`` and
    the count raised otherwise."""
    user = store.user(call.ids["user_id"])
    data = call.data()
    if "password" not in data:
        raise field_error("password", "Required field missing data")
    if store.passwords.get(user["id"]) != data["password"]:
        user["failed_login_count"] += 1
        raise field_error("password", "Incorrect password")
    user["failed_login_count"] = 0
    return Reply(204)


@ROUTES.add("POST", "/user/{user_id}/archive")
def archive_user(store: Store, call: Call) -> Reply:
    """POST /user/{id}/archive: 204; the user leaves every service and becomes inactive."""
    user = store.user(call.ids["user_id"])
    stamp = iso(store.now())
    user.update(
        email_address=f"_archived_{stamp}_{user['email_address']}",
        mobile_number=None,
        services=[],
        permissions={},
        state="inactive",
    )
    return Reply(204)


@ROUTES.add("GET", "/service/{service_id}/users")
def get_users_for_service(store: Store, call: Call) -> Reply:
    """GET /service/{id}/users: ``{"data": [user, ...]}``."""
    store.service(call.ids["service_id"])
    return Reply(200, {"data": snapshot(store.members(call.ids["service_id"]))})
