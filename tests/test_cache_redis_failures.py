"""Redis going away and coming back while a client is in use: reads keep answering from the API
(errors counted), writes refuse to leave a possibly stale cache unannounced, and the cache is
used again once Redis is back, without restarting the client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import attrs
import pytest

from notify_async import NotifyAdminClient
from notify_async.cache import RequestCache
from notify_async.cache.redis import RedisCache
from notify_async.errors import CacheInvalidationError
from tests.cache_support import FakeNotify, ServiceReads, service_reads
from tests.redis_server import RedisServer

COOLDOWN = 5.0


class FakeClock:
    """The request cache's clock, moved by hand (no sleeping)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@attrs.define
class Setup:
    server: RedisServer
    api: FakeNotify
    notify: NotifyAdminClient
    cache: RequestCache
    client: ServiceReads
    clock: FakeClock


@pytest.fixture
def server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, free to be stopped and restarted."""
    instance = RedisServer()
    instance.start()
    yield instance
    instance.close()


@pytest.fixture
async def setup(server: RedisServer) -> AsyncIterator[Setup]:
    api = FakeNotify()
    backend = RedisCache.from_url(server.url)
    clock = FakeClock()
    cache = RequestCache(backend, error_cooldown=COOLDOWN, clock=clock)
    async with api.client(backend) as notify:
        yield Setup(server, api, notify, cache, service_reads(notify, cache), clock)
    await backend.aclose()


async def test_reads_keep_working_from_the_api_while_redis_is_down(setup: Setup) -> None:
    await setup.client.get_service("svc_a")
    await setup.client.get_service("svc_a")
    assert (setup.api.reads, setup.cache.stats.hits) == (1, 1)

    setup.server.stop()
    answer = await setup.client.get_service("svc_a")
    assert answer == {"data": {"id": "svc_a", "version": 0}}
    assert (setup.api.reads, setup.cache.stats.errors) == (2, 1)


async def test_reads_skip_redis_during_the_cooldown_then_try_again(setup: Setup) -> None:
    setup.server.stop()
    await setup.client.get_service("svc_a")
    await setup.client.get_service("svc_a")
    assert setup.cache.stats.errors == 1  # the second read did not try Redis
    setup.clock.now += COOLDOWN
    await setup.client.get_service("svc_a")
    assert setup.cache.stats.errors == 2
    assert setup.api.reads == 3


async def test_a_write_is_not_sent_when_the_invalidation_before_it_fails(setup: Setup) -> None:
    setup.server.stop()
    with pytest.raises(CacheInvalidationError) as caught:
        await setup.client.update_service("svc_a")
    assert caught.value.request_sent is False
    assert caught.value.result is None
    assert "service-svc_a" in caught.value.keys
    assert setup.api.writes == 0


async def test_a_write_sent_before_redis_failed_raises_with_its_result(setup: Setup) -> None:
    setup.api.on_write = setup.server.stop  # Redis dies while the API handles the write
    with pytest.raises(CacheInvalidationError) as caught:
        await setup.client.update_service("svc_a")
    assert caught.value.request_sent is True
    assert caught.value.result == {"data": {"id": "svc_a", "version": 1}}
    assert set(caught.value.keys) == {"service-svc_a", "service-svc_a-template-*"}
    assert setup.api.writes == 1
    assert "may hold stale data" in str(caught.value)


async def test_the_cache_recovers_after_redis_restarts_without_a_new_client(
    setup: Setup,
) -> None:
    await setup.client.get_service("svc_a")  # populates, and leaves a pooled connection
    setup.server.stop()
    await setup.client.get_service("svc_a")
    assert setup.cache.stats.errors == 1

    setup.server.start()  # same port, empty (no persistence)
    setup.clock.now += COOLDOWN
    await setup.client.get_service("svc_a")  # a miss that populates again
    await setup.client.get_service("svc_a")  # a hit
    assert setup.cache.stats.errors == 1
    assert setup.cache.stats.hits == 1
    assert setup.cache.stats.populates == 2
    assert setup.api.reads == 3

    await setup.client.update_service("svc_a")  # invalidation works again too
    assert (await setup.client.get_service("svc_a"))["data"]["version"] == 1


async def test_errors_show_in_the_facades_cache_stats(setup: Setup) -> None:
    client = service_reads(setup.notify)  # the facade's own request cache
    setup.server.stop()
    assert (await client.get_service("svc_a"))["data"]["id"] == "svc_a"
    assert setup.notify.cache_stats.errors == 1
    assert setup.notify.cache_stats.misses == 1
