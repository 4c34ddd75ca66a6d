"""Tokens and PII stay out of httpx's own log lines for the SDK's requests."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient
from notify_async._redact import redact_text, redact_url
from notify_async.config import RetryPolicy
from tests.conftest import make_client


def test_redact_url_keeps_words_uuids_and_small_numbers() -> None:
    url = "https://api.test/service/0f3a6c1e-1111-2222-3333-444455556666/template-folder/7?page=2"
    assert redact_url(url) == url


def test_redact_url_hides_token_segments_and_emails_in_the_query() -> None:
    shown = redact_url("https://api.test/invite/service/check/IjAb.c-D?x=1&email=ada%40example.org")
    assert shown == "https://api.test/invite/service/check/<redacted>?x=1&email=<redacted>"


@pytest.mark.parametrize(
    "value",
    [
        "0f3a6c1e-1111-2222-3333-444455556666",
        "7",
        "123456",
        "True",
        "False",
        "email",
        "sms",
        "delivered",
        "temporary-failure",
        "2024-01-31",
        "2024-01-31T10:15:00",
        "2024-01-31T10:15:00.123456Z",
        "",
    ],
)
def test_redact_url_shows_query_values_that_are_plainly_not_sensitive(value: str) -> None:
    url = f"https://api.test/service?name={value}"
    assert redact_url(str(httpx.URL(url))) == url


@pytest.mark.parametrize(
    "value",
    [
        "hunter2",  # a password
        "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln",  # a token
        "ada@example.org",
        "ada%40example.org",
        "+447700900123",
        "07700900123",
        "1234567890",  # a long number: maybe a phone number or an account number
        "Ada Lovelace",
        "SeCrEt",
        "abc123",
        "2024-01-31 hunter2",
    ],
)
def test_redact_url_replaces_any_other_query_value(value: str) -> None:
    shown = redact_url(str(httpx.URL("https://api.test/service", params={"q": value})))
    assert shown == "https://api.test/service?q=<redacted>"


def test_redact_url_keeps_query_names_and_redacts_each_value_on_its_own() -> None:
    url = str(httpx.URL("https://api.test/service", params=[
        ("only_active", True), ("page", 2), ("password", "hunter2"), ("status", "sending"),
        ("status", "hunter3"),
    ]))
    assert redact_url(url) == (
        "https://api.test/service?only_active=true&page=2&password=<redacted>&status=sending"
        "&status=<redacted>"
    )


def test_redact_url_hides_values_of_secret_names_even_when_they_look_plain() -> None:
    url = "https://api.test/x?password=letmein&token=abc&api_key=123&template_type=email"
    assert redact_url(url) == (
        "https://api.test/x?password=<redacted>&token=<redacted>&api_key=<redacted>"
        "&template_type=email"
    )


def test_redact_url_hides_a_query_name_or_bare_part_that_is_not_plain() -> None:
    assert redact_url("https://api.test/x?ada%40example.org") == "https://api.test/x?<redacted>"
    assert redact_url("https://api.test/x?hunter2") == "https://api.test/x?<redacted>"
    assert redact_url("https://api.test/x?verbose") == "https://api.test/x?verbose"
    assert redact_url("https://api.test/x?ada%40example.org=1") == "https://api.test/x?<redacted>=1"


async def test_httpx_info_line_for_an_sdk_request_has_no_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notify = make_client()
    with respx.mock(assert_all_called=False) as router, caplog.at_level(logging.INFO, "httpx"):
        router.route().respond(200, json={"data": {}})
        await notify.invites.check_token("SeCrEtToKeN.abc123")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines, "httpx logged nothing"
    assert all("SeCrEtToKeN" not in line for line in lines)
    assert any("/invite/service/check/<redacted>" in line for line in lines)


async def test_httpx_info_line_for_an_sdk_request_has_no_secret_query_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notify = make_client()
    query = {"password": "hunter2", "auth": "SeCrEtToKeN.abc123", "email": "ada@example.org",
             "phone": "+447700900123", "only_active": True, "page": 3, "status": "delivered"}
    with respx.mock(assert_all_called=False) as router, caplog.at_level(logging.INFO, "httpx"):
        router.route().respond(200, json={"data": []})
        await notify.services.get_services(query)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines, "httpx logged nothing"
    for secret in ("hunter2", "SeCrEtToKeN", "ada", "example.org", "7700900123"):
        assert all(secret not in line for line in lines), secret
    assert any("/service?password=<redacted>&auth=<redacted>&email=<redacted>&phone=<redacted>"
               "&only_active=True&page=3&status=delivered" in line for line in lines), lines


async def test_httpx_lines_of_other_hosts_are_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    make_client()  # registers the SDK's base URL
    with respx.mock(assert_all_called=False) as router, caplog.at_level(logging.INFO, "httpx"):
        router.route().respond(200)
        async with httpx.AsyncClient() as http:
            await http.get("https://elsewhere.test/Some/Token123")
    assert any("https://elsewhere.test/Some/Token123" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("base", ["https://API.Mixed-Case.test", "https://default-port.test:443"])
async def test_httpx_info_line_is_redacted_when_base_url_is_not_in_httpx_normal_form(
    base: str, caplog: pytest.LogCaptureFixture
) -> None:
    notify = NotifyAdminClient(base, "client-id", "s" * 36, retry=RetryPolicy.disabled())
    with respx.mock(assert_all_called=False) as router, caplog.at_level(logging.INFO, "httpx"):
        router.route().respond(200, json={"data": {}})
        await notify.invites.check_token("SeCrEtToKeN.abc123")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines, "httpx logged nothing"
    assert all("SeCrEtToKeN" not in line for line in lines)


def test_redact_text_takes_linear_time_on_long_unbroken_text() -> None:
    # A server message can echo a long token or base64 blob; str(error) must not hang on it.
    import time

    blob = "QUJD" * 50_000 + " and ada.lovelace+x@example.org"
    started = time.perf_counter()
    shown = redact_text(blob)
    assert time.perf_counter() - started < 1.0
    assert shown.endswith(" and <email>")


def test_redact_text_takes_linear_time_on_digit_runs_that_are_not_phone_numbers() -> None:
    import time

    started = time.perf_counter()
    shown = redact_text("1- " * 20_000 + "call +44 7700 900123")
    assert time.perf_counter() - started < 1.0
    assert shown.endswith("call <phone>")
