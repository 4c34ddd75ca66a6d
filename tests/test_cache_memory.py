"""MemoryCache specifics: the LRU cap, expiry on an injected clock, and the fence bookkeeping
being dropped once no read needs it. (The behaviour shared with Redis is in
``test_cache_contract.py``.)"""

from __future__ import annotations

import pytest

from notify_async.cache import MemoryCache

TTL = 60


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


async def keys(cache: MemoryCache) -> list[str]:
    return [key for key in list(cache._data) if await cache.get(key) is not None]


async def test_the_least_recently_set_entry_is_dropped_beyond_the_cap() -> None:
    cache = MemoryCache(max_entries=2)
    for key in ("a", "b", "c"):
        await cache.set(key, b"1", TTL)
    assert len(cache) == 2
    assert await cache.get("a") is None
    assert await keys(cache) == ["b", "c"]


async def test_reading_an_entry_makes_it_recently_used() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", b"1", TTL)
    await cache.set("b", b"1", TTL)
    await cache.get("a")
    await cache.set("c", b"1", TTL)
    assert await cache.get("b") is None
    assert await cache.get("a") == b"1"


async def test_overwriting_an_entry_makes_it_recently_used_without_growing() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", b"1", TTL)
    await cache.set("b", b"1", TTL)
    await cache.set("a", b"2", TTL)
    await cache.set("c", b"1", TTL)
    assert await cache.get("b") is None
    assert await cache.get("a") == b"2"


async def test_an_entry_lives_exactly_its_ttl_on_the_injected_clock() -> None:
    clock = Clock()
    cache = MemoryCache(clock=clock)
    await cache.set("a", b"1", TTL)
    clock.now += TTL - 0.001
    assert await cache.get("a") == b"1"
    clock.now += 0.001
    assert await cache.get("a") is None


async def test_an_expired_entry_is_removed_when_read() -> None:
    clock = Clock()
    cache = MemoryCache(clock=clock)
    await cache.set("a", b"1", TTL)
    clock.now += TTL
    assert len(cache) == 1
    await cache.get("a")
    assert len(cache) == 0


async def test_each_entry_keeps_its_own_ttl() -> None:
    clock = Clock()
    cache = MemoryCache(clock=clock)
    await cache.set("short", b"1", 10)
    await cache.set("long", b"1", 100)
    clock.now += 50
    assert await cache.get("short") is None
    assert await cache.get("long") == b"1"


def bookkeeping(cache: MemoryCache) -> tuple[int, int, int]:
    return len(cache._key_generation), len(cache._pattern_generations), len(cache._open_reads)


async def test_invalidations_leave_no_bookkeeping_when_no_read_is_open() -> None:
    cache = MemoryCache()
    await cache.invalidate(["a", "b"], ["service-*"])
    assert bookkeeping(cache) == (0, 0, 0)


async def test_bookkeeping_is_dropped_when_the_last_open_read_completes() -> None:
    cache = MemoryCache()
    token = await cache.begin_read("a")
    await cache.invalidate(["a", "b"], ["service-*"])
    assert bookkeeping(cache) == (2, 1, 1)
    assert await cache.complete_read("a", token, b"1", TTL) is False
    assert bookkeeping(cache) == (0, 0, 0)


async def test_a_failed_read_releases_its_bookkeeping() -> None:
    cache = MemoryCache()
    token = await cache.begin_read("a")
    await cache.invalidate(["a"], [])
    assert await cache.complete_read("a", token, None, TTL) is False
    assert bookkeeping(cache) == (0, 0, 0)
    assert len(cache) == 0


async def test_patterns_older_than_every_open_read_are_pruned() -> None:
    cache = MemoryCache()
    old = await cache.begin_read("x")
    await cache.invalidate([], ["service-*"])
    newer = await cache.begin_read("service-1")
    await cache.complete_read("x", old, b"1", TTL)
    assert cache._pattern_generations == []  # no open read began before it any more
    assert await cache.complete_read("service-1", newer, b"1", TTL) is True


async def test_many_fenced_keys_are_pruned_once_no_open_read_predates_them() -> None:
    cache = MemoryCache()
    old = await cache.begin_read("x")
    for i in range(1100):
        await cache.invalidate([f"k{i}"], [])
    assert len(cache._key_generation) == 1100  # all newer than the open read: still needed
    newer = await cache.begin_read("k1")
    await cache.complete_read("x", old, b"1", TTL)
    assert len(cache._key_generation) == 0
    assert await cache.complete_read("k1", newer, b"1", TTL) is True


async def test_two_reads_from_one_generation_share_one_open_count() -> None:
    cache = MemoryCache()
    first = await cache.begin_read("a")
    second = await cache.begin_read("b")
    assert first == second
    await cache.invalidate(["b"], [])
    assert await cache.complete_read("a", first, b"1", TTL) is True
    assert bookkeeping(cache)[2] == 1  # the other read is still open
    assert await cache.complete_read("b", second, b"1", TTL) is False
    assert bookkeeping(cache) == (0, 0, 0)


async def test_aclose_keeps_the_entries_for_other_clients_sharing_the_cache() -> None:
    cache = MemoryCache()
    await cache.set("a", b"1", TTL)
    await cache.aclose()
    assert await cache.get("a") == b"1"


def test_repr_shows_size_and_cap_only() -> None:
    assert repr(MemoryCache(max_entries=7)) == "MemoryCache(entries=0, max_entries=7)"


@pytest.mark.parametrize("max_entries", [0, -1])
def test_a_cap_below_one_is_refused(max_entries: int) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemoryCache(max_entries=max_entries)
