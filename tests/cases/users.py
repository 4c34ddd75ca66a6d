"""Cases for ``notify.users``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from tests.cases._answers import a_data_list, no_content
from tests.harness import ADMIN_URL, RESPONSE, Case, Req, sample_uuid

_USER = sample_uuid("user_id")
_SERVICE = sample_uuid("service_id")
_FOLDERS = [sample_uuid("folder-1"), sample_uuid("folder-2")]
_MOBILE = "07700900123"


@attrs.frozen
class Credential:
    """Stands in for the admin app's ``WebAuthnCredential`` model."""

    name: str
    credential_data: str
    registration_response: str

    def serialize(self) -> dict[str, Any]:
        return attrs.asdict(self)


_CREDENTIAL = Credential("Security key", "Y3JlZGVudGlhbA==", "cmVnaXN0cmF0aW9u")


def _translated(*db: str) -> dict[str, Any]:
    """Hand-written UI -> DB translation, sent sorted by the SDK (the original: set order)."""

    def translate(_ui: Iterable[str]) -> list[str]:
        return sorted(db)

    return {"translate_permissions_from_ui_to_db": translate}


def _post(path: str, body: Any) -> list[Req]:
    return [Req("POST", path, body=body)]


def _refusal(status: int, message: str) -> Case:
    return Case(status=status, response={"result": "error", "message": message},
                returns=(False, message), id=f"{status}-refused")


CASES: dict[str, list[Case]] = {
    "archive_user": [no_content()],
    "get_users_for_service": [a_data_list()],
    "get_users_for_organisation": [a_data_list()],
    "get_webauthn_credentials_for_user": [a_data_list()],
    "get_user_by_email_or_none": [
        Case(returns=RESPONSE["data"], id="found"),
        Case(status=404, response={"result": "error", "message": "Not found"}, returns=None,
             id="404-none"),
    ],
    "update_user_attribute": [
        Case(id="nothing"),
        Case(args=(_USER,), kwargs={"name": "Ada", "mobile_number": _MOBILE,
                                    "platform_admin": False}, id="allowed-attributes"),
    ],
    "verify_password": [
        Case(returns=True, id="ok"),
        Case(status=400, response={"message": "Incorrect password"}, returns=False, id="400"),
        Case(status=404, response={"message": "User not found"}, returns=False, id="404"),
    ],
    "send_verify_code": [
        Case(args=(_USER, "sms", _MOBILE),
             requests=_post(f"/user/{_USER}/sms-code", {"to": _MOBILE}), id="sms"),
        Case(args=(_USER, "sms", _MOBILE, "/services/x"),
             requests=_post(f"/user/{_USER}/sms-code", {"to": _MOBILE, "next": "/services/x"}),
             id="sms-next"),
        Case(args=(_USER, "email", "a@example.gov.uk", "/services/x"),
             requests=_post(f"/user/{_USER}/email-code", {
                 "to": "a@example.gov.uk", "next": "/services/x",
                 "email_auth_link_host": ADMIN_URL}),
             id="email-link-host-next"),
        Case(args=(_USER, "email", "a@example.gov.uk", ""),
             requests=_post(f"/user/{_USER}/email-code", {
                 "to": "a@example.gov.uk", "email_auth_link_host": ADMIN_URL}),
             id="email-empty-next-not-sent"),
    ],
    "check_verify_code": [
        Case(returns=(True, ""), id="ok"),
        _refusal(400, "Code not found"),
        _refusal(404, "Code has expired"),
    ],
    "complete_webauthn_login_attempt": [
        Case(args=(_USER, True, sample_uuid("credential")), returns=(True, ""), id="ok"),
        Case(args=(_USER, False, None), returns=(True, ""), id="failed-attempt-recorded"),
        _refusal(403, "Maximum login count exceeded"),
    ],
    "add_user_to_service": [
        Case(
            args=(_SERVICE, _USER, ["send_messages", "manage_service", "view_activity"], _FOLDERS),
            names=_translated("send_texts", "send_emails", "send_letters", "manage_users",
                              "manage_settings", "view_activity"),
            id="translated-sorted",
        ),
        Case(args=(_SERVICE, _USER, ["manage_templates", "custom"], []),
             names=_translated("manage_templates", "custom"), id="unknown-passes-through"),
    ],
    "add_user_to_organisation": [
        Case(args=(sample_uuid("org_id"), _USER, ["can_make_services_live"]), id="wrapped"),
    ],
    "set_user_permissions": [
        Case(args=(_USER, _SERVICE, ["manage_api_keys", "send_messages"]),
             names=_translated("manage_api_keys", "send_texts", "send_emails", "send_letters"),
             id="no-folders"),
        Case(args=(_USER, _SERVICE, ["view_activity"], _FOLDERS),
             names=_translated("view_activity"), id="folders"),
        Case(args=(_USER, _SERVICE, [], []), names=_translated(), id="empty-folders-sent"),
    ],
    "set_organisation_permissions": [
        Case(args=(_USER, sample_uuid("organisation_id"), ["can_make_services_live"]),
             id="as-given"),
    ],
    "send_reset_password_url": [
        Case(id="no-next"),
        Case(args=("a@example.gov.uk", "/services/x"),
             requests=_post("/user/reset-password", {
                 "email": "a@example.gov.uk", "admin_base_url": ADMIN_URL, "next": "/services/x"}),
             id="next"),
    ],
    "create_webauthn_credential_for_user": [
        Case(args=(_USER, _CREDENTIAL), id="serialize"),
        Case(args=(_USER, attrs.asdict(_CREDENTIAL)),
             requests=_post(f"/user/{_USER}/webauthn", attrs.asdict(_CREDENTIAL)), id="mapping"),
    ],
}
