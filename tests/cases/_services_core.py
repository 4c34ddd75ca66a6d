"""Cases for ServiceAPIClient methods implemented in notify_async/clients/_service_core.py and
notify_async/clients/_service_templates.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from notify_async.errors import BadRequestError, HTTPError
from tests.cases._answers import no_content
from tests.harness import RESPONSE, USER_ID, Case, Req, sample_value

SERVICE_ID = sample_value("service_id")
TEMPLATE_ID = sample_value("template_id")
SERVICE_PATH = f"/service/{SERVICE_ID}"
TEMPLATE_PATH = f"{SERVICE_PATH}/template/{TEMPLATE_ID}"
OTHER_USER_ID = "0d2e9f5c-3b7a-4c1e-9f00-1a2b3c4d5e6f"


class RecentUtcTimestamp:
    """Equal to a naive ``YYYY-MM-DD HH:MM:SS[.ffffff]`` string (``str()`` of a naive datetime)
    within a minute of the current UTC time: ``go_live_at`` is stamped with the real clock."""

    _FORMAT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str) or not self._FORMAT.fullmatch(other):
            return False
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return abs(now - dt.datetime.fromisoformat(other)) < dt.timedelta(minutes=1)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<naive UTC timestamp of now>"


def _status_body(live: bool) -> dict[str, Any]:
    limits = {"email": 250_000, "sms": 250_000, "letter": 20_000} if live else None
    return {
        "created_by": USER_ID,
        **{f"{c}_message_limit": limits[c] if limits else 50 for c in ("email", "sms", "letter")},
        "restricted": not live,
        "go_live_at": RecentUtcTimestamp() if live else None,
        "has_active_go_live_request": False,
    }


def _query_mapping(verb_path: str, params: dict[str, Any], query: tuple[tuple[str, str], ...],
                   case_id: str) -> Case:
    """A case passing ``params`` as the caller's query mapping."""
    return Case(kwargs={"params_dict": params}, requests=[Req("GET", verb_path, query)], id=case_id)


def _parse_cases(message: Any, returns: str | None, case_id: str) -> Case:
    """A case calling a parse_*_http_error helper with an error carrying ``message``."""
    error = BadRequestError(message, status_code=400, method="POST", path="/service/{service_id}")
    return Case(args=(error,), requests=[], returns=returns, id=case_id)


_FIELD_ERRORS = {"name": ["Duplicate service name 'Example'"]}
_NON_LATIN = {"normalised_service_name": ["Non-Latin characters"], "name": ["taken"]}
_SENDER_ERRORS = {"email_sender_local_part": ["Non-Latin characters"]}

CASES: dict[str, list[Case]] = {
    "remove_user_from_service": [no_content()],
    "update_guest_list": [no_content()],
    "redact_service_template": [no_content()],
    "get_service_statistics": [
        Case(id="server-default-days"),
        Case(kwargs={"limit_days": 30}, id="limit-days"),
    ],
    "get_services": [
        Case(id="no-query"),
        _query_mapping(
            "/service", {"detailed": True, "user_id": OTHER_USER_ID, "start_date": None},
            (("detailed", "True"), ("user_id", OTHER_USER_ID)), "query-mapping",
        ),
    ],
    "get_live_services_data": [
        Case(id="no-query"),
        _query_mapping(
            "/service/live-services-data", {"ignored": "yes"}, (("ignored", "yes"),),
            "forwards-ignored-query",
        ),
    ],
    # Fixed: the original crashed on the default None (item assignment on None).
    "get_active_services": [
        Case(requests=[Req("GET", "/service", (("only_active", "True"),))], id="default-none"),
        _query_mapping(
            "/service", {"detailed": False, "only_active": False},
            (("detailed", "False"), ("only_active", "True")), "adds-only-active",
        ),
    ],
    "update_service": [
        Case(id="no-attributes"),
        Case(kwargs={"name": "New name", "restricted": False, "permissions": ["email"]},
             id="attributes"),
    ],
    "update_status": [
        Case(kwargs={"live": True}, returns=RESPONSE, id="live", requests=[
            Req("POST", SERVICE_PATH, body=_status_body(True), body_first_key="created_by"),
        ]),
        Case(kwargs={"live": False}, returns=RESPONSE, id="trial-mode"),
    ],
    "update_count_as_live": [
        Case(kwargs={"count_as_live": False}, returns=RESPONSE, id="not-counted"),
    ],
    "archive_service": [
        Case(status=204, id="with-cached-users"),
        Case(kwargs={"cached_service_user_ids": []}, status=204, id="no-cached-users"),
    ],
    "create_service_template": [
        Case(id="minimal"),
        Case(kwargs={"subject": "", "parent_folder_id": None}, id="falsy-optional-not-sent"),
        Case(kwargs={"subject": "Hello ((name))", "parent_folder_id": sample_value("folder_id"),
                     "has_unsubscribe_link": True}, id="subject-folder-unsubscribe"),
        Case(kwargs={"type_": "letter", "letter_languages": "english"}, id="english-letter"),
        Case(kwargs={"type_": "letter", "letter_languages": "welsh_then_english",
                     "letter_welsh_subject": "Helo", "letter_welsh_content": "Cynnwys"},
             id="welsh-letter"),
    ],
    "update_service_template": [
        Case(id="no-attributes"),
        Case(kwargs={"name": "Renamed", "content": "Hi ((name))", "postage": "second",
                     "archive_email_file_ids": [sample_value("file_id")]}, id="attributes"),
    ],
    "update_service_template_sender": [
        Case(id="sender"),
        Case(kwargs={"reply_to": None}, id="service-default"),
    ],
    "get_service_template": [
        Case(variant=0, id="latest"),
        Case(kwargs={"version": 0}, variant=0, id="version-zero-is-latest"),
        Case(kwargs={"version": 3}, variant=1, id="version"),
    ],
    "update_service_join_requests": [
        Case(id="empty-body"),
        Case(kwargs={"status": "approved", "status_changed_by_id": USER_ID,
                     "permissions": ["send_messages"], "folder_permissions": []}, id="approve"),
    ],
    "parse_edit_service_http_error": [
        _parse_cases(_NON_LATIN, "Service name cannot include characters from a non-Latin "
                     "alphabet", "non-latin-name"),
        _parse_cases(_FIELD_ERRORS, "This service name is already in use - enter a unique name",
                     "name-taken"),
        _parse_cases({"restricted": ["bad"]}, None, "other-field"),
        # Deliberate difference: plain-text messages give None (the original raised).
        _parse_cases("Internal error", None, "plain-text-message"),
    ],
    "parse_custom_email_sender_name_http_error": [
        _parse_cases(_SENDER_ERRORS, "Sender name cannot include characters from a non-Latin "
                     "alphabet", "non-latin-sender"),
        _parse_cases(_FIELD_ERRORS, None, "other-field"),
        Case(args=(HTTPError(status_code=503),), requests=[], returns=None, id="no-response"),
    ],
}
