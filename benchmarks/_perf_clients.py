"""The clients ``benchmarks/perf.py`` compares. Each sends ``GET /service/<id>`` and decodes the
JSON answer; the async ones are async context managers giving a ``call(service_id)``.

Raw clients are set up as a careful user would: the same connection limits as the SDK's
defaults, one JWT signed per measurement (the SDK reuses its token for 5 s), the same headers.
The original synchronous client signs a JWT per request, as it does.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
from _perf_upstream import CLIENT_ID, SECRET

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async import _constants as C

Call = Callable[[str], Awaitable[Any]]
AsyncClientFactory = Callable[[str], Any]  # base_url -> async context manager of a Call

LIMITS = httpx.Limits(
    max_connections=C.DEFAULT_MAX_CONNECTIONS, max_keepalive_connections=C.DEFAULT_MAX_KEEPALIVE
)


def headers() -> dict[str, str]:
    token = jwt.encode({"iss": CLIENT_ID, "iat": int(time.time())}, SECRET, algorithm="HS256")
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "User-Agent": "benchmark",
    }


def notify_async(**options: Any) -> AsyncClientFactory:
    """The SDK (``cache=False``, no retries, as the other clients), with ``options``."""

    @asynccontextmanager
    async def open_(base_url: str) -> AsyncIterator[Call]:
        notify = NotifyAdminClient(
            base_url, CLIENT_ID, SECRET, cache=False, retry=RetryPolicy.disabled(), **options
        )
        async with notify:
            yield notify.services.get_service

    return open_


def raw_httpx(transport: Callable[[], httpx.AsyncBaseTransport] | None) -> AsyncClientFactory:
    """A raw ``httpx.AsyncClient`` on ``transport`` (httpx's own one pool when None)."""

    @asynccontextmanager
    async def open_(base_url: str) -> AsyncIterator[Call]:
        kwargs: dict[str, Any] = {"limits": LIMITS}
        if transport is not None:
            kwargs = {"transport": transport()}
        async with httpx.AsyncClient(base_url=base_url, headers=headers(), **kwargs) as client:

            async def call(service_id: str) -> Any:
                response = await client.get(f"/service/{service_id}")
                response.raise_for_status()
                return response.json()

            yield call

    return open_


def sharded() -> httpx.AsyncBaseTransport:
    from notify_async._sharded import ShardedTransport

    return ShardedTransport(
        max_connections=C.DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections=C.DEFAULT_MAX_KEEPALIVE,
        connections_per_pool=C.DEFAULT_CONNECTIONS_PER_POOL,
    )


def ours_aiohttp() -> httpx.AsyncBaseTransport:
    from notify_async._aiohttp import AiohttpTransport

    return AiohttpTransport(max_connections=C.DEFAULT_MAX_CONNECTIONS)


def httpx_aiohttp() -> httpx.AsyncBaseTransport:
    from httpx_aiohttp import AiohttpTransport

    transport: httpx.AsyncBaseTransport = AiohttpTransport(limits=LIMITS)
    return transport


@asynccontextmanager
async def raw_aiohttp(base_url: str) -> AsyncIterator[Call]:
    """aiohttp on its own: the floor for Python here."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=C.DEFAULT_MAX_CONNECTIONS)
    async with aiohttp.ClientSession(base_url, connector=connector, headers=headers()) as session:

        async def call(service_id: str) -> Any:
            async with session.get(f"/service/{service_id}") as response:
                response.raise_for_status()
                return json.loads(await response.read())

        yield call


#: name -> factory, in the order of the tables.
ASYNC_CLIENTS: dict[str, AsyncClientFactory] = {
    "notify_async default": notify_async(),  # transport="auto": aiohttp on asyncio
    "notify_async transport=httpcore": notify_async(transport="httpcore"),
    "raw httpx, one pool": raw_httpx(None),
    "raw httpx, sharded pools": raw_httpx(sharded),
    "raw httpx + notify_async's aiohttp transport": raw_httpx(ours_aiohttp),
    "raw httpx + httpx-aiohttp transport": raw_httpx(httpx_aiohttp),
    "raw aiohttp": raw_aiohttp,
}


def sync_client(base_url: str) -> Callable[[str], Any]:
    """The original synchronous client from PyPI (``notifications-python-client``), set up as
    the admin app sets up its API clients: one per thread (it is not thread-safe)."""
    from notifications_python_client.base import BaseAPIClient

    client = BaseAPIClient("x" * 74, base_url=base_url)
    client.service_id, client.api_key = CLIENT_ID, SECRET  # the admin app's iss and secret

    def call(service_id: str) -> Any:
        return client.get(f"/service/{service_id}")

    return call
