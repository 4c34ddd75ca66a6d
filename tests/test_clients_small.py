"""Behaviour of the small clients beyond the catalogue checks: client-side validation, error
translation, the document-download service's headers and errors, cache lifetimes, and the
original's quirks that the SDK fixes."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient, RetryPolicy, request_context
from notify_async.cache import MemoryCache
from notify_async.errors import (
    ConfigurationError,
    DocumentDownloadError,
    HTTPError,
    InvalidArgumentError,
    MissingActingUserError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    TransportError,
)
from tests.conftest import make_client
from tests.harness import CLIENT_ID, DOCUMENT_KEY, SECRET, USER_ID, sample_uuid

SERVICE_ID = sample_uuid("service_id")
APRIL_1 = dt.date(2024, 4, 1)
APRIL_30 = dt.date(2024, 4, 30)

Call = Callable[[NotifyAdminClient], Awaitable[Any]]


def _mock(*responses: httpx.Response | Exception) -> respx.MockRouter:
    """A respx router answering every request with ``responses`` in turn."""
    router = respx.mock(assert_all_called=False)
    router.route().mock(side_effect=list(responses) or [httpx.Response(200, json={})])
    return router


# --- Dates of the reporting endpoints ------------------------------------------------------

BILLING_REPORTS = [
    "get_data_for_billing_report",
    "get_data_for_dvla_billing_report",
    "get_data_for_volumes_by_service_report",
    "get_data_for_daily_volumes_report",
    "get_data_for_daily_sms_provider_volumes_report",
]


@pytest.mark.parametrize("method", BILLING_REPORTS)
@pytest.mark.parametrize(("start", "end"), [(None, APRIL_30), (APRIL_1, None)])
async def test_billing_report_refuses_a_missing_date_before_sending(
    notify: NotifyAdminClient, method: str, start: Any, end: Any
) -> None:
    with _mock() as router:
        with pytest.raises(InvalidArgumentError, match="start_date and end_date"):
            await getattr(notify.billing, method)(start, end)
        assert not router.calls


async def test_performance_dashboard_refuses_a_missing_date_before_sending(
    notify: NotifyAdminClient,
) -> None:
    with _mock() as router:
        with pytest.raises(InvalidArgumentError):
            await notify.performance_dashboard.get_performance_dashboard_stats(
                start_date=APRIL_1,
                end_date=None,  # type: ignore[arg-type]
            )
        assert not router.calls


async def test_billing_report_sends_text_dates_as_given(notify: NotifyAdminClient) -> None:
    with _mock(httpx.Response(200, json=[])) as router:
        await notify.billing.get_data_for_daily_volumes_report("2024-04-01", "2024-04-30")
        request = router.calls.last.request
    assert request.url.path == "/platform-stats/daily-volumes-report"
    assert dict(request.url.params) == {"start_date": "2024-04-01", "end_date": "2024-04-30"}


# --- status --------------------------------------------------------------------------------


async def test_get_status_refuses_more_than_one_query_mapping(notify: NotifyAdminClient) -> None:
    with _mock() as router:
        with pytest.raises(TypeError, match="at most one"):
            await notify.status.get_status({"simple": True}, {"other": 1})
        assert not router.calls


# --- unsubscribe ---------------------------------------------------------------------------

TOKEN = "eyJub3RpZmljYXRpb24iOiIxMjMifQ.secret-signature"


@pytest.mark.parametrize(
    ("status", "error"), [(500, ServerError), (403, PermissionDeniedError), (400, HTTPError)]
)
async def test_unsubscribe_reraises_errors_other_than_404(
    notify: NotifyAdminClient, status: int, error: type[HTTPError]
) -> None:
    answer = httpx.Response(status, json={"result": "error", "message": "nope"})
    with _mock(answer), pytest.raises(error) as raised:
        await notify.unsubscribe_requests.unsubscribe(sample_uuid("notification"), TOKEN)
    assert not isinstance(raised.value, NotFoundError)
    assert raised.value.status_code == status
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)


async def test_unsubscribe_sends_the_token_in_the_path_without_a_body(
    notify: NotifyAdminClient,
) -> None:
    notification_id = sample_uuid("notification")
    with _mock(httpx.Response(200, json={"result": "success"})) as router:
        assert await notify.unsubscribe_requests.unsubscribe(notification_id, TOKEN) is True
        request = router.calls.last.request
    assert request.method == "POST"
    assert request.url.path == f"/unsubscribe/{notification_id}/{TOKEN}"
    assert request.content == b""


# --- document download ---------------------------------------------------------------------

PDF = b"%PDF-1.7\n\x00\x01\xfe\xff"
FILE_NAME = "jane-smith-passport.pdf"


async def _scan(notify: NotifyAdminClient, data: Any = PDF) -> Any:
    return await notify.document_download.file_check_and_antivirus_scan(SERVICE_ID, FILE_NAME, data)


async def test_document_download_uses_its_own_service_and_static_key(
    notify: NotifyAdminClient,
) -> None:
    answer = {"virus_free": True, "mimetype": "application/pdf"}
    context = request_context(user_id=USER_ID, trace_id="a" * 32, span_id="b" * 16)
    with _mock(httpx.Response(200, json=answer)) as router, context:
        assert await _scan(notify) == answer
        request = router.calls.last.request
    assert str(request.url) == (
        f"https://documents.notify.test/services/{SERVICE_ID}/antivirus-and-mimetype-check"
    )
    assert request.headers["Authorization"] == f"Bearer {DOCUMENT_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert "X-Notify-User-Id" not in request.headers
    assert request.headers["X-B3-TraceId"] == "a" * 32
    assert json.loads(request.content) == {
        "document": base64.b64encode(PDF).decode(),
        "filename": FILE_NAME,
    }


@pytest.mark.parametrize(
    "missing", [{"document_download_url": None}, {"document_download_api_key": None}]
)
async def test_document_download_needs_its_url_and_key(missing: dict[str, None]) -> None:
    notify = make_client(**missing)
    with _mock() as router:
        with pytest.raises(ConfigurationError, match="document_download"):
            await _scan(notify)
        assert not router.calls


async def test_document_download_refuses_text_instead_of_bytes(notify: NotifyAdminClient) -> None:
    with _mock() as router:
        with pytest.raises(InvalidArgumentError, match="file_bytes must be bytes"):
            await _scan(notify, "not bytes")
        assert not router.calls


async def test_document_download_400_carries_the_service_error_text(
    notify: NotifyAdminClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"error": "File did not pass the virus scan"}
    caplog.set_level(logging.DEBUG, logger="notify_async")
    with _mock(httpx.Response(400, json=body)), pytest.raises(DocumentDownloadError) as raised:
        await _scan(notify)
    assert raised.value.status_code == 400
    assert raised.value.message == "File did not pass the virus scan"
    assert FILE_NAME not in caplog.text
    assert DOCUMENT_KEY not in caplog.text


async def test_document_download_400_without_error_text_has_no_message(
    notify: NotifyAdminClient,
) -> None:
    answer = httpx.Response(400, json={"message": "other"})
    with _mock(answer), pytest.raises(DocumentDownloadError) as raised:
        await _scan(notify)
    assert (raised.value.status_code, raised.value.message) == (400, None)


async def test_document_download_413_says_the_file_is_too_large(
    notify: NotifyAdminClient,
) -> None:
    answer = httpx.Response(413, text="<html>Request Entity Too Large</html>")
    with _mock(answer), pytest.raises(DocumentDownloadError) as raised:
        await _scan(notify)
    assert raised.value.status_code == 413
    assert raised.value.message == "The file must be smaller than 2MB"  # the original's text


async def test_document_download_other_status_is_an_http_error_with_the_body(
    notify: NotifyAdminClient,
) -> None:
    answer = httpx.Response(500, text="Internal Server Error")
    with _mock(answer), pytest.raises(ServerError) as raised:
        await _scan(notify)
    assert raised.value.status_code == 500
    assert not isinstance(raised.value, DocumentDownloadError)
    assert raised.value.message == "Unhandled document download error: Internal Server Error"


async def test_document_download_errors_read_the_services_error_key(
    notify: NotifyAdminClient,
) -> None:
    answer = httpx.Response(503, json={"error": "Antivirus API unavailable"})
    with _mock(answer), pytest.raises(ServerError) as raised:
        await _scan(notify)
    assert raised.value.message == "Unhandled document download error: Antivirus API unavailable"


async def test_document_download_unreachable_is_a_transport_error(
    notify: NotifyAdminClient,
) -> None:
    with _mock(httpx.ConnectError("connection refused")), pytest.raises(TransportError):
        await _scan(notify)


# --- acting user ---------------------------------------------------------------------------

NEEDS_ACTING_USER: list[tuple[str, Call]] = [
    (
        "create_letter_attachment",
        lambda n: n.letter_attachments.create_letter_attachment(
            upload_id=sample_uuid("upload"),
            original_filename="attachment.pdf",
            page_count=2,
            template_id=sample_uuid("template"),
            service_id=SERVICE_ID,
        ),
    ),
    (
        "create_contact_list",
        lambda n: n.contact_lists.create_contact_list(
            service_id=SERVICE_ID,
            upload_id=sample_uuid("upload"),
            original_file_name="list.csv",
            row_count=3,
            template_type="email",
        ),
    ),
    ("update_provider", lambda n: n.providers.update_provider(sample_uuid("provider"), 10)),
]


@pytest.mark.parametrize(
    "call", [c for _, c in NEEDS_ACTING_USER], ids=[i for i, _ in NEEDS_ACTING_USER]
)
async def test_methods_sending_the_acting_user_need_one(
    notify: NotifyAdminClient, call: Call
) -> None:
    with _mock() as router:
        with pytest.raises(MissingActingUserError):
            await call(notify)
        assert not router.calls


# --- cache lifetimes and invalidation ------------------------------------------------------

SHORT_LIVED: list[tuple[str, Call]] = [
    ("letter-rates", lambda n: n.letter_rates.get_letter_rates()),
    ("sms-rate", lambda n: n.sms_rates.get_sms_rate()),
    (
        "live-service-and-organisation-counts",
        lambda n: n.status.get_count_of_live_services_and_organisations(),
    ),
    (
        "performance-stats-2024-04-01-to-2024-04-30",
        lambda n: n.performance_dashboard.get_performance_dashboard_stats(
            start_date=APRIL_1, end_date=APRIL_30
        ),
    ),
]


@pytest.mark.parametrize("call", [c for _, c in SHORT_LIVED], ids=[k for k, _ in SHORT_LIVED])
async def test_rates_and_dashboard_figures_are_cached_for_one_hour(call: Call) -> None:
    now = [1000.0]
    notify = make_client(MemoryCache(clock=lambda: now[0]))
    # The letter rates are a JSON list; the other figures a JSON object.
    listed = call is SHORT_LIVED[0][1]
    answers = [[{"n": i}] if listed else {"n": i} for i in range(2)]
    with _mock(*[httpx.Response(200, json=answer) for answer in answers]) as router:
        assert await call(notify) == answers[0]
        now[0] += 3599
        assert await call(notify) == answers[0]
        now[0] += 2
        assert await call(notify) == answers[1]
        assert len(router.calls) == 2


async def test_returned_letters_clear_every_services_returned_letter_figures() -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    cleared = [
        f"service-{sample_uuid(s)}-returned-letters-{kind}"
        for s in ("one", "two")
        for kind in ("statistics", "summary")
    ]
    kept = [f"service-{sample_uuid('one')}", f"service-{sample_uuid('one')}-returned-letters"]
    for key in cleared + kept:
        await cache.set(key, b"1", 600)
    with _mock():
        await notify.letter_jobs.submit_returned_letters(["ref-1", "ref-2"])
    assert [await cache.get(k) for k in cleared] == [None] * len(cleared)
    assert [await cache.get(k) for k in kept] == [b"1"] * len(kept)


# --- the original's quirks, fixed ----------------------------------------------------------


async def test_add_inbound_number_resolves_below_a_base_url_with_a_path() -> None:
    # The original's path had no leading slash, so urljoin dropped the base URL's last segment.
    notify = NotifyAdminClient(
        "https://api.notify.test/notify", CLIENT_ID, SECRET, retry=RetryPolicy.disabled()
    )
    with _mock() as router:
        await notify.inbound_numbers.add_inbound_number_to_service(SERVICE_ID)
        request = router.calls.last.request
    assert request.url.path == f"/notify/inbound-number/service/{SERVICE_ID}"
    assert json.loads(request.content) == {}


async def test_rates_are_not_fetched_through_a_redirect(notify: NotifyAdminClient) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get("https://api.notify.test/letter-rates").mock(
            return_value=httpx.Response(308, headers={"Location": "/letter-rates/"})
        )
        router.get("https://api.notify.test/letter-rates/").mock(
            return_value=httpx.Response(200, json=[{"rate": "0.54"}])
        )
        assert await notify.letter_rates.get_letter_rates() == [{"rate": "0.54"}]
        assert [str(c.request.url.path) for c in router.calls] == ["/letter-rates/"]


@pytest.mark.parametrize(
    ("call", "path", "query"),
    [
        (
            lambda n: n.template_statistics.get_monthly_template_usage_for_service(
                SERVICE_ID, "2024&x=1"
            ),
            f"/service/{SERVICE_ID}/notifications/templates_usage/monthly",
            [("year", "2024&x=1")],
        ),
        (
            lambda n: n.uploads.get_letters_by_service_and_print_day(
                SERVICE_ID, letter_print_day="2024-04-02", page="2#frag"
            ),
            f"/service/{SERVICE_ID}/upload/uploaded-letters/2024-04-02",
            [("page", "2#frag")],
        ),
    ],
    ids=["year", "page"],
)
async def test_hand_built_queries_are_encoded(
    notify: NotifyAdminClient, call: Call, path: str, query: list[tuple[str, str]]
) -> None:
    with _mock(httpx.Response(200, json={"stats": [], "data": []})) as router:
        await call(notify)
        request = router.calls.last.request
    assert request.url.path == path
    assert list(request.url.params.multi_items()) == query
