"""Which transport sends, and when a request may be sent again: on real loopback sockets, on
every transport. A POST is resent only when the connection could not be opened; once the
request may have reached the server (it closed or reset the connection after reading it) it is
never resent."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from types import SimpleNamespace
from typing import Any

import aiohttp
import anyio
import httpx
import pytest
import respx
import trio

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async import _session as session_module
from notify_async._aiohttp import AiohttpTransport, mocked
from notify_async._sharded import ShardedTransport
from notify_async.errors import ConfigurationError, TransportError
from tests.harness import BASE_URL, CLIENT_ID, SECRET
from tests.loopback_http import LoopbackServer, json_response
from tests.transport_matrix import each_transport  # noqa: F401 - a fixture

SERVICE = "6f0c2a1e-8d3b-4e5f-9a7c-0b1d2e3f4a5b"
OK = json_response(b'{"ok": true}')
RETRYING = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02)


async def _answer_ok(request_line: str, writer: asyncio.StreamWriter) -> None:
    writer.write(OK)


def _client(url: str, **options: Any) -> NotifyAdminClient:
    options.setdefault("retry", RETRYING)
    return NotifyAdminClient(url, CLIENT_ID, SECRET, cache=False, **options)


async def _send(notify: NotifyAdminClient, method: str) -> Any:
    body = {"name": "x"} if method == "POST" else None
    return await notify._transport.request(method, "/x", body=body)


def _closing_first(close: Any) -> Any:
    """A handler that reads the first request and then ``close(writer)``s without answering;
    later requests are answered."""
    seen = 0

    async def handler(request_line: str, writer: asyncio.StreamWriter) -> None:
        nonlocal seen
        seen += 1
        if seen == 1:
            close(writer)
            raise ConnectionError  # ends this connection's loop in the server
        writer.write(OK)

    return handler


def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- retry safety on real sockets, every transport ----------------------------------------------


@pytest.mark.usefixtures("each_transport")
@pytest.mark.parametrize("close", [_close, _reset], ids=["closed", "reset"])
async def test_a_post_is_never_resent_once_the_server_has_read_it(close: Any) -> None:
    with LoopbackServer(_closing_first(close)) as server:
        async with _client(server.url) as notify:
            with pytest.raises(TransportError, match="after 1 attempt"):
                await _send(notify, "POST")
        assert server.requests == 1


@pytest.mark.usefixtures("each_transport")
@pytest.mark.parametrize("close", [_close, _reset], ids=["closed", "reset"])
async def test_a_get_is_resent_after_the_server_dropped_it(close: Any) -> None:
    with LoopbackServer(_closing_first(close)) as server:
        async with _client(server.url) as notify:
            assert await _send(notify, "GET") == {"ok": True}
        assert server.requests == 2


@pytest.mark.usefixtures("each_transport")
async def test_a_post_is_resent_when_the_connection_could_not_be_opened(
    refused_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="notify_async")
    async with _client(refused_url) as notify:
        with pytest.raises(TransportError, match=r"ConnectError\) after 3 attempt"):
            await _send(notify, "POST")
    outcomes = [r.getMessage().split(" in ")[0] for r in caplog.records if r.name == "notify_async"]
    assert outcomes == ["POST /x -> ConnectError"] * 3


@pytest.mark.usefixtures("each_transport")
async def test_a_cancelled_request_leaves_no_connection_behind() -> None:
    async def handler(request_line: str, writer: asyncio.StreamWriter) -> None:
        if "/slow" in request_line:
            await asyncio.sleep(0.5)  # then the server reads on and sees the client's FIN
        writer.write(OK)

    with LoopbackServer(handler) as server:
        async with _client(server.url) as notify:
            with anyio.move_on_after(0.2) as scope:
                await notify._transport.request("GET", "/slow")
            assert scope.cancelled_caught
            assert await _send(notify, "GET") == {"ok": True}
        for _ in range(500):
            if server.open_connections == 0:
                break
            await asyncio.sleep(0.01)
        assert server.open_connections == 0


def _raising(exc: Exception) -> httpx.AsyncClient:
    """A caller's client whose transport raises ``exc`` on every request, after counting it."""
    calls: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise exc

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client.calls = calls  # type: ignore[attr-defined]
    return client


def _from_aiohttp(mapped: type[httpx.TransportError], cause: Exception) -> Exception:
    """``mapped`` raised from ``cause``, as httpx-aiohttp's transport raises it."""
    try:
        raise mapped("mapped") from cause
    except httpx.TransportError as exc:
        return exc


async def test_a_disconnect_mapped_to_connect_timeout_by_another_transport_is_not_resent() -> None:
    # httpx-aiohttp maps every aiohttp.ClientConnectionError, ServerDisconnectedError included,
    # to httpx.ConnectTimeout: the aiohttp error underneath decides.
    failure = _from_aiohttp(httpx.ConnectTimeout, aiohttp.ServerDisconnectedError())
    async with _raising(failure) as http:
        notify = NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, http_client=http, retry=RETRYING)
        with pytest.raises(TransportError):
            await _send(notify, "POST")
        assert len(http.calls) == 1  # type: ignore[attr-defined]


async def test_an_aiohttp_could_not_connect_error_is_resent_for_a_post() -> None:
    refused = aiohttp.ClientConnectorError(
        SimpleNamespace(host="127.0.0.1", port=9, ssl=False),  # type: ignore[arg-type]
        ConnectionRefusedError(111, "refused"),
    )
    async with _raising(_from_aiohttp(httpx.ConnectError, refused)) as http:
        notify = NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, http_client=http, retry=RETRYING)
        with pytest.raises(TransportError):
            await _send(notify, "POST")
        assert len(http.calls) == 3  # type: ignore[attr-defined]


# --- which transport, and the ways to choose it -------------------------------------------------


def _transport_of(notify: NotifyAdminClient) -> httpx.AsyncBaseTransport:
    client = notify._session.current_client()
    assert client is not None
    return client._transport


async def test_auto_sends_through_aiohttp_on_asyncio_sharing_the_process_ssl_context() -> None:
    with LoopbackServer(_answer_ok) as server:
        async with _client(server.url) as notify:
            await _send(notify, "GET")
            transport = _transport_of(notify)
            assert isinstance(transport, AiohttpTransport)
            session = transport._session
            assert session is not None
            connector = session.connector
            assert isinstance(connector, aiohttp.TCPConnector)
            assert connector._ssl is await session_module.shared_ssl_context()
            assert isinstance(connector._ssl, ssl.SSLContext)
            assert connector.limit == notify.config.max_connections
        assert session.closed  # closed by aclose, in its own loop


async def test_transport_httpcore_sends_through_the_sharded_pools() -> None:
    with LoopbackServer(_answer_ok) as server:
        async with _client(server.url, transport="httpcore") as notify:
            await _send(notify, "GET")
            assert isinstance(_transport_of(notify), ShardedTransport)


def test_auto_sends_through_httpcore_under_trio() -> None:
    async def main() -> httpx.AsyncBaseTransport:
        async with _client(BASE_URL) as notify:
            await _send(notify, "GET")
            return _transport_of(notify)

    with respx.mock(base_url=BASE_URL) as router:
        router.route().respond(200, json={})
        assert isinstance(trio.run(main), ShardedTransport)


def test_transport_aiohttp_under_trio_is_refused() -> None:
    async def main() -> None:
        async with _client(BASE_URL, transport="aiohttp") as notify:
            await _send(notify, "GET")

    with pytest.raises(ConfigurationError, match="asyncio only"):
        trio.run(main)


def test_transport_together_with_a_callers_http_client_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="one or the other"):
        NotifyAdminClient(
            BASE_URL, CLIENT_ID, SECRET, http_client=httpx.AsyncClient(), transport="httpcore"
        )


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="transport must be one of"):
        NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, transport="urllib3")


@pytest.mark.parametrize("using", ["httpcore", "httpx"])
async def test_a_users_respx_mock_intercepts_the_default_aiohttp_transport(using: str) -> None:
    async with _client(BASE_URL) as notify:
        with respx.mock(base_url=BASE_URL, using=using) as router:
            route = router.get(f"/service/{SERVICE}").respond(200, json={"data": {"id": SERVICE}})
            assert await notify.services.get_service(SERVICE) == {"data": {"id": SERVICE}}
            assert isinstance(_transport_of(notify), AiohttpTransport)
        assert route.call_count == 1


async def test_the_aiohttp_transport_serves_a_callers_client_with_event_hooks() -> None:
    seen: list[str] = []

    async def on_request(request: httpx.Request) -> None:
        seen.append(f"request {request.method}")

    async def on_response(response: httpx.Response) -> None:
        seen.append(f"response {response.status_code}")

    with LoopbackServer(_answer_ok) as server:
        http = httpx.AsyncClient(
            transport=AiohttpTransport(max_connections=4),
            event_hooks={"request": [on_request], "response": [on_response]},
        )
        async with http:
            notify = NotifyAdminClient(server.url, CLIENT_ID, SECRET, http_client=http, cache=False)
            assert await _send(notify, "POST") == {"ok": True}
    assert seen == ["request POST", "response 200"]


def test_the_aiohttp_transport_sees_respx_only_while_it_is_active() -> None:
    assert not mocked()
    with respx.mock():
        assert mocked()
    assert not mocked()


# --- the SDK's own per-request cost --------------------------------------------------------------


@pytest.mark.usefixtures("each_transport")
async def test_the_sdks_own_client_keeps_no_cookies() -> None:
    async def handler(request_line: str, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: session=abc; Path=/\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        )

    with LoopbackServer(handler) as server:
        async with _client(server.url) as notify:
            await _send(notify, "GET")
            await _send(notify, "GET")
            client = notify._session.current_client()
            assert client is not None
            assert len(client.cookies) == 0  # nothing kept, nothing sent back


async def test_the_redacted_path_is_built_only_for_a_log_line_or_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from notify_async import _transport as transport_module

    built: list[str] = []
    real = transport_module.display_path

    def counting(template: str, ids: Any) -> str:
        built.append(template)
        return real(template, ids)

    monkeypatch.setattr(transport_module, "display_path", counting)
    caplog.set_level(logging.INFO, logger="notify_async")
    async with _client(BASE_URL) as notify:
        with respx.mock(base_url=BASE_URL) as router:
            router.route().respond(200, json={})
            await notify.services.get_service(SERVICE)
            assert built == []
            caplog.set_level(logging.DEBUG, logger="notify_async")
            await notify.services.get_service(SERVICE)
            assert built == ["/service/{service_id}"]
