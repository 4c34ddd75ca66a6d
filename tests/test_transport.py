"""The transport: URLs, path encoding, query strings, JSON bodies, headers, responses and errors.

Retries and the in-flight cap are in ``test_transport_retry.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import pickle
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
import respx

from notify_async import NotifyAdminClient, request_context
from notify_async._constants import VERSION
from notify_async.config import RetryPolicy
from notify_async.errors import (
    AuthenticationError,
    BadRequestError,
    CacheInvalidationError,
    ConflictError,
    DocumentDownloadError,
    HTTP503Error,
    HTTPError,
    InvalidArgumentError,
    InvalidResponse,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from tests.conftest import make_client
from tests.harness import BASE_URL, CLIENT_ID, SECRET
from tests.transport_matrix import each_transport  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("each_transport")

SERVICE = "0f4b8b5e-51c5-4a38-9b57-5f0c1d4e2a10"
USER = "6ce466d0-fd6a-11e5-82f5-e0accb9d11a6"
EMAIL = "jo.bloggs@example.gov.uk"
PHONE = "07700 900123"


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """respx answering every request to the API with ``{"ok": true}`` unless a test says else."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.route().respond(200, json={"ok": True})
        yield router


def last_request(api: respx.MockRouter) -> httpx.Request:
    request: httpx.Request = api.calls.last.request
    return request


async def get(notify: NotifyAdminClient, template: str, **kwargs: Any) -> Any:
    """One GET through the facade's transport."""
    return await notify._transport.request("GET", template, **kwargs)


def answer(api: respx.MockRouter, response: httpx.Response) -> None:
    api.routes.clear()
    api.route().mock(return_value=response)


# --- URLs and path parameters -------------------------------------------------------------------


async def test_paths_resolve_below_a_base_url_with_a_path_component() -> None:
    notify = NotifyAdminClient("https://gateway.test/notify/", CLIENT_ID, SECRET)
    async with notify:
        with respx.mock(assert_all_called=False) as router:
            router.route().respond(200, json={})
            await get(notify, "/service/{service_id}", path_params={"service_id": SERVICE})
            await get(notify, "service/{service_id}", path_params={"service_id": SERVICE})
            urls = [str(call.request.url) for call in router.calls]
    assert urls == [f"https://gateway.test/notify/service/{SERVICE}"] * 2


async def test_a_template_without_a_leading_slash_resolves_like_one_with_it(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await get(notify, "status")
    assert str(last_request(api).url) == f"{BASE_URL}/status"


async def test_path_values_are_percent_encoded_as_one_segment(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await get(notify, "/x/{name}", path_params={"name": "a b?c#d%e&f+g@h"})
    assert last_request(api).url.raw_path == b"/x/a%20b%3Fc%23d%25e%26f%2Bg%40h"


@pytest.mark.parametrize(
    "value", [uuid.UUID(SERVICE), 42, dt.date(2024, 4, 1)], ids=["uuid", "int", "date"]
)
async def test_uuid_int_and_date_path_values_are_accepted(
    notify: NotifyAdminClient, api: respx.MockRouter, value: object
) -> None:
    await get(notify, "/x/{v}", path_params={"v": value})
    expected = value.isoformat() if isinstance(value, dt.date) else str(value)
    assert last_request(api).url.path == f"/x/{expected}"


@pytest.mark.parametrize(
    "value",
    [".", "..", "a/b", "/", "", None, "a\\b", True, 1.5, b"id"],
    ids=["dot", "dotdot", "slash-inside", "slash", "empty", "none", "backslash", "bool", "float",
         "bytes"],
)
async def test_unsafe_path_values_are_refused_before_any_request(
    notify: NotifyAdminClient, api: respx.MockRouter, value: object
) -> None:
    with pytest.raises(InvalidArgumentError, match="service_id"):
        await get(notify, "/service/{service_id}/x", path_params={"service_id": value})
    assert not api.calls


async def test_a_missing_path_value_is_refused_before_any_request(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    with pytest.raises(InvalidArgumentError, match="job_id is missing"):
        await get(notify, "/service/{service_id}/job/{job_id}", path_params={"service_id": "s"})
    assert not api.calls


# --- Query strings ------------------------------------------------------------------------------


async def test_query_drops_none_and_writes_booleans_as_python_does(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await get(notify, "/q", params={"only_active": True, "detailed": False, "page": None,
                                    "limit_days": 7})
    assert last_request(api).url.query == b"only_active=True&detailed=False&limit_days=7"


async def test_query_lists_become_repeated_keys(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await get(notify, "/q", params={"status": ["sending", "delivered"], "type": ("sms",)})
    assert last_request(api).url.params.multi_items() == [
        ("status", "sending"), ("status", "delivered"), ("type", "sms")
    ]


async def test_query_values_are_percent_encoded(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await get(notify, "/q", params={"name": "a&b=c d", "day": dt.date(2024, 4, 1)})
    request = last_request(api)
    assert request.url.params.multi_items() == [("name", "a&b=c d"), ("day", "2024-04-01")]
    assert b"a&b" not in request.url.query


# --- JSON bodies --------------------------------------------------------------------------------


async def post(notify: NotifyAdminClient, body: Any) -> Any:
    return await notify._transport.request("POST", "/body", body=body)


async def test_a_body_is_sent_as_json_with_the_standard_separators(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    body = {"name": "Café", "ids": [1, 2], "nested": {"a": None}}
    await post(notify, body)
    assert last_request(api).content == json.dumps(body).encode()


async def test_sets_and_tuples_are_sent_as_arrays(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await post(notify, {"permissions": {"send_texts", "manage_api_keys"}, "pair": (1, 2)})
    assert json.loads(last_request(api).content) == {
        "permissions": ["manage_api_keys", "send_texts"], "pair": [1, 2]
    }


async def test_uuids_and_dates_in_a_body_are_sent_as_strings(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await post(notify, {"id": uuid.UUID(SERVICE), "day": dt.date(2024, 4, 1)})
    assert json.loads(last_request(api).content) == {"id": SERVICE, "day": "2024-04-01"}


async def test_no_body_is_sent_when_the_body_is_none(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await post(notify, None)
    assert last_request(api).content == b""


async def test_an_empty_dict_body_is_sent_as_an_empty_object(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await post(notify, {})
    assert last_request(api).content == b"{}"


async def test_a_body_json_cannot_carry_is_refused_without_showing_it(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    class Opaque:
        def __repr__(self) -> str:
            return EMAIL

    with pytest.raises(InvalidArgumentError, match="Opaque") as caught:
        await post(notify, {"x": Opaque()})
    assert EMAIL not in str(caught.value)
    assert not api.calls


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
async def test_a_body_with_nan_or_infinity_is_refused_before_sending(
    notify: NotifyAdminClient, api: respx.MockRouter, value: float
) -> None:
    with pytest.raises(InvalidArgumentError):
        await post(notify, {"limit": value})
    assert not api.calls


# --- Headers ------------------------------------------------------------------------------------


async def test_every_request_carries_content_type_user_agent_and_a_bearer_jwt(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await get(notify, "/status")
    headers = last_request(api).headers
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == f"notify-async/{VERSION}"
    scheme, token = headers["Authorization"].split(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == CLIENT_ID


async def test_no_user_or_trace_headers_outside_a_request_context(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    await get(notify, "/status")
    sent = {name.lower() for name in last_request(api).headers}
    assert not sent & {"x-notify-user-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid"}


async def test_the_acting_user_is_sent_without_trace_headers_when_no_trace_is_set(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    with request_context(user_id=USER):
        await get(notify, "/status")
    headers = last_request(api).headers
    assert headers["X-Notify-User-Id"] == USER
    assert "X-B3-TraceId" not in headers


async def test_trace_headers_carry_the_trace_the_parent_span_and_a_new_span_per_request(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    with request_context(user_id=USER, trace_id="a" * 32, span_id="b" * 16):
        await get(notify, "/status")
        await get(notify, "/status")
    first, second = (call.request.headers for call in api.calls)
    for headers in (first, second):
        assert headers["X-Notify-User-Id"] == USER
        assert headers["X-B3-TraceId"] == "a" * 32
        assert headers["X-B3-ParentSpanId"] == "b" * 16
        assert re.fullmatch(r"[0-9a-f]{16}", headers["X-B3-SpanId"])
        assert headers["X-B3-SpanId"] != "b" * 16
    assert first["X-B3-SpanId"] != second["X-B3-SpanId"]


async def test_the_document_download_transport_sends_no_user_id_or_jwt(
    api: respx.MockRouter,
) -> None:
    async with make_client(document_download_url=BASE_URL) as notify:
        with request_context(user_id=USER):
            await notify._dd_transport.request("GET", "/x")
    headers = last_request(api).headers
    assert "X-Notify-User-Id" not in headers
    assert headers["Authorization"] == f"Bearer {notify.config.document_download_api_key}"


# --- Responses ----------------------------------------------------------------------------------


async def test_a_json_success_is_returned_decoded(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    answer(api, httpx.Response(201, json={"data": [1, 2]}))
    assert await get(notify, "/x") == {"data": [1, 2]}


async def test_204_returns_none(notify: NotifyAdminClient, api: respx.MockRouter) -> None:
    answer(api, httpx.Response(204))
    assert await get(notify, "/x") is None


@pytest.mark.parametrize("content", [b"<html>oops</html>", b""], ids=["html", "empty"])
async def test_a_success_without_json_raises_invalid_response(
    notify: NotifyAdminClient, api: respx.MockRouter, content: bytes
) -> None:
    answer(api, httpx.Response(200, content=content))
    with pytest.raises(InvalidResponse) as caught:
        await get(notify, "/x")
    assert caught.value.status_code == 200
    assert caught.value.message == "No JSON object could be decoded"


async def test_a_body_httpx_cannot_decode_raises_an_sdk_error_and_a_post_is_not_resent(
    api: respx.MockRouter,
) -> None:
    notify = make_client(retry=RetryPolicy(max_attempts=3))
    notify._transport.sleep = _no_sleep
    answer(api, httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
    ))
    with pytest.raises(TransportError) as caught:
        await notify._transport.request("POST", "/x", body={})
    assert "DecodingError" in str(caught.value)
    assert len(api.calls) == 1  # the server had the request: never resend a POST


async def _no_sleep(_: float) -> None:
    return None


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError),
        (404, NotFoundError), (409, ConflictError), (429, RateLimitError), (500, ServerError),
        (502, ServerError), (503, HTTP503Error), (418, HTTPError),
    ],
)
async def test_error_statuses_raise_their_class_with_status_and_message(
    notify: NotifyAdminClient, api: respx.MockRouter, status: int, error_class: type[HTTPError]
) -> None:
    answer(api, httpx.Response(status, json={"result": "error", "message": "Nope"}))
    with pytest.raises(error_class) as caught:
        await get(notify, "/service/{service_id}", path_params={"service_id": SERVICE})
    error = caught.value
    assert type(error) is error_class
    assert (error.status_code, error.message) == (status, "Nope")
    assert str(error) == f"{status} - Nope (GET /service/{SERVICE})"


async def test_the_message_falls_back_to_the_errors_field(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    errors = [{"error": "ValidationError", "message": "name is required"}]
    answer(api, httpx.Response(400, json={"result": "error", "errors": errors}))
    with pytest.raises(BadRequestError) as caught:
        await get(notify, "/x")
    assert caught.value.message == errors


@pytest.mark.parametrize("content", [b"Bad Gateway", b'{"result": "error"}', b"[1]"],
                         ids=["text", "json-without-message", "json-list"])
async def test_the_message_falls_back_to_request_failed(
    notify: NotifyAdminClient, api: respx.MockRouter, content: bytes
) -> None:
    answer(api, httpx.Response(500, content=content))
    with pytest.raises(ServerError) as caught:
        await get(notify, "/x")
    assert caught.value.message == "Request failed"
    assert str(caught.value) == "500 - Request failed (GET /x)"


async def test_a_field_error_message_stays_a_dict_and_prints_as_json(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    answer(api, httpx.Response(400, json={"message": {"name": ["Missing data"]}}))
    with pytest.raises(BadRequestError) as caught:
        await get(notify, "/x")
    assert caught.value.message == {"name": ["Missing data"]}
    assert str(caught.value) == '400 - {"name": ["Missing data"]} (GET /x)'


async def test_a_redirect_is_not_followed_but_raised(
    notify: NotifyAdminClient, api: respx.MockRouter
) -> None:
    answer(api, httpx.Response(308, headers={"Location": f"{BASE_URL}/x/"}))
    with pytest.raises(HTTPError) as caught:
        await get(notify, "/x")
    assert caught.value.status_code == 308
    assert len(api.calls) == 1


# --- Secrets and PII stay out of errors and logs ------------------------------------------------


async def test_errors_and_logs_never_show_the_secret_the_jwt_or_pii(
    notify: NotifyAdminClient, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answer(api, httpx.Response(400, json={"message": f"{EMAIL} / {PHONE} is not allowed"}))
    with pytest.raises(BadRequestError) as caught:
        await notify._transport.request(
            "POST", "/user/{email}/{phone}", {"email": EMAIL, "phone": PHONE},
            body={"email_address": EMAIL},
        )
    token = last_request(api).headers["Authorization"].removeprefix("Bearer ")
    shown = [str(caught.value), repr(caught.value)]
    shown += [r.getMessage() for r in caplog.records if r.name.startswith("notify_async")]
    for text in shown:
        for secret in (SECRET, token, EMAIL, PHONE, "07700900123", "jo.bloggs"):
            assert secret not in text
    assert "/user/{email}/{phone}" in str(caught.value)
    assert "<email>" in str(caught.value)
    assert "<phone>" in str(caught.value)


def test_document_download_error_repr_hides_pii() -> None:
    error = DocumentDownloadError(f"{EMAIL} sent a file that is not a PDF", 400)
    assert EMAIL not in repr(error)
    assert "<email>" in repr(error)


@pytest.mark.parametrize(
    "error",
    [
        BadRequestError({"to": ["bad"]}, status_code=400, method="POST", path="/x",
                        response_body={"errors": 1}),
        HTTP503Error(status_code=503, method="GET", path="/y"),
        InvalidResponse(status_code=200, method="GET", path="/z"),
        DocumentDownloadError("too big", 413),
        CacheInvalidationError("failed", request_sent=True, keys=("service-1",), result={"a": 1}),
    ],
    ids=type,
)
def test_errors_survive_pickling_and_copying(error: Exception) -> None:
    # Workers hand exceptions across processes (multiprocessing, task queues) by pickling.
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(clone) is type(error)
        assert clone.__dict__ == error.__dict__
        assert str(clone) == str(error)


async def test_one_debug_line_per_request_with_verb_path_status_and_attempt(
    notify: NotifyAdminClient, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="notify_async")
    await get(notify, "/service/{service_id}", path_params={"service_id": SERVICE})
    lines = [r for r in caplog.records if r.name == "notify_async"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.DEBUG
    assert re.fullmatch(
        rf"GET /service/{SERVICE} -> 200 in \d+\.\d ms \(attempt 1\)", lines[0].getMessage()
    )
