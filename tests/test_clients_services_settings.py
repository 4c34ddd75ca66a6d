"""Behaviour of ``notify.services`` methods in _service_settings.py / _service_reports.py that the
catalogue-driven tests do not show: ordering of cache effects, the daily counter read, errors,
and keeping PII out of URLs and logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient, request_context
from notify_async.cache import MemoryCache
from notify_async.clients._service_reports import utc_today
from notify_async.errors import BadRequestError, InvalidArgumentError, NotFoundError
from tests.conftest import make_client
from tests.harness import BASE_URL, USER_ID, sample_value

SERVICE_ID = sample_value("service_id")
RETENTION_KEY = f"service-{SERVICE_ID}-data-retention"


class RecordingCache(MemoryCache):
    """A MemoryCache that logs invalidations and stored reads into a shared event list."""

    def __init__(self, events: list[tuple[Any, ...]]) -> None:
        super().__init__()
        self.events = events

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, write: object = None
    ) -> None:
        self.events.append(("invalidate", tuple(keys), tuple(patterns)))
        await super().invalidate(keys, patterns)

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        stored = await super().complete_read(key, token, value, ttl)
        if stored:
            self.events.append(("store", key))
        return stored


@pytest.fixture
def events() -> list[tuple[Any, ...]]:
    return []


class FakeApi:
    """Answers every request with ``{}`` unless :meth:`reply` says otherwise; logs each request
    into ``events``."""

    def __init__(self, router: respx.MockRouter, events: list[tuple[Any, ...]]) -> None:
        self.router = router
        self.events = events
        self.replies: dict[tuple[str, str], httpx.Response] = {}
        router.route().mock(side_effect=self._answer)

    def reply(self, verb: str, path: str, status: int, body: Any) -> None:
        self.replies[(verb, path)] = httpx.Response(status, json=body)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.events.append((request.method, request.url.path))
        return self.replies.get((request.method, request.url.path), httpx.Response(200, json={}))

    @property
    def requests(self) -> list[httpx.Request]:
        return [call.request for call in self.router.calls]


@pytest.fixture
def api(events: list[tuple[Any, ...]]) -> Iterator[FakeApi]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield FakeApi(router, events)


def _retention_list(*types: str) -> list[dict[str, Any]]:
    return [
        {"id": f"00000000-0000-4000-8000-00000000000{i}", "notification_type": t}
        for i, t in enumerate(types, start=1)
    ]


# --- cache effects in the original's decorator order ---------------------------------------------


async def test_sender_change_clears_service_then_templates_around_the_post(
    events: list[tuple[Any, ...]], api: FakeApi
) -> None:
    notify = make_client(RecordingCache(events))
    await notify.services.add_sms_sender(SERVICE_ID, "GOVUK", is_default=True)
    service = ("invalidate", (f"service-{SERVICE_ID}",), ())
    templates = ("invalidate", (), (f"service-{SERVICE_ID}-template-*",))
    assert events == [
        service, templates, ("POST", f"/service/{SERVICE_ID}/sms-sender"), templates, service
    ]


async def test_sender_change_clears_every_cached_template_of_the_service_only(
    api: FakeApi,
) -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    other_service = sample_value("other_service_id")
    for key in (
        f"service-{SERVICE_ID}",
        f"service-{SERVICE_ID}-template-t1-version-None",
        f"service-{SERVICE_ID}-template-t2-versions",
        f"service-{other_service}-template-t1-version-None",
    ):
        await cache.set(key, b'"stale"', 600)
    await notify.services.delete_letter_contact(SERVICE_ID, sample_value("letter_contact_id"))
    assert await cache.get(f"service-{SERVICE_ID}") is None
    assert await cache.get(f"service-{SERVICE_ID}-template-t1-version-None") is None
    assert await cache.get(f"service-{SERVICE_ID}-template-t2-versions") is None
    assert await cache.get(f"service-{other_service}-template-t1-version-None") == b'"stale"'


async def test_sender_change_clears_the_canonical_key_for_an_upper_case_service_id(
    api: FakeApi,
) -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    await cache.set(f"service-{SERVICE_ID}", b'"stale"', 600)
    await notify.services.update_reply_to_email_address(
        SERVICE_ID.upper(), sample_value("reply_to_email_id"), "reply@example.gov.uk"
    )
    assert await cache.get(f"service-{SERVICE_ID}") is None


async def test_process_unsubscribe_report_clears_summary_outermost(
    events: list[tuple[Any, ...]], api: FakeApi
) -> None:
    notify = make_client(RecordingCache(events))
    batch_id = sample_value("batch_id")
    await notify.services.process_unsubscribe_request_report(
        SERVICE_ID, batch_id, {"report_has_been_processed": True}
    )
    summary = ("invalidate", (f"service-{SERVICE_ID}-unsubscribe-request-reports-summary",), ())
    statistics = ("invalidate", (f"service-{SERVICE_ID}-unsubscribe-request-statistics",), ())
    post = ("POST", f"/service/{SERVICE_ID}/process-unsubscribe-request-report/{batch_id}")
    assert events == [summary, statistics, post, statistics, summary]


# --- set_service_data_retention ------------------------------------------------------------------


async def test_set_service_data_retention_nests_cache_effects_in_the_original_order(
    events: list[tuple[Any, ...]], api: FakeApi
) -> None:
    api.reply("GET", f"/service/{SERVICE_ID}/data-retention", 200, _retention_list("sms"))
    notify = make_client(RecordingCache(events))
    await notify.services.set_service_data_retention(SERVICE_ID, 30)

    clear = ("invalidate", (RETENTION_KEY,), ())
    base = f"/service/{SERVICE_ID}/data-retention"
    assert events == [
        clear,  # outer, before
        ("GET", base), ("store", RETENTION_KEY),  # the read-through repopulates the list
        clear, ("POST", base), clear,  # email: created
        clear, ("POST", f"{base}/00000000-0000-4000-8000-000000000001"), clear,  # sms: updated
        clear, ("POST", base), clear,  # letter: created
        clear,  # outer, after
    ]


async def test_set_service_data_retention_reads_the_list_afresh_not_from_cache(
    api: FakeApi,
) -> None:
    cache = MemoryCache()
    stale = json.dumps(_retention_list("email", "sms", "letter")).encode()
    await cache.set(RETENTION_KEY, stale, 600)
    api.reply("GET", f"/service/{SERVICE_ID}/data-retention", 200, [])
    notify = make_client(cache)
    await notify.services.set_service_data_retention(SERVICE_ID, 30)
    posts = [r for r in api.requests if r.method == "POST"]
    assert [json.loads(r.content)["notification_type"] for r in posts] == ["email", "sms", "letter"]
    assert all(r.url.path == f"/service/{SERVICE_ID}/data-retention" for r in posts)


async def test_set_service_data_retention_stops_at_the_first_failed_post(
    api: FakeApi,
) -> None:
    base = f"/service/{SERVICE_ID}/data-retention"
    api.reply("GET", base, 200, _retention_list("email"))
    api.reply("POST", base, 400, {"message": "days_of_retention is invalid"})
    notify = make_client()
    with pytest.raises(BadRequestError):
        await notify.services.set_service_data_retention(SERVICE_ID, -1)
    assert [(r.method, r.url.path) for r in api.requests] == [
        ("GET", base), ("POST", f"{base}/00000000-0000-4000-8000-000000000001"), ("POST", base)
    ]


# --- get_notification_count ----------------------------------------------------------------------


def _counting_client(cache: MemoryCache | bool, day: dt.date) -> NotifyAdminClient:
    notify = make_client(cache)
    notify.services._utc_today = lambda: day
    return notify


async def test_notification_count_reads_todays_counter_without_a_request() -> None:
    cache = MemoryCache()
    await cache.set(f"{SERVICE_ID}-sms-2024-05-17-count", b"42", 600)
    await cache.set(f"{SERVICE_ID}-sms-2024-05-16-count", b"99", 600)
    await cache.set(f"{SERVICE_ID}-email-2024-05-17-count", b"7", 600)
    notify = _counting_client(cache, dt.date(2024, 5, 17))
    with respx.mock(assert_all_mocked=True):  # any request would fail: no route is mocked
        assert await notify.services.get_notification_count(SERVICE_ID, "sms") == 42
        assert await notify.services.get_notification_count(SERVICE_ID, "email") == 7
        assert await notify.services.get_notification_count(SERVICE_ID, "letter") == 0


async def test_notification_count_uses_the_service_id_as_given() -> None:
    cache = MemoryCache()
    await cache.set(f"{SERVICE_ID.upper()}-sms-2024-05-17-count", b"3", 600)
    notify = _counting_client(cache, dt.date(2024, 5, 17))
    assert await notify.services.get_notification_count(SERVICE_ID.upper(), "sms") == 3
    assert await notify.services.get_notification_count(SERVICE_ID, "sms") == 0


async def test_notification_count_is_zero_without_a_cache() -> None:
    notify = _counting_client(False, dt.date(2024, 5, 17))
    assert await notify.services.get_notification_count(SERVICE_ID, "sms") == 0


@pytest.mark.parametrize("notification_type", ["", None])
async def test_notification_count_refuses_an_empty_notification_type(
    notification_type: Any,
) -> None:
    notify = make_client()
    with pytest.raises(InvalidArgumentError, match="notification_type"):
        await notify.services.get_notification_count(SERVICE_ID, notification_type)


async def test_notification_count_rejects_a_counter_that_is_not_a_number() -> None:
    cache = MemoryCache()
    await cache.set(f"{SERVICE_ID}-sms-2024-05-17-count", b"many", 600)
    notify = _counting_client(cache, dt.date(2024, 5, 17))
    with pytest.raises(ValueError):
        await notify.services.get_notification_count(SERVICE_ID, "sms")


def test_default_day_is_todays_utc_date() -> None:
    before = dt.datetime.now(dt.UTC).date()
    today = utc_today()
    after = dt.datetime.now(dt.UTC).date()
    assert today in (before, after)
    assert make_client().services._utc_today() in (before, after)


# --- errors, path safety and PII ------------------------------------------------------------------


async def test_unknown_sender_raises_not_found(api: FakeApi) -> None:
    sms_sender_id = sample_value("sms_sender_id")
    path = f"/service/{SERVICE_ID}/sms-sender/{sms_sender_id}"
    api.reply("GET", path, 404, {"message": "No result found"})
    notify = make_client()
    with pytest.raises(NotFoundError) as caught:
        await notify.services.get_sms_sender(SERVICE_ID, sms_sender_id)
    assert caught.value.status_code == 404


async def test_failed_sender_change_keeps_the_before_invalidation(api: FakeApi) -> None:
    path = f"/service/{SERVICE_ID}/letter-contact"
    api.reply("POST", path, 400, {"message": "contact_block is required"})
    cache = MemoryCache()
    await cache.set(f"service-{SERVICE_ID}", b'"stale"', 600)
    notify = make_client(cache)
    with pytest.raises(BadRequestError):
        await notify.services.add_letter_contact(SERVICE_ID, "")
    assert await cache.get(f"service-{SERVICE_ID}") is None


@pytest.mark.parametrize("bad_id", ["..", "a/b", ""])
async def test_sender_id_that_is_not_a_path_segment_is_refused_before_sending(
    api: FakeApi, bad_id: str
) -> None:
    notify = make_client()
    with pytest.raises(InvalidArgumentError):
        await notify.services.delete_sms_sender(SERVICE_ID, bad_id)
    assert not api.requests


async def test_inbound_sms_search_keeps_the_phone_number_out_of_url_and_logs(
    api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    notify = make_client()
    with caplog.at_level(logging.DEBUG, logger="notify_async"), request_context(user_id=USER_ID):
        await notify.services.get_inbound_sms(SERVICE_ID, "447700900123")
    request = api.requests[-1]
    assert "447700900123" not in str(request.url)
    assert json.loads(request.content) == {"phone_number": "447700900123"}
    assert caplog.records
    assert "447700900123" not in caplog.text


async def test_callback_token_is_sent_only_in_the_body(
    api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    notify = make_client()
    with caplog.at_level(logging.DEBUG, logger="notify_async"):
        await notify.services.create_service_callback_api(
            SERVICE_ID, "https://example.gov.uk/cb", "secret-bearer-token-value", USER_ID,
            "delivery_status",
        )
    request = api.requests[-1]
    assert json.loads(request.content)["bearer_token"] == "secret-bearer-token-value"
    assert json.loads(request.content)["updated_by_id"] == USER_ID
    assert "secret-bearer-token-value" not in str(request.url)
    assert "secret-bearer-token-value" not in caplog.text
