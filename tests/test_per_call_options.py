"""Per-call options (``with_options``: a cheap view sharing pools, cache and token) and raw
responses (``capture_responses``), on a real loopback server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from notify_async import NotifyAdminClient, ResponseInfo, RetryPolicy, request_context
from notify_async.errors import ConfigurationError, InvalidArgumentError, TransportError
from tests.harness import CLIENT_ID, SECRET
from tests.loopback_http import LoopbackServer, json_response

SERVICE = "6f0c2a1e-8d3b-4e5f-9a7c-0b1d2e3f4a5b"
SLOW = "0b0c2a1e-8d3b-4e5f-9a7c-0b1d2e3f4a5b"
seen_headers: list[str] = []


async def _answer(request_line: str, writer: asyncio.StreamWriter) -> None:
    if SLOW in request_line:
        await asyncio.sleep(1.0)
    body = b'{"data": {"id": "' + SERVICE.encode() + b'"}}'
    head = json_response(body).replace(b"\r\n\r\n", b"\r\nX-Request-Id: req-42\r\n\r\n", 1)
    writer.write(head)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(_answer) as running:
        yield running


def _client(url: str) -> NotifyAdminClient:
    return NotifyAdminClient(url, CLIENT_ID, SECRET, timeout=5, retry=RetryPolicy.disabled())


async def test_a_view_with_a_shorter_timeout_times_out_while_the_client_does_not(
    server: LoopbackServer,
) -> None:
    async with _client(server.url) as notify:
        quick = notify.with_options(timeout=0.3)
        with pytest.raises(TransportError):
            await quick.services.get_service(SLOW)
        assert (await notify.services.get_service(SLOW))["data"]["id"] == SERVICE
        assert notify.config.timeout == 5


async def test_a_view_shares_the_pools_and_the_cache(server: LoopbackServer) -> None:
    async with _client(server.url) as notify:
        view = notify.with_options(retry=RetryPolicy(max_attempts=5))
        await notify.services.get_service(SERVICE)
        await view.services.get_service(SERVICE)  # a hit in the shared cache
        assert server.requests == 1
        assert view.cache is notify.cache
        assert view._session is notify._session
        await view.aclose()  # closing a view leaves the client usable
        await notify.services.get_service(SERVICE)


def test_a_views_headers_are_checked_before_any_request() -> None:
    notify = _client("http://127.0.0.1:9")
    for bad in ({"Authorization": "Bearer x"}, {"x-notify-user-id": "u"}, {"X-Bad": "a\r\nb"},
                {"Bad Name": "x"}):
        with pytest.raises(InvalidArgumentError):
            notify.with_options(headers=bad)
    with pytest.raises(ConfigurationError):
        notify.with_options(timeout=-1)


async def test_capture_responses_gives_status_headers_elapsed_and_request_id(
    server: LoopbackServer,
) -> None:
    async with _client(server.url) as notify:
        with notify.capture_responses() as responses:
            with request_context(user_id=SERVICE, trace_id="a" * 32):
                answer = await notify.with_options(headers={"X-Extra": "1"}).services.get_service(
                    SERVICE
                )
            await notify.services.get_service(SERVICE)  # from the cache: nothing captured
        assert answer == {"data": {"id": SERVICE}}
        (info,) = responses
        assert isinstance(info, ResponseInfo)
        assert (info.method, info.status_code, info.attempt) == ("GET", 200, 1)
        assert info.path == f"/service/{SERVICE}"
        assert info.request_id == "req-42"
        assert info.headers["content-type"] == "application/json"
        assert 0 <= info.elapsed < 5
        with notify.capture_responses() as later:
            pass
        assert later == []


async def test_a_views_headers_go_out_with_every_request_of_the_view_only() -> None:
    import respx

    async with _client("https://api.notify.test") as notify:
        with respx.mock(base_url="https://api.notify.test") as router:
            route = router.route().respond(200, json={"data": {"id": SERVICE}})
            await notify.with_options(headers={"X-Extra": "1"}).services.get_service(SLOW)
            await notify.services.get_service(SERVICE)
        first, second = (call.request for call in route.calls)
        assert first.headers["X-Extra"] == "1"
        assert first.headers["Authorization"].startswith("Bearer ")
        assert "X-Extra" not in second.headers


async def test_a_view_with_a_longer_timeout_waits_longer_than_the_client(
    server: LoopbackServer,
) -> None:
    """The server answers SLOW after 1 s: the client (0.3 s) gives up, its view (5 s) gets the
    answer - httpx's own per-read limit follows the view's timeout too."""
    notify = NotifyAdminClient(server.url, CLIENT_ID, SECRET, timeout=0.3,
                               retry=RetryPolicy.disabled(), cache=False)
    async with notify:
        with pytest.raises(TransportError):
            await notify.services.get_service(SLOW)
        patient = notify.with_options(timeout=5)
        assert (await patient.services.get_service(SLOW))["data"]["id"] == SERVICE
