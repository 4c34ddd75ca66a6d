"""Behaviour of ``notify.notifications`` beyond the catalogue checks: the recipient search stays
out of URLs and logs, the job search the API cannot serve, acting users and paths."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient, RetryPolicy, request_context
from notify_async.errors import InvalidArgumentError, MissingActingUserError
from tests.conftest import make_client
from tests.harness import CLIENT_ID, SECRET, USER_ID, sample_uuid

SERVICE_ID = sample_uuid("service_id")
JOB_ID = sample_uuid("job_id")
RECIPIENT = "ada.lovelace@example.gov.uk"


def _mock(status: int = 200, body: Any = None) -> respx.MockRouter:
    router = respx.mock(assert_all_called=False)
    router.route().mock(return_value=httpx.Response(status, json={} if body is None else body))
    return router


async def test_recipient_search_stays_out_of_the_url_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notify = make_client()
    with caplog.at_level(logging.DEBUG, logger="notify_async"), _mock() as router:
        await notify.notifications.get_notifications_for_service(SERVICE_ID, to=RECIPIENT, page=1)
        request = router.calls[0].request
    assert request.method == "POST"
    assert RECIPIENT not in str(request.url)
    assert json.loads(request.content) == {"to": RECIPIENT, "page": 1}
    assert caplog.records, "the request was not logged"
    assert all(RECIPIENT not in record.getMessage() for record in caplog.records)


async def test_search_within_a_job_is_refused_before_sending() -> None:
    """The original sent a POST to the job's GET-only route (405 from the API); the SDK refuses
    the combination up front, without the recipient in the error."""
    notify = make_client()
    with _mock(200, {}) as router:
        with pytest.raises(InvalidArgumentError, match="either job_id or to") as caught:
            await notify.notifications.get_notifications_for_service(
                SERVICE_ID, JOB_ID, to=RECIPIENT
            )
        assert not router.calls
    assert RECIPIENT not in str(caught.value)
    assert RECIPIENT not in repr(caught.value)


async def test_filters_in_a_post_body_keep_their_json_types() -> None:
    notify = make_client()
    with _mock() as router:
        await notify.notifications.get_notifications_for_service(
            SERVICE_ID, status=["delivered", "failed"], include_jobs=False, limit_days=7,
            to="07700900123",
        )
        body = json.loads(router.calls[0].request.content)
    assert body == {"status": ["delivered", "failed"], "include_jobs": False,
                    "to": "07700900123", "limit_days": 7}


async def test_filters_in_a_query_follow_python_requests() -> None:
    notify = make_client()
    with _mock() as router:
        await notify.notifications.get_notifications_for_service(
            SERVICE_ID, status=["delivered", "failed"], include_jobs=True, count_pages=False
        )
        query = router.calls[0].request.url.params
    assert query.get_list("status") == ["delivered", "failed"]
    assert (query["include_jobs"], query["count_pages"]) == ("True", "False")


@pytest.mark.parametrize("method", ["send_notification", "send_precompiled_letter"])
async def test_sending_needs_an_acting_user(method: str) -> None:
    notify = make_client()
    arguments: dict[str, Any] = (
        {"template_id": sample_uuid("t"), "recipient": RECIPIENT, "personalisation": None,
         "sender_id": None}
        if method == "send_notification"
        else {"filename": "a.pdf", "file_id": sample_uuid("f"), "postage": "first",
              "recipient_address": "A\nB\nSW1A 1AA"}
    )
    with _mock() as router:
        with pytest.raises(MissingActingUserError) as caught:
            await getattr(notify.notifications, method)(SERVICE_ID, **arguments)
        assert not router.calls
    assert RECIPIENT not in str(caught.value)


async def test_send_notification_puts_created_by_first() -> None:
    notify = make_client()
    with _mock() as router, request_context(user_id=USER_ID):
        await notify.notifications.send_notification(
            SERVICE_ID, template_id=sample_uuid("t"), recipient=RECIPIENT,
            personalisation={"name": "Ada"}, sender_id=sample_uuid("sender"),
        )
        body = json.loads(router.calls[0].request.content)
    assert list(body) == ["created_by", "template_id", "to", "personalisation", "sender_id"]


async def test_monthly_data_resolves_below_the_base_url_path() -> None:
    notify = NotifyAdminClient("https://api.notify.test/notify-api/", CLIENT_ID, SECRET,
                               retry=RetryPolicy.disabled())
    with _mock(body=[]) as router:
        await notify.notifications.get_notification_status_by_service(
            dt.date(2024, 4, 1), "2024-04-30"
        )
        url = router.calls[0].request.url
    assert url.path == "/notify-api/service/monthly-data-by-service"
    assert dict(url.params) == {"start_date": "2024-04-01", "end_date": "2024-04-30"}


async def test_count_for_job_reads_the_count() -> None:
    notify = make_client()
    with _mock(body={"count": 12}):
        assert await notify.notifications.get_notification_count_for_job_id(
            service_id=SERVICE_ID, job_id=JOB_ID
        ) == 12
