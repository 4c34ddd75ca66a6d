"""RedisCache on a Sentinel-managed primary (a primary, two replicas and three Sentinels started
by the tests): the whole cache contract and the stale-read tests as on a single Redis, the URL
and ``master_for`` forms, and SENTINEL FAILOVER: reads begun before it never store, and a
failover in the middle of a run serves and leaves nothing stale."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.exceptions
from redis.asyncio.sentinel import Sentinel

from notify_async.cache import CacheBackend
from notify_async.cache.redis import RedisCache
from notify_async.errors import ConfigurationError
from tests.redis_topologies import SentinelTopology, redis_sentinel_fixture  # noqa: F401
from tests.scale_out_support import FailoverWorkload, contract_tests, stale_read_tests
from tests.test_cache_contract import Harness

TTL = 3600

# The cache contract and the stale-read tests, run here on the Sentinel-managed primary.
globals().update(contract_tests())
globals().update(stale_read_tests())


@pytest.fixture
async def sentinel_cache(redis_sentinel: SentinelTopology) -> AsyncIterator[RedisCache]:
    """A cache owning its connections to the (emptied) primary the Sentinels name, by URL."""
    redis_sentinel.flush()
    cache = RedisCache.from_url(redis_sentinel.url)
    yield cache
    await cache.aclose()


@pytest.fixture
def harness(sentinel_cache: RedisCache) -> Harness:
    return Harness(sentinel_cache)


@pytest.fixture
def fenced_backend(sentinel_cache: RedisCache) -> CacheBackend:
    return sentinel_cache


async def test_an_invalidation_too_few_replicas_acknowledge_raises(
    redis_sentinel: SentinelTopology,
) -> None:
    cache = RedisCache.from_url(redis_sentinel.url, replicas=3, replica_timeout=0.05)  # 2 exist
    with pytest.raises(redis.exceptions.RedisError, match="2 of 3 replicas"):
        await cache.invalidate(["service-1"], [])
    await cache.aclose()
    acknowledged = RedisCache.from_url(redis_sentinel.url)  # the default: every replica up
    await acknowledged.invalidate(["service-1"], ["service-1-template-*"])
    await acknowledged.aclose()


def test_the_sentinel_url_form_and_its_repr_hide_the_password() -> None:
    cache = RedisCache.from_url("redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2/notify/2")
    assert repr(cache) == (
        "RedisCache(sentinel=['10.0.0.1:26379', '10.0.0.2:26379'], service='notify', db=2, "
        "owned=True)"
    )
    assert "s3cret" not in repr(cache)


@pytest.mark.parametrize("url", [
    "redis+sentinel://127.0.0.1:26379", "redis+sentinel://127.0.0.1:26379/notify/x",
    "redis+sentinel://127.0.0.1:26379/notify?db=1",
])
def test_a_malformed_sentinel_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RedisCache.from_url(url)
    assert url not in str(caught.value)


async def test_a_master_for_client_is_accepted_and_stays_the_callers(
    redis_sentinel: SentinelTopology,
) -> None:
    redis_sentinel.flush()
    sentinel = Sentinel(redis_sentinel.addresses)
    client = sentinel.master_for("notify")
    cache = RedisCache(client)
    await cache.set("service-1", b"{}", 60)
    assert await cache.get("service-1") == b"{}"
    await cache.aclose()
    assert await client.get("service-1") == b"{}"
    assert "service='notify'" in repr(cache)
    assert "owned=False" in repr(cache)
    await client.aclose()
    await sentinel.aclose()


async def test_a_read_begun_before_a_sentinel_failover_never_stores(
    redis_sentinel: SentinelTopology, sentinel_cache: RedisCache
) -> None:
    token = await sentinel_cache.begin_read("service-1")
    await asyncio.to_thread(redis_sentinel.failover)
    assert await sentinel_cache.complete_read("service-1", token, b"old", TTL) is False
    fresh = await sentinel_cache.begin_read("service-1")
    assert await sentinel_cache.complete_read("service-1", fresh, b"new", TTL) is True
    with redis_sentinel.client() as primary:
        assert primary.get("service-1") == b"new"


async def test_a_sentinel_failover_during_a_run_serves_and_leaves_nothing_stale(
    redis_sentinel: SentinelTopology, sentinel_cache: RedisCache
) -> None:
    """Invalidations the old primary accepts between the promotion and the announcement are
    lost with it: WAIT finds no replica acknowledging them, so they raise (counted as
    unconfirmed) instead of leaving stale entries behind."""
    workload = FailoverWorkload(11)

    async def failover() -> None:
        await asyncio.to_thread(redis_sentinel.failover)

    outcome = await workload.run(sentinel_cache, failover)
    assert outcome.writes > 10
    assert outcome.reads > 100
    assert outcome.stale_reads == []
    assert outcome.stale_entries == []
