"""Tokens and PII stay out of httpx's own log lines for the SDK's requests."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient
from notify_async._redact import redact_url
from notify_async.config import RetryPolicy
from tests.conftest import make_client


def test_redact_url_keeps_words_uuids_and_small_numbers() -> None:
    url = "https://api.test/service/0f3a6c1e-1111-2222-3333-444455556666/template-folder/7?page=2"
    assert redact_url(url) == url


def test_redact_url_hides_token_segments_and_emails_in_the_query() -> None:
    shown = redact_url("https://api.test/invite/service/check/IjAb.c-D?x=1&email=ada%40example.org")
    assert shown == "https://api.test/invite/service/check/<redacted>?x=1&email=<email>"


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
