"""Per-loop resources: a client closed inside a long-running loop leaves nothing behind (no
task waiting for the loop to end, holding its closed pools)."""

from __future__ import annotations

import asyncio
import gc

import httpx

from notify_async import NotifyAdminClient
from notify_async.cache.redis import RedisCache
from tests.harness import BASE_URL, CLIENT_ID, SECRET
from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401


def _reapers() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if "close at loop end" in t.get_name()]


async def test_clients_closed_in_a_long_running_loop_leave_no_task_or_pool_behind(
    redis_url: str,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"id": "x"}})

    before = len(_reapers())
    for _ in range(50):  # e.g. a server making one client per job
        cache = RedisCache.from_url(redis_url)
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, cache=cache,
                                     http_client=http) as notify:
            await notify.services.get_service("0f4b8b5e-51c5-4a38-9b57-5f0c1d4e2a10")
        await http.aclose()
        del notify, cache
    await asyncio.sleep(0)  # the reapers' cancellations run
    await asyncio.sleep(0)
    gc.collect()
    assert len(_reapers()) == before
    clients = [o for o in gc.get_objects() if isinstance(o, NotifyAdminClient)]
    assert len(clients) <= 1
