"""An httpx transport that sends through aiohttp (asyncio only): :class:`AiohttpTransport`.

httpx stays the interface (requests, responses, event hooks, errors); aiohttp only moves the
bytes. Its connection pool costs a fraction of httpcore's per request (figures in
docs/benchmarks.md), which is why the SDK's own client uses it by default on asyncio.

Errors are mapped to httpx's by what the aiohttp error says about the request: only "could not
connect" (:class:`aiohttp.ClientConnectorError`, :class:`aiohttp.ConnectionTimeoutError`)
becomes :class:`httpx.ConnectError` / :class:`httpx.ConnectTimeout`, the errors that mean the
request never left. A server that closed the connection after the request was written
(:class:`aiohttp.ServerDisconnectedError`) may have acted on it: that is a
:class:`httpx.RemoteProtocolError`, as httpcore says it, and a POST is not sent again.

Mocks: respx (``respx.mock``, its default "httpcore" mode) and pytest-httpx intercept requests by
patching httpcore's connection pool or httpx's ``AsyncHTTPTransport``. While such a patch is in
place this transport hands each request to an httpx ``AsyncHTTPTransport``, so the mock sees
the SDK's requests exactly as it would without aiohttp.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpcore
import httpx

__all__ = ["AiohttpTransport", "mocked"]

_HTTP11 = {"http_version": b"HTTP/1.1"}


def mocked() -> bool:
    """Whether httpcore's pool or httpx's ``AsyncHTTPTransport`` is patched (respx, pytest-httpx):
    their request methods are then no longer the functions their own packages define."""
    pool = httpcore.AsyncConnectionPool.handle_async_request
    default = httpx.AsyncHTTPTransport.handle_async_request
    return not (
        getattr(pool, "__module__", "").startswith("httpcore.")
        and getattr(default, "__module__", "").startswith("httpx.")
    )


def _mapped(exc: aiohttp.ClientError | TimeoutError) -> httpx.TransportError:
    """The httpx error for an aiohttp failure (the caller chains it ``from exc``)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # connecting or waiting for the pool
        return httpx.ConnectTimeout(message)
    if isinstance(exc, aiohttp.ClientConnectorError):  # incl. DNS, refused, TLS handshake
        return httpx.ConnectError(message)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, TimeoutError):  # SocketTimeoutError, ServerTimeoutError
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        return httpx.ReadError(message)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message)
    if isinstance(exc, aiohttp.ClientResponseError):  # a malformed status line or headers
        return httpx.RemoteProtocolError(message)
    return httpx.NetworkError(message)


@contextmanager
def _mapping_errors() -> Iterator[None]:
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise _mapped(exc) from exc


class _Body(httpx.AsyncByteStream):
    """An aiohttp response body as an httpx stream; closing it returns the connection to the
    pool (or drops it if the body was not read to its end)."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapping_errors():
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests through one :class:`aiohttp.ClientSession`.

    Args:
        max_connections: connections open at once (aiohttp's ``limit``); further requests wait
            for one within the request's ``pool`` timeout.
        keepalive_expiry: seconds an idle connection is kept.
        verify: the SSL context for ``https`` (share the process's one; it is not copied).

    The session is made on the first request, inside the running asyncio loop, and closed by
    :meth:`aclose` (call it in that loop). Redirects are never followed, bodies are passed on
    undecoded (httpx decodes them) and cookies are left to httpx.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        keepalive_expiry: float = 5.0,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._limit = max_connections
        self._keepalive = keepalive_expiry
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._fallback: httpx.AsyncHTTPTransport | None = None
        self._timeouts: dict[tuple[Any, Any, Any], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._limit, keepalive_timeout=self._keepalive, ssl=self._verify
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=None),
        )
        return self._session

    def _timeout(self, extension: dict[str, Any]) -> aiohttp.ClientTimeout:
        """httpx's per-request timeouts as aiohttp's: ``pool`` bounds getting a connection,
        ``connect`` opening one, ``read`` each socket read (few distinct values: memoised)."""
        key = (extension.get("pool"), extension.get("connect"), extension.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=key[0], sock_connect=key[1], sock_read=key[2]
            )
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return its response with the body still to be read."""
        if mocked():
            return await self._mock_friendly(request)
        session = self._session or self._open()
        try:
            data: Any = request.content or None
        except httpx.RequestNotRead:  # a streamed body: aiohttp sends it chunked
            data = request.stream
            request.headers.pop("Transfer-Encoding", None)
        with _mapping_errors():
            response = await session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=data,
                allow_redirects=False,
                timeout=self._timeout(request.extensions.get("timeout", {})),
                server_hostname=request.extensions.get("sni_hostname"),
            )
        extensions = _HTTP11
        if response.reason:
            extensions = {**_HTTP11, "reason_phrase": response.reason.encode("ascii", "replace")}
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            request=request,
            extensions=extensions,
        )

    async def _mock_friendly(self, request: httpx.Request) -> httpx.Response:
        if self._fallback is None:
            self._fallback = httpx.AsyncHTTPTransport(verify=self._verify)
        return await self._fallback.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the session's connections (and the mock fallback's, if one was made)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        fallback, self._fallback = self._fallback, None
        if fallback is not None:
            await fallback.aclose()
