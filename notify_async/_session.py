"""The facade's shared HTTP client: one ``httpx.AsyncClient`` and in-flight limiter per running
event loop, and the process's one SSL context."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, cast

import anyio
import anyio.to_thread
import httpx

from notify_async import _constants as C
from notify_async._loops import PerLoop
from notify_async._paths import QueryItems
from notify_async._sharded import ShardedTransport
from notify_async.config import ClientConfig, TransportName
from notify_async.errors import ConfigurationError

_OTHER_LOOP = (
    "the http_client you passed is in use by another running event loop; an httpx.AsyncClient "
    "works in one loop only: give each loop (thread) its own NotifyAdminClient, or let the SDK "
    "make its own client (it makes one per loop)"
)

_AIOHTTP_NOT_ON_TRIO = (
    "transport='aiohttp' runs on asyncio only: use transport='auto' or 'httpcore' under trio"
)
_TRANSPORT_AND_CLIENT = (
    "transport= picks the transport of the SDK's own client; an http_client= of yours is used "
    "as it is: pass one or the other"
)

#: What ``transport="auto"`` means on asyncio (tests set it to run a suite on each transport).
AUTO_ON_ASYNCIO: TransportName = "aiohttp"

_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def _load_ssl_context() -> ssl.SSLContext:
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = httpx.create_ssl_context()
        return _ssl_context


async def shared_ssl_context() -> ssl.SSLContext:
    """The process's one verifying SSL context. Loading the CA bundle takes ~250 ms, so it is
    done once per process, in a worker thread (never on the event loop)."""
    if _ssl_context is not None:
        return _ssl_context
    return await anyio.to_thread.run_sync(_load_ssl_context)


class _NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing: the API sets no cookies, and httpx would otherwise parse
    every response's headers for them (about a sixth of the SDK's own cost per request)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _OwnClient(httpx.AsyncClient):
    """The SDK's own ``httpx.AsyncClient`` (a caller's is used as it is): keeps no cookies, and
    builds the SDK's requests without httpx's merging (it has no base URL, cookies or default
    query, and is never changed after it is made)."""

    _none = _NoCookies()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._defaults = dict(self.headers.items())  # lower-case names
        self._timeouts = self.timeout.as_dict()

    def sdk_request(
        self, method: str, url: str, query: QueryItems | None, content: bytes | None,
        headers: dict[str, str],
    ) -> httpx.Request:
        """The request ``build_request`` would make, built directly (a third cheaper)."""
        if query:
            return self.build_request(
                method, url, params=cast(Any, query), content=content, headers=headers
            )
        merged = self._defaults.copy()
        for name, value in headers.items():
            merged[name.lower()] = value
        return httpx.Request(
            method, url, content=content, headers=merged, extensions={"timeout": self._timeouts}
        )

    @property
    def cookies(self) -> httpx.Cookies:
        return self._none

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        return None


class LoopHttp:
    """One loop's client, in-flight limiter and request builder (``build(method, url, query,
    content, headers)``: the client's own ``build_request`` for a caller's client)."""

    __slots__ = ("build", "client", "limiter")

    def __init__(self, client: httpx.AsyncClient, limiter: anyio.CapacityLimiter) -> None:
        self.client = client
        self.limiter = limiter
        self.build: Callable[
            [str, str, QueryItems | None, bytes | None, dict[str, str]], httpx.Request
        ] = (
            client.sdk_request if isinstance(client, _OwnClient)
            else partial(_build_request, client)
        )


def _build_request(
    client: httpx.AsyncClient, method: str, url: str, query: QueryItems | None,
    content: bytes | None, headers: dict[str, str],
) -> httpx.Request:
    return client.build_request(
        method, url, params=cast(Any, query), content=content, headers=headers
    )


class HttpSession:
    """The facade's ``httpx.AsyncClient`` and in-flight limiter, shared by every sub-client.

    A caller-supplied client is used as it is and never closed here; it can serve one running
    event loop at a time (another loop using it at the same time gets a
    :class:`~notify_async.errors.ConfigurationError`, never a hang). Otherwise the session makes
    its own client on first use inside each running loop, with a :class:`ShardedTransport` that
    spreads ``max_connections`` over small connection pools, and closes it inside that loop when
    the loop ends (or on :meth:`aclose`): a facade can be used from a new notebook loop, a second
    ``asyncio.run`` or several threads' loops at once without leaking sockets.

    The transport under the session's own client is picked per loop by ``config.transport``:
    ``"auto"`` is an :class:`~notify_async._aiohttp.AiohttpTransport` on asyncio and a
    :class:`ShardedTransport` (httpcore) on trio.

    Raises:
        ConfigurationError: for ``transport`` set together with ``http_client``.
    """

    def __init__(self, config: ClientConfig, http_client: httpx.AsyncClient | None = None) -> None:
        if http_client is not None and config.transport != C.DEFAULT_TRANSPORT:
            raise ConfigurationError(_TRANSPORT_AND_CLIENT)
        self._config = config
        self._external = http_client
        self._loops: PerLoop[LoopHttp] = PerLoop(self._open, self._close)

    async def bind(self) -> LoopHttp:
        """The running loop's client, limiter and request builder (made on first use)."""
        current = self._loops.current()
        if current is None:
            if self._external is None:
                await shared_ssl_context()
            current = self._loops.get()
        return current

    def current_client(self) -> httpx.AsyncClient | None:
        """The running loop's client if one was made (for tests and tools), else None."""
        current = self._loops.current()
        return None if current is None else current.client

    def _open(self) -> LoopHttp:
        limiter = anyio.CapacityLimiter(self._config.max_in_flight)
        if self._external is not None:
            if self._loops.others_running():
                raise ConfigurationError(_OTHER_LOOP)
            return LoopHttp(self._external, limiter)
        cfg = self._config
        client = _OwnClient(
            transport=self._make_transport(),
            timeout=httpx.Timeout(cfg.timeout, connect=cfg.connect_timeout),
            follow_redirects=False,
        )
        return LoopHttp(client, limiter)

    def _make_transport(self) -> httpx.AsyncBaseTransport:
        cfg = self._config
        kind = cfg.transport
        on_asyncio = _on_asyncio()
        if kind == "auto":
            kind = AUTO_ON_ASYNCIO if on_asyncio else "httpcore"
        if kind == "aiohttp":
            if not on_asyncio:
                raise ConfigurationError(_AIOHTTP_NOT_ON_TRIO)
            from notify_async._aiohttp import AiohttpTransport  # imports aiohttp: only when used

            return AiohttpTransport(
                max_connections=cfg.max_connections,
                keepalive_expiry=C.DEFAULT_KEEPALIVE_EXPIRY,
                verify=_load_ssl_context(),
            )
        return ShardedTransport(
            max_connections=cfg.max_connections,
            max_keepalive_connections=cfg.max_keepalive_connections,
            connections_per_pool=cfg.connections_per_pool,
            verify=_load_ssl_context(),
        )

    async def _close(self, item: LoopHttp) -> None:
        if self._external is None:
            await item.client.aclose()

    async def aclose(self) -> None:
        """Close the client this session made for the running loop (never a caller-supplied
        one). Clients of other loops are closed when their loop ends."""
        await self._loops.aclose()


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
