"""RedisCache specifics on a real redis-server: sharing keys with the original admin app,
pattern invalidation without KEYS, the fence bookkeeping, ownership, repr, trio, from_env."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest
import redis
import redis.asyncio as aioredis
import trio

from notify_async import NotifyAdminClient
from notify_async import _constants as C
from notify_async.cache import MemoryCache
from notify_async.cache.redis import RedisCache
from notify_async.errors import ConfigurationError
from tests.cache_support import FakeNotify, service_reads
from tests.harness import CLIENT_ID, SECRET
from tests.redis_server import (  # noqa: F401
    RedisServer,
    redis_cache_fixture,
    redis_server_fixture,
    redis_url_fixture,
)

NS = C.DEFAULT_REDIS_FENCE_NAMESPACE
SERVICE = "9f5b7c8e-0f2a-4b8e-9a59-3c1d2e4f5a6b"
TEMPLATE = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def plain(server: RedisServer) -> redis.Redis:
    """A synchronous client like the original admin app's."""
    return server.client()


async def wait_for(condition: Callable[[], bool]) -> None:
    """Yield until ``condition()`` holds (bounded)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    pytest.fail("condition never became true")


def connections(server: RedisServer) -> int:
    """Clients connected to the server, not counting the one asking."""
    with plain(server) as client:
        return len(client.client_list()) - 1


# --- sharing one Redis with the original -----------------------------------------------------


async def test_keys_written_by_the_original_are_removed_by_pattern_invalidation(
    redis_server: RedisServer, redis_url: str
) -> None:
    original = plain(redis_server)
    shared = {
        f"service-{SERVICE}-template-{TEMPLATE}": {"data": {"id": TEMPLATE}},
        f"service-{SERVICE}-template-{TEMPLATE}-version-None": {"data": {"version": 3}},
        f"service-{SERVICE}-template-folders": {"template_folders": []},
        "organisation-3f0c-email-branding-pool": [],
    }
    for key, value in shared.items():
        original.set(key, json.dumps(value), ex=C.DEFAULT_CACHE_TTL)  # as the admin app does
    with original.pipeline(transaction=False) as pipe:
        for i in range(3000):
            pipe.set(f"unrelated-{i}", "x")
        pipe.set(f"service-{SERVICE}", "{}")
        pipe.execute()
    cache = RedisCache.from_url(redis_url, scan_count=50)  # many SCAN steps
    await cache.invalidate(
        [], [f"service-{SERVICE}-template-*", "organisation-*-email-branding-pool"]
    )
    await cache.aclose()
    assert [key for key in shared if original.exists(key)] == []
    assert original.exists(f"service-{SERVICE}")
    assert len([k for k in original.scan_iter(match="unrelated-*", count=1000)]) == 3000
    original.close()


async def test_pattern_invalidation_never_uses_keys(
    redis_server: RedisServer, redis_cache: RedisCache
) -> None:
    with plain(redis_server) as original:
        original.set("service-1-template-2", "{}")
        original.config_resetstat()
        await redis_cache.invalidate([], ["service-1-template-*"])
        stats = original.info("commandstats")
        assert not original.exists("service-1-template-2")
    assert "cmdstat_scan" in stats
    assert "cmdstat_keys" not in stats


async def test_values_and_default_ttl_are_the_originals(
    redis_server: RedisServer, redis_url: str
) -> None:
    cache = RedisCache.from_url(redis_url)
    async with FakeNotify().client(cache) as notify:
        answer = await service_reads(notify).get_service(SERVICE.upper())
    await cache.aclose()
    with plain(redis_server) as original:
        key = f"service-{SERVICE}"  # UUID normalised, as the original formats it
        assert json.loads(original.get(key) or b"") == answer
        assert C.DEFAULT_CACHE_TTL - 5 <= original.ttl(key) <= C.DEFAULT_CACHE_TTL


async def test_the_original_reads_what_the_sdk_cached_and_vice_versa(
    redis_server: RedisServer, redis_cache: RedisCache
) -> None:
    token = await redis_cache.begin_read("user-1")
    await redis_cache.complete_read("user-1", token, b'{"data":{"id":"1"}}', 60)
    with plain(redis_server) as original:
        assert json.loads(original.get("user-1") or b"") == {"data": {"id": "1"}}
        original.set("user-2", json.dumps({"data": {"id": "2"}}), ex=60)
    assert json.loads(await redis_cache.get("user-2") or b"") == {"data": {"id": "2"}}


# --- the fence's bookkeeping -----------------------------------------------------------------


async def test_invalidation_deletes_the_keys_and_keeps_fence_entries_beside_them(
    redis_server: RedisServer, redis_cache: RedisCache
) -> None:
    with plain(redis_server) as original:
        original.set("service-1", "{}")
        await redis_cache.invalidate(["service-1"], ["service-1-template-*"])
        assert not original.exists("service-1")
        for fence in (f"{NS}k:service-1", f"{NS}p:service-1-template-"):
            assert 0 < original.ttl(fence) <= C.DEFAULT_REDIS_FENCE_SECONDS


async def test_a_sweep_of_every_key_leaves_the_fence_in_place(redis_cache: RedisCache) -> None:
    token = await redis_cache.begin_read("service-1")
    await redis_cache.set("service-2", b"{}", 60)
    await redis_cache.invalidate([], ["*"])
    assert await redis_cache.get("service-2") is None
    assert await redis_cache.complete_read("service-1", token, b"old", 60) is False


async def test_a_read_begun_before_redis_lost_its_data_never_stores(
    redis_server: RedisServer, redis_cache: RedisCache
) -> None:
    token = await redis_cache.begin_read("service-1")
    with plain(redis_server) as original:
        original.flushall()  # a restart without persistence, or eviction of the fence state
    assert await redis_cache.complete_read("service-1", token, b"old", 60) is False
    fresh = await redis_cache.begin_read("service-1")
    assert await redis_cache.complete_read("service-1", fresh, b"new", 60) is True


async def test_a_read_older_than_the_fence_lifetime_never_stores(redis_url: str) -> None:
    cache = RedisCache.from_url(redis_url, fence_seconds=30)
    token = await cache.begin_read("service-1")
    assert isinstance(token, tuple)
    ident, seq, started = token
    assert await cache.complete_read("service-1", (ident, seq, started - 30), b"v", 60) is False
    assert await cache.complete_read("service-1", (ident, seq, started - 29), b"v", 60) is True
    await cache.aclose()


async def test_complete_read_refuses_a_foreign_token(redis_cache: RedisCache) -> None:
    with pytest.raises(TypeError):
        await redis_cache.complete_read("service-1", object(), b"v", 60)


# --- construction, ownership, repr ------------------------------------------------------------


def test_repr_shows_where_but_never_the_password() -> None:
    cache = RedisCache.from_url("redis://notify:s3cret-pw@127.0.0.1:6390/2")
    text = repr(cache)
    assert "s3cret" not in text
    assert "notify" not in text
    assert text == "RedisCache(host='127.0.0.1', port=6390, db=2, owned=True)"
    assert "s3cret" not in repr(RedisCache.from_url("unix:///tmp/r.sock?db=1&password=s3cret"))


def test_an_invalid_url_is_a_configuration_error_that_does_not_echo_it() -> None:
    with pytest.raises(ConfigurationError) as caught:
        RedisCache.from_url("http://notify:s3cret-pw@127.0.0.1:6390/0")
    assert "s3cret" not in str(caught.value)


def test_decoded_responses_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        RedisCache.from_url("redis://127.0.0.1:6390/0", decode_responses=True)
    with pytest.raises(ConfigurationError):
        RedisCache(aioredis.Redis(port=6390, decode_responses=True))


@pytest.mark.parametrize("option", [{"fence_seconds": 0}, {"scan_count": 0}, {"namespace": ""}])
def test_out_of_range_options_are_refused(option: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        RedisCache.from_url("redis://127.0.0.1:6390/0", **option)  # type: ignore[arg-type]


async def test_aclose_closes_the_pool_the_cache_made(
    redis_server: RedisServer, redis_url: str
) -> None:
    cache = RedisCache.from_url(redis_url)
    await cache.set("service-1", b"{}", 60)
    assert connections(redis_server) == 1
    await cache.aclose()
    await wait_for(lambda: connections(redis_server) == 0)


async def test_aclose_leaves_a_callers_client_open(
    redis_server: RedisServer, redis_url: str
) -> None:
    client = aioredis.Redis.from_url(redis_url)
    cache = RedisCache(client)
    await cache.set("service-1", b"{}", 60)
    await cache.aclose()
    assert await client.get("service-1") == b"{}"
    assert "owned=False" in repr(cache)
    await client.aclose()


def test_an_owned_cache_follows_the_client_into_a_new_event_loop(redis_url: str) -> None:
    cache = RedisCache.from_url(redis_url)
    asyncio.run(cache.set("service-1", b"{}", 60))
    assert asyncio.run(cache.get("service-1")) == b"{}"  # a fresh loop, e.g. a new notebook
    asyncio.run(cache.aclose())


# --- asyncio only -----------------------------------------------------------------------------


def test_used_under_trio_it_raises_a_clear_error(redis_url: str) -> None:
    cache = RedisCache.from_url(redis_url)
    with pytest.raises(ConfigurationError, match="asyncio only"):
        trio.run(cache.get, "service-1")
    trio.run(cache.aclose)  # nothing was opened; closing under trio is harmless


def test_a_facade_under_trio_surfaces_the_error_instead_of_skipping_the_cache(
    redis_url: str,
) -> None:
    cache = RedisCache.from_url(redis_url)

    async def read() -> None:
        async with FakeNotify().client(cache) as notify:
            await service_reads(notify).get_service("svc_a")

    with pytest.raises(ConfigurationError, match="asyncio only"):
        trio.run(read)


# --- NotifyAdminClient.from_env ----------------------------------------------------------------


def env(**extra: str) -> dict[str, str]:
    return {
        "NOTIFY_API_URL": "https://api.notify.test",
        "NOTIFY_ADMIN_CLIENT_ID": CLIENT_ID,
        "NOTIFY_ADMIN_CLIENT_SECRET": SECRET,
        **extra,
    }


async def test_from_env_uses_redis_when_redis_url_is_set_and_closes_it(
    redis_server: RedisServer, redis_url: str
) -> None:
    api = FakeNotify()
    http = httpx.AsyncClient(transport=httpx.MockTransport(api.handle))
    before = connections(redis_server)  # other tests' clients may still be closing
    notify = NotifyAdminClient.from_env(env(REDIS_URL=redis_url), http_client=http)
    assert isinstance(notify.cache.backend, RedisCache)
    await service_reads(notify).get_service("svc_a")
    await service_reads(notify).get_service("svc_a")
    assert (api.reads, notify.cache_stats.hits) == (1, 1)
    with plain(redis_server) as original:
        assert original.exists("service-svc_a")
    await notify.aclose()
    await wait_for(lambda: connections(redis_server) <= before)
    await http.aclose()


def test_from_env_without_redis_url_uses_memory() -> None:
    notify = NotifyAdminClient.from_env(env())
    assert isinstance(notify.cache.backend, MemoryCache)


def test_from_env_repr_hides_the_redis_password() -> None:
    notify = NotifyAdminClient.from_env(env(REDIS_URL="redis://:s3cret-pw@127.0.0.1:6390/0"))
    assert "s3cret" not in repr(notify)
    assert "RedisCache(host='127.0.0.1', port=6390" in repr(notify)
