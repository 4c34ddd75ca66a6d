"""Cases for ``notify.invites``."""

from __future__ import annotations

from typing import Any

from tests.cases._answers import a_data_list
from tests.harness import Case, sample_uuid

_SERVICE = sample_uuid("service_id")


def _invite(permissions: str, status: str = "pending", service: str = _SERVICE) -> dict[str, Any]:
    return {"id": sample_uuid(permissions + status), "service": service,
            "status": status, "permissions": permissions}


# A non-empty list (the original raised AttributeError for any): which invites hold what.
_INVITES = [
    _invite("send_emails,send_letters,send_texts,view_activity"),           # send_messages
    _invite("send_emails,send_texts"),                                      # partial: not held
    _invite("send_emails,send_letters,send_texts", status="cancelled"),     # cancelled: nothing
    _invite("manage_settings,manage_users,send_emails,send_letters,send_texts", "accepted"),
    _invite("manage_users"),                                                # partial manage_service
]

CASES: dict[str, list[Case]] = {
    "get_invites_for_service": [a_data_list()],
    "create_invite": [
        Case(
            kwargs={"permissions": ["send_messages", "manage_service", "view_activity", "other"]},
            # Hand-written expectation of the UI -> DB translation (joined sorted by the spec).
            names={
                "translate_permissions_from_ui_to_db": lambda _ui: {
                    "send_texts", "send_emails", "send_letters", "manage_users",
                    "manage_settings", "view_activity", "other",
                }
            },
            id="permissions-translated",
        ),
        Case(
            kwargs={"permissions": ["send_messages", "send_messages"]},
            names={
                "translate_permissions_from_ui_to_db": lambda _ui: {
                    "send_texts", "send_emails", "send_letters",
                }
            },
            id="permissions-deduplicated",
        ),
    ],
    # Fixed latent bug: counted on the JSON instead of calling a method on plain dicts.
    "get_count_of_invites_with_permission": [
        Case(args=(_SERVICE, "send_messages"), response={"data": _INVITES}, returns=2,
             id="send-messages"),
        Case(args=(_SERVICE, "manage_service"), response={"data": _INVITES}, returns=1,
             id="manage-service"),
        Case(args=(_SERVICE, "view_activity"), response={"data": _INVITES}, returns=1,
             id="view-activity"),
        Case(args=(_SERVICE, "manage_api_keys"), response={"data": _INVITES}, returns=0,
             id="none-hold-it"),
        Case(args=(_SERVICE, "send_messages"), response={"data": []}, returns=0, id="empty"),
    ],
}
