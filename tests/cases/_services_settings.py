"""Cases for ServiceAPIClient methods implemented in notify_async/clients/_service_settings.py
and notify_async/clients/_service_reports.py."""

from __future__ import annotations

from typing import Any

from tests.cases._answers import a_list, no_content
from tests.harness import RESPONSE, Case, Req, sample_value

SERVICE_ID = sample_value("service_id")
RETENTION_PATH = f"/service/{SERVICE_ID}/data-retention"
EMAIL_RETENTION_ID = "0f9b5e5c-7c1a-4b57-9c3f-0a1b2c3d4e01"
LETTER_RETENTION_ID = "0f9b5e5c-7c1a-4b57-9c3f-0a1b2c3d4e03"


def _retention(entry_id: str, notification_type: str) -> dict[str, Any]:
    return {"id": entry_id, "notification_type": notification_type, "days_of_retention": 7}


def _create(notification_type: str) -> Req:
    body = {"notification_type": notification_type, "days_of_retention": 30}
    return Req("POST", RETENTION_PATH, body=body)


def _update(entry_id: str) -> Req:
    return Req("POST", f"{RETENTION_PATH}/{entry_id}", body={"days_of_retention": 30})


def _set_retention(current: list[dict[str, Any]], posts: list[Req], case_id: str) -> Case:
    return Case(
        kwargs={"days_of_retention": 30},
        requests=[Req("GET", RETENTION_PATH), *posts],
        response=[current, RESPONSE, RESPONSE, RESPONSE],
        returns=None,
        id=case_id,
    )


def _hand_query(name: str, value: str, status: int = 200) -> list[Case]:
    """The default case plus one whose value needs percent-encoding (sent as one query value,
    where the original pasted it raw into the URL)."""
    return [
        Case(status=status, id="plain"),
        Case(kwargs={name: value}, status=status, id="percent-encoded"),
    ]


def _default_or_not() -> list[Case]:
    return [Case(id="not-default"), Case(kwargs={"is_default": True}, id="default")]


CASES: dict[str, list[Case]] = {
    "get_reply_to_email_addresses": [a_list()],
    "get_letter_contacts": [a_list()],
    "get_sms_senders": [a_list()],
    "get_service_data_retention": [a_list()],
    "get_returned_letter_summary": [a_list()],
    "get_unsubscribe_reports_summary": [a_list()],
    "update_service_data_retention": [no_content()],
    "get_inbound_sms": [
        Case(id="all-numbers"),
        Case(kwargs={"user_number": "447700900123"}, id="one-number"),
    ],
    "get_most_recent_inbound_sms": [
        Case(id="no-page"),
        Case(kwargs={"page": 3}, id="page"),
    ],
    "add_reply_to_email_address": _default_or_not(),
    "add_letter_contact": _default_or_not(),
    "add_sms_sender": _default_or_not(),
    "update_service_callback_api": [
        Case(id="new-token"),
        Case(kwargs={"bearer_token": ""}, id="keeps-token"),
    ],
    "get_service_callback_api": _hand_query("callback_type", "delivery_status&x=1 #"),
    "delete_service_callback_api": _hand_query("callback_type", "complaint?x=1&y=2", 204),
    "get_returned_letters": _hand_query("reported_at", "2024-04-01 10:00&x=1"),
    "get_notification_count": [Case(requests=[], returns=0, id="no-counter")],
    "set_service_data_retention": [
        _set_retention(
            [], [_create("email"), _create("sms"), _create("letter")], "creates-all"
        ),
        _set_retention(
            [
                _retention(LETTER_RETENTION_ID, "letter"),
                _retention("0f9b5e5c-7c1a-4b57-9c3f-0a1b2c3d4e02", "sms"),
                _retention(EMAIL_RETENTION_ID, "email"),
            ],
            [_update(EMAIL_RETENTION_ID), _update("0f9b5e5c-7c1a-4b57-9c3f-0a1b2c3d4e02"),
             _update(LETTER_RETENTION_ID)],
            "updates-all",
        ),
        _set_retention(
            [_retention(EMAIL_RETENTION_ID, "email"), _retention(LETTER_RETENTION_ID, "letter")],
            [_update(EMAIL_RETENTION_ID), _create("sms"), _update(LETTER_RETENTION_ID)],
            "mixed",
        ),
    ],
    "process_unsubscribe_request_report": [
        Case(id="sample"),
        Case(kwargs={"data": {"report_has_been_processed": True}}, id="mapping"),
    ],
    "create_unsubscribe_request_report": [
        Case(id="sample"),
        Case(
            kwargs={"data": {"count": 2, "earliest_timestamp": "2024-04-01T00:00:00"}},
            id="mapping",
        ),
    ],
}
