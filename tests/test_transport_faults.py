"""Transport faults reproduced on real loopback sockets: slow trickled bodies against the
per-attempt timeout and the retry budget, oversized bodies and ids, event-loop changes and
threads, and what an error lets a caller reach."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async import _session as session_module
from notify_async.errors import (
    ConfigurationError,
    InvalidArgumentError,
    InvalidResponse,
    TransportError,
)
from tests.harness import CLIENT_ID, SECRET
from tests.loopback_http import LoopbackServer, json_response
from tests.transport_matrix import each_transport  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("each_transport")

SERVICE = "6f0c2a1e-8d3b-4e5f-9a7c-0b1d2e3f4a5b"
OK = json_response(b'{"data": {"id": "' + SERVICE.encode() + b'"}}')


async def _answer_ok(request_line: str, writer: asyncio.StreamWriter) -> None:
    writer.write(OK)


async def _trickle(request_line: str, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one byte of a 40-byte body every 0.25 s (10 s in all)."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n")
    for _ in range(40):
        await writer.drain()
        await asyncio.sleep(0.25)
        writer.write(b" ")


def _client(url: str, **options: Any) -> NotifyAdminClient:
    options.setdefault("retry", RetryPolicy.disabled())
    return NotifyAdminClient(url, CLIENT_ID, SECRET, cache=False, **options)


@pytest.fixture
def ok_server() -> Iterator[LoopbackServer]:
    with LoopbackServer(_answer_ok) as server:
        yield server


async def test_timeout_bounds_a_whole_attempt_not_each_socket_read() -> None:
    with LoopbackServer(_trickle) as server:
        async with _client(server.url, timeout=0.75) as notify:
            began = time.monotonic()
            with pytest.raises(TransportError, match="TimeoutError"):
                await notify.services.get_service(SERVICE)
            # Each read was quick (0.25 s apart); only a whole-attempt bound stops it this soon.
            assert time.monotonic() - began < 5


async def test_the_retry_budget_bounds_the_whole_call() -> None:
    with LoopbackServer(_trickle) as server:
        policy = RetryPolicy(max_attempts=10, budget=1.5, backoff_base=0.01)
        async with _client(server.url, timeout=1.0, retry=policy) as notify:
            began = time.monotonic()
            with pytest.raises(TransportError):
                await notify.services.get_service(SERVICE)
            assert time.monotonic() - began < 5  # 10 attempts of 1 s each would take 10 s
            assert server.requests <= 3


async def test_a_body_over_the_size_cap_is_refused_and_never_cached() -> None:
    big = b'{"data": "' + b"x" * 300_000 + b'"}'

    async def huge(request_line: str, writer: asyncio.StreamWriter) -> None:
        writer.write(json_response(big))

    async def huge_chunked(request_line: str, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for start in range(0, len(big), 10_000):
            piece = big[start : start + 10_000]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        writer.write(b"0\r\n\r\n")

    for handler in (huge, huge_chunked):
        with LoopbackServer(handler) as server:
            notify = NotifyAdminClient(
                server.url, CLIENT_ID, SECRET, max_response_bytes=100_000,
                retry=RetryPolicy.disabled(),
            )
            async with notify:
                with pytest.raises(InvalidResponse, match="max_response_bytes"):
                    await notify.services.get_service(SERVICE)
                assert await notify.cache.get_raw(f"service-{SERVICE}") is None


async def test_an_overlong_id_is_refused_before_sending(ok_server: LoopbackServer) -> None:
    async with _client(ok_server.url) as notify:
        with pytest.raises(InvalidArgumentError, match="characters long"):
            await notify.services.get_service("a" * 100_000)
    assert ok_server.requests == 0


async def test_a_transport_error_leads_to_no_request_headers() -> None:
    async with _client("http://127.0.0.1:9") as notify:  # nothing listens on the discard port
        with pytest.raises(TransportError) as caught:
            await notify.services.get_service(SERVICE)
    error = caught.value
    assert error.__context__ is None
    assert isinstance(error.__cause__, httpx.ConnectError)
    with pytest.raises(RuntimeError):
        error.__cause__.request  # noqa: B018 - the copy carries no request (and no JWT)


def test_moving_to_new_event_loops_closes_the_old_connections(
    ok_server: LoopbackServer,
) -> None:
    notify = _client(ok_server.url)

    async def call() -> Any:
        return await notify.services.get_service(SERVICE)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            assert asyncio.run(call())["data"]["id"] == SERVICE
        asyncio.run(notify.aclose())  # from a later loop: no "Event loop is closed"
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    deadline = time.monotonic() + 5
    while ok_server.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)  # the server thread sees the client's FIN
    assert ok_server.open_connections == 0


def test_two_threads_each_with_its_own_loop_share_one_client(ok_server: LoopbackServer) -> None:
    notify = _client(ok_server.url)
    results: list[object] = []

    def worker() -> None:
        async def calls() -> None:
            for _ in range(20):
                answer = await notify.services.get_service(SERVICE)
                results.append(answer["data"]["id"])

        try:
            asyncio.run(calls())
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)  # never a hang
    assert results == [SERVICE] * 40


def test_a_callers_http_client_in_use_by_another_loop_is_refused_at_once(
    ok_server: LoopbackServer,
) -> None:
    http = httpx.AsyncClient()
    notify = NotifyAdminClient(ok_server.url, CLIENT_ID, SECRET, http_client=http, cache=False)
    first_loop_busy = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        async def hold() -> None:
            await notify.services.get_service(SERVICE)
            first_loop_busy.set()
            await asyncio.to_thread(release.wait, 10)
            await http.aclose()

        asyncio.run(hold())

    def second() -> None:
        try:
            asyncio.run(notify.services.get_service(SERVICE))
        except BaseException as exc:
            errors.append(exc)

    holder = threading.Thread(target=first)
    holder.start()
    assert first_loop_busy.wait(10)
    other = threading.Thread(target=second)
    other.start()
    other.join(10)
    release.set()
    holder.join(10)
    assert not other.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], ConfigurationError)


async def test_the_ca_bundle_is_loaded_once_per_process_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, ok_server: LoopbackServer
) -> None:
    monkeypatch.setattr(session_module, "_ssl_context", None)
    loads: list[int] = []
    real = httpx.create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> Any:
        loads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    for _ in range(3):
        async with _client(ok_server.url) as notify:
            await notify.services.get_service(SERVICE)
    assert len(loads) == 1
    assert loads[0] != threading.get_ident()  # a worker thread, not the event loop's


async def test_an_errors_chained_cause_shows_no_url_token_or_pii() -> None:
    """Some transport errors (aiohttp's, for a malformed answer or a connect timeout) put the
    request's URL in their message: the copy chained as the SDK error's cause must not."""

    async def broken(request_line: str, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 2xx OK\r\n\r\n")

    token = "SECRET-INVITE-TOKEN-abcdef"
    with LoopbackServer(broken) as server:
        async with _client(server.url) as notify:
            with pytest.raises(TransportError) as caught:
                await notify.invites.check_token(token)
            with pytest.raises(TransportError) as by_email:
                await notify.users.get_user_by_email("ada.lovelace@example.gov.uk")
    for error in (caught.value, by_email.value):
        chain = [error, error.__cause__]
        text = " ".join(f"{e!s} {e!r} {getattr(e, 'args', '')}" for e in chain)
        assert token not in text
        assert "ada.lovelace" not in text
        assert server.url not in text
