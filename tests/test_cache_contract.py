"""The cache backend contract, run against MemoryCache and against RedisCache on a real
redis-server: storage and TTL, invalidation of keys and globs, the read fence, and the
RequestCache behaviour built on it (hits, misses, single-flight, stats)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from notify_async.cache import CacheBackend, MemoryCache, RequestCache
from notify_async.cache.redis import RedisCache
from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401

TTL = 3600


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Harness:
    """One backend under test, with the few checks that differ per backend."""

    def __init__(self, backend: CacheBackend, clock: FakeClock | None = None) -> None:
        self.backend = backend
        self.clock = clock

    async def assert_expires_after(self, key: str, ttl: int) -> None:
        """The entry is there until ``ttl`` seconds have passed, then gone."""
        if isinstance(self.backend, RedisCache):
            remaining = await self.backend.client.ttl(key)
            assert ttl - 2 <= remaining <= ttl  # Redis counts the TTL down by itself
            return
        assert self.clock is not None
        self.clock.now += ttl - 0.5
        assert await self.backend.get(key) is not None
        self.clock.now += 1
        assert await self.backend.get(key) is None


@pytest.fixture(params=["memory", "redis"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """Each contract test runs once per backend."""
    if request.param == "memory":
        clock = FakeClock()
        yield Harness(MemoryCache(clock=clock), clock)
        return
    url = request.getfixturevalue("redis_url")
    cache = RedisCache.from_url(url)
    yield Harness(cache)
    await cache.aclose()


async def keys_present(backend: CacheBackend, names: list[str]) -> set[str]:
    """Which of ``names`` the backend still holds."""
    return {name for name in names if await backend.get(name) is not None}


# --- storage ---------------------------------------------------------------------------------


async def test_get_of_a_missing_key_is_none(harness: Harness) -> None:
    assert await harness.backend.get("service-missing") is None


async def test_set_then_get_returns_the_same_bytes(harness: Harness) -> None:
    await harness.backend.set("service-1", b'{"data": {"id": "1"}}', TTL)
    assert await harness.backend.get("service-1") == b'{"data": {"id": "1"}}'


async def test_set_overwrites(harness: Harness) -> None:
    await harness.backend.set("service-1", b"1", TTL)
    await harness.backend.set("service-1", b"2", TTL)
    assert await harness.backend.get("service-1") == b"2"


async def test_entries_expire_after_their_ttl(harness: Harness) -> None:
    await harness.backend.set("letter-rates", b"[]", 60)
    await harness.assert_expires_after("letter-rates", 60)


# --- invalidation ----------------------------------------------------------------------------


async def test_invalidate_deletes_the_keys_and_nothing_else(harness: Harness) -> None:
    names = ["service-1", "service-2", "user-1"]
    for name in names:
        await harness.backend.set(name, b"{}", TTL)
    await harness.backend.invalidate(["service-1", "user-1", "never-stored"], [])
    assert await keys_present(harness.backend, names) == {"service-2"}


@pytest.mark.parametrize(
    ("pattern", "removed"),
    [
        ("service-1-template-*", {"service-1-template-a", "service-1-template-b-version-2"}),
        ("service-1-template*", {"service-1-templates", "service-1-template-a",
                                 "service-1-template-b-version-2"}),
        ("organisation-*-email-branding-pool", {"organisation-1-email-branding-pool"}),
        ("service-?-template-a", {"service-1-template-a", "service-2-template-a"}),
        ("service-[12]-templates", {"service-1-templates", "service-2-templates"}),
        ("service-[^1]-templates", {"service-2-templates"}),
        ("user-1", {"user-1"}),
    ],
)
async def test_invalidate_pattern_deletes_every_matching_key(
    harness: Harness, pattern: str, removed: set[str]
) -> None:
    names = [
        "service-1-templates", "service-1-template-a", "service-1-template-b-version-2",
        "service-2-template-a", "service-2-templates", "service-1",
        "organisation-1-email-branding-pool", "organisation-1-letter-branding-pool",
        "user-1", "user-10",
    ]
    for name in names:
        await harness.backend.set(name, b"{}", TTL)
    await harness.backend.invalidate([], [pattern])
    assert await keys_present(harness.backend, names) == set(names) - removed


# --- the read fence --------------------------------------------------------------------------


async def test_a_read_with_no_invalidation_stores(harness: Harness) -> None:
    token = await harness.backend.begin_read("service-1")
    assert await harness.backend.complete_read("service-1", token, b"v1", TTL) is True
    assert await harness.backend.get("service-1") == b"v1"


async def test_a_read_stores_with_its_ttl(harness: Harness) -> None:
    token = await harness.backend.begin_read("letter-rates")
    await harness.backend.complete_read("letter-rates", token, b"[]", 90)
    await harness.assert_expires_after("letter-rates", 90)


async def test_a_read_begun_before_an_invalidation_of_its_key_does_not_store(
    harness: Harness,
) -> None:
    token = await harness.backend.begin_read("service-1")
    await harness.backend.invalidate(["service-1"], [])
    assert await harness.backend.complete_read("service-1", token, b"old", TTL) is False
    assert await harness.backend.get("service-1") is None


async def test_a_read_begun_after_the_invalidation_stores(harness: Harness) -> None:
    await harness.backend.invalidate(["service-1"], [])
    token = await harness.backend.begin_read("service-1")
    assert await harness.backend.complete_read("service-1", token, b"new", TTL) is True
    assert await harness.backend.get("service-1") == b"new"


async def test_a_pattern_invalidation_fences_the_keys_it_covers(harness: Harness) -> None:
    token = await harness.backend.begin_read("service-1-template-a-version-None")
    await harness.backend.invalidate([], ["service-1-template-*"])
    stored = await harness.backend.complete_read(
        "service-1-template-a-version-None", token, b"old", TTL
    )
    assert stored is False
    assert await harness.backend.get("service-1-template-a-version-None") is None


async def test_a_glob_starting_with_a_wildcard_fences_too(harness: Harness) -> None:
    token = await harness.backend.begin_read("service-1-returned-letters-summary")
    await harness.backend.invalidate([], ["*-returned-letters-summary"])
    assert await harness.backend.complete_read(
        "service-1-returned-letters-summary", token, b"old", TTL
    ) is False


async def test_invalidating_other_keys_and_patterns_does_not_fence(harness: Harness) -> None:
    token = await harness.backend.begin_read("service-1")
    await harness.backend.invalidate(["service-2", "user-1"], ["service-2-template-*"])
    assert await harness.backend.complete_read("service-1", token, b"v", TTL) is True


async def test_a_failed_read_stores_nothing(harness: Harness) -> None:
    token = await harness.backend.begin_read("service-1")
    assert await harness.backend.complete_read("service-1", token, None, TTL) is False
    assert await harness.backend.get("service-1") is None


async def test_interleaved_reads_are_fenced_independently(harness: Harness) -> None:
    early = await harness.backend.begin_read("service-1")
    await harness.backend.invalidate(["service-1"], [])
    late = await harness.backend.begin_read("service-1")
    assert await harness.backend.complete_read("service-1", late, b"new", TTL) is True
    assert await harness.backend.complete_read("service-1", early, b"old", TTL) is False
    assert await harness.backend.get("service-1") == b"new"


# --- RequestCache on top of the backend -------------------------------------------------------


class Upstream:
    """A fake API read: counts calls, can be held open, can fail."""

    def __init__(self, value: Any = None, error: Exception | None = None) -> None:
        self.calls = 0
        self.value = {"data": {"id": "1", "name": "Service"}} if value is None else value
        self.error = error
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self) -> Any:
        self.calls += 1
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return self.value


async def wait_until(condition: Callable[[], bool]) -> None:
    """Yield to the event loop until ``condition()`` holds (bounded; fails the test otherwise)."""
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.001)
    pytest.fail("condition never became true")


async def test_a_miss_calls_upstream_and_stores_json_then_a_hit_does_not(
    harness: Harness,
) -> None:
    cache = RequestCache(harness.backend)
    upstream = Upstream()
    assert await cache.read_through("service-1", TTL, upstream) == upstream.value
    assert await cache.read_through("service-1", TTL, upstream) == upstream.value
    assert upstream.calls == 1
    assert json.loads(await harness.backend.get("service-1") or b"") == upstream.value
    assert (cache.stats.hits, cache.stats.misses, cache.stats.populates) == (1, 1, 1)


async def test_falsy_results_are_cached_too(harness: Harness) -> None:
    cache = RequestCache(harness.backend)
    upstream = Upstream(value=[])
    assert await cache.read_through("has_jobs-1", TTL, upstream) == []
    assert await cache.read_through("has_jobs-1", TTL, upstream) == []
    assert upstream.calls == 1


async def test_a_value_stored_by_the_original_is_a_hit(harness: Harness) -> None:
    original = {"data": {"id": "1", "name": "Set by the admin app"}}
    await harness.backend.set("service-1", json.dumps(original).encode(), TTL)
    cache = RequestCache(harness.backend)
    upstream = Upstream()
    assert await cache.read_through("service-1", TTL, upstream) == original
    assert upstream.calls == 0


async def test_an_entry_that_is_not_json_is_a_miss_and_is_replaced(harness: Harness) -> None:
    await harness.backend.set("service-1", b"\x80not json", TTL)
    cache = RequestCache(harness.backend)
    upstream = Upstream()
    assert await cache.read_through("service-1", TTL, upstream) == upstream.value
    assert (upstream.calls, cache.stats.errors, cache.stats.populates) == (1, 1, 1)
    assert json.loads(await harness.backend.get("service-1") or b"") == upstream.value


async def test_concurrent_identical_misses_share_one_upstream_call(harness: Harness) -> None:
    cache = RequestCache(harness.backend)
    upstream = Upstream()
    upstream.release.clear()
    readers = [asyncio.create_task(cache.read_through("service-1", TTL, upstream))
               for _ in range(10)]
    await wait_until(lambda: cache.stats.misses == 10)
    upstream.release.set()
    results = await asyncio.gather(*readers)
    assert upstream.calls == 1
    assert results == [upstream.value] * 10
    assert cache.stats.shared == 9
    assert cache.stats.populates == 1


async def test_concurrent_identical_misses_share_one_failure(harness: Harness) -> None:
    cache = RequestCache(harness.backend)
    upstream = Upstream(error=RuntimeError("API down"))
    upstream.release.clear()
    readers = [asyncio.create_task(cache.read_through("service-1", TTL, upstream))
               for _ in range(5)]
    await wait_until(lambda: cache.stats.misses == 5)
    upstream.release.set()
    outcomes = await asyncio.gather(*readers, return_exceptions=True)
    assert upstream.calls == 1
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert len({id(o) for o in outcomes}) == 1  # the one failure, shared
    assert await harness.backend.get("service-1") is None
    assert cache.stats.populates == 0


async def test_callers_sharing_a_miss_each_get_their_own_copy(harness: Harness) -> None:
    # As with a cache hit, mutating one caller's answer must not change another caller's.
    cache = RequestCache(harness.backend)
    upstream = Upstream()
    upstream.release.clear()
    readers = [asyncio.create_task(cache.read_through("service-1", TTL, upstream))
               for _ in range(3)]
    await wait_until(lambda: cache.stats.misses == 3)
    upstream.release.set()
    results = await asyncio.gather(*readers)
    assert cache.stats.shared == 2
    assert results == [upstream.value] * 3
    assert len({id(r) for r in results}) == 3
    assert len({id(r["data"]) for r in results}) == 3


async def test_different_keys_are_not_shared(harness: Harness) -> None:
    cache = RequestCache(harness.backend)
    upstream = Upstream()
    await asyncio.gather(
        cache.read_through("service-1", TTL, upstream),
        cache.read_through("service-2", TTL, upstream),
    )
    assert upstream.calls == 2
    assert cache.stats.shared == 0


def invalidating_fetch(
    cache: RequestCache, keys: list[str], patterns: list[str], upstream: Upstream
) -> Callable[[], Awaitable[Any]]:
    """An upstream read during which a write invalidates the cache (a concurrent writer)."""

    async def fetch() -> Any:
        value = await upstream()
        await cache.invalidate(keys, patterns, request_sent=True)
        return value

    return fetch


async def test_a_read_overtaken_by_a_write_is_returned_but_not_stored(harness: Harness) -> None:
    cache = RequestCache(harness.backend)
    upstream = Upstream()
    fetch = invalidating_fetch(cache, ["service-1"], [], upstream)
    assert await cache.read_through("service-1", TTL, fetch) == upstream.value
    assert await harness.backend.get("service-1") is None
    assert (cache.stats.fenced, cache.stats.populates, cache.stats.invalidations) == (1, 0, 1)


async def test_a_read_overtaken_by_a_pattern_write_is_not_stored(harness: Harness) -> None:
    cache = RequestCache(harness.backend)
    fetch = invalidating_fetch(cache, [], ["service-1-template-*"], Upstream())
    await cache.read_through("service-1-template-2", TTL, fetch)
    assert await harness.backend.get("service-1-template-2") is None
    assert cache.stats.fenced == 1


async def test_invalidation_counts_and_removes(harness: Harness) -> None:
    cache = RequestCache(harness.backend)
    await harness.backend.set("service-1", b"{}", TTL)
    await cache.invalidate(["service-1"], [], request_sent=False)
    assert await harness.backend.get("service-1") is None
    assert cache.stats.invalidations == 1


async def test_a_caller_arriving_after_an_invalidation_does_not_join_an_older_fetch(
    harness: Harness,
) -> None:
    cache = RequestCache(harness.backend)
    old = Upstream(value={"v": "old"})
    old.release.clear()
    first = asyncio.create_task(cache.read_through("service-1", TTL, old))
    await wait_until(lambda: old.calls == 1)
    await cache.invalidate(["service-1"], [], request_sent=True)
    new = Upstream(value={"v": "new"})
    assert await cache.read_through("service-1", TTL, new) == {"v": "new"}
    old.release.set()
    assert await first == {"v": "old"}  # the older fetch still answers its own caller
    assert (old.calls, new.calls, cache.stats.shared) == (1, 1, 0)
    assert await harness.backend.get("service-1") == b'{"v":"new"}'
