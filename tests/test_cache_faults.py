"""Faults that used to leave the cache stale or broken, each reproduced for real: a Redis flushed
or restarted while a read was in flight, more concurrent calls than the Redis pool has
connections, writes cancelled after they reached the server, and ``cache=False``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest
import redis
import redis.asyncio as aioredis

from notify_async import NotifyAdminClient
from notify_async import _constants as C
from notify_async.cache import CacheBackend, MemoryCache, RequestCache
from notify_async.cache.redis import RedisCache
from notify_async.errors import CacheInvalidationError
from tests.cache_support import ServiceReads, service_reads
from tests.conftest import make_client
from tests.redis_server import RedisServer, redis_server_fixture, redis_url_fixture  # noqa: F401

SERVICE = "7a1e3f6c-2b1d-4c8e-9f00-1234567890ab"
KEY = f"service-{SERVICE}"
OTHER = "0b5e1c2d-3f4a-4b6c-8d7e-9f0a1b2c3d4e"


class GatedAPI:
    """A stateful upstream whose reads and writes can be held at chosen points.

    A GET reads the version, then waits for ``release_read`` (its answer is in flight). A POST
    signals ``write_arrived``, waits for ``apply_write``, bumps the version, signals
    ``write_applied`` and then waits for ``release_write`` before answering.
    """

    def __init__(self, *, gate_reads: bool = False, gate_writes: bool = False) -> None:
        self.version = 0
        self.reads = 0
        self.writes = 0
        self.gate_reads = gate_reads
        self.gate_writes = gate_writes
        self.read_started = asyncio.Event()
        self.release_read = asyncio.Event()
        self.write_arrived = asyncio.Event()
        self.apply_write = asyncio.Event()
        self.write_applied = asyncio.Event()
        self.release_write = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.write_arrived.set()
            if self.gate_writes:
                await self.apply_write.wait()
            self.version += 1
            self.writes += 1
            self.write_applied.set()
            if self.gate_writes:
                await self.release_write.wait()
            return httpx.Response(200, json={"data": {"id": SERVICE, "version": self.version}})
        self.reads += 1
        version = self.version
        self.read_started.set()
        if self.gate_reads:
            await self.release_read.wait()
        return httpx.Response(200, json={"data": {"id": SERVICE, "version": version}})

    def client(self, cache: CacheBackend | bool | None) -> NotifyAdminClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return make_client(cache=cache, http_client=http)


def cached_version(raw: bytes | None) -> int | None:
    return None if raw is None else int(json.loads(raw)["data"]["version"])


@pytest.fixture
def own_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, free to be killed and restarted."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


async def _read_before_write_then(
    server: RedisServer, fault: Callable[[], None], *, snapshot: bool
) -> tuple[GatedAPI, RedisCache, ServiceReads]:
    """A read takes its fence token and the old answer; a write completes; ``fault`` happens;
    the read's answer then arrives. With ``snapshot``, Redis saves an RDB snapshot between the
    read's start and the write, so a restart brings back the fence state the read saw."""
    api = GatedAPI(gate_reads=True)
    cache = RedisCache.from_url(server.url)
    notify = api.client(cache)
    reads = service_reads(notify)
    slow = asyncio.create_task(reads.get_service(SERVICE))
    await api.read_started.wait()
    if snapshot:
        with server.client() as plain:
            plain.save()
    api.gate_reads = False
    answer = await reads.update_service(SERVICE)
    assert answer["data"]["version"] == 1
    fault()
    # Another read, of another record, recreates the fence state before the slow read ends.
    await reads.get_service(OTHER)
    api.release_read.set()
    assert (await slow)["data"]["version"] == 0  # the slow caller gets what it asked for
    return api, cache, reads


@pytest.mark.parametrize("fault", ["flushall", "kill -9 and restart", "restart from a snapshot"])
async def test_a_read_that_began_before_a_write_never_stores_after_a_flush_or_restart(
    own_server: RedisServer, fault: str
) -> None:
    def happen() -> None:
        if fault == "flushall":
            with own_server.client() as plain:
                plain.flushall()
        else:
            own_server.kill()
            own_server.start()

    snapshot = fault == "restart from a snapshot"
    _, cache, reads = await _read_before_write_then(own_server, happen, snapshot=snapshot)
    with own_server.client() as plain:
        assert cached_version(plain.get(KEY)) in (None, 1)
    assert (await reads.get_service(SERVICE))["data"]["version"] == 1
    await cache.aclose()


async def test_many_more_concurrent_writes_than_pool_connections_all_invalidate(
    redis_url: str,
) -> None:
    api = GatedAPI()
    cache = RedisCache.from_url(redis_url, max_connections=10)
    async with api.client(cache) as notify:
        reads = service_reads(notify)
        results = await asyncio.gather(
            *(reads.update_service(SERVICE) for _ in range(300)), return_exceptions=True
        )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert api.writes == 300
    await cache.aclose()


async def test_a_callers_redis_client_with_a_small_pool_is_waited_for_not_failed(
    redis_url: str,
) -> None:
    api = GatedAPI()
    client = aioredis.Redis.from_url(redis_url, max_connections=5)
    cache = RedisCache(client)
    async with api.client(cache) as notify:
        reads = service_reads(notify)
        results = await asyncio.gather(
            *(reads.update_service(SERVICE) for _ in range(100)),
            *(reads.get_service(SERVICE) for _ in range(100)),
            return_exceptions=True,
        )
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert notify.cache_stats.errors == 0
    await client.aclose()


async def test_a_thousand_concurrent_cold_reads_make_one_request_and_leave_the_cache_on(
    redis_url: str,
) -> None:
    api = GatedAPI()
    cache = RedisCache.from_url(redis_url)
    async with api.client(cache) as notify:
        reads = service_reads(notify)
        answers = await asyncio.gather(*(reads.get_service(SERVICE) for _ in range(1000)))
        assert {a["data"]["version"] for a in answers} == {0}
        assert api.reads == 1
        assert notify.cache_stats.errors == 0
        await reads.get_service(SERVICE)
        assert api.reads == 1  # the read right after the burst is a hit
    await cache.aclose()


def _cancel_styles() -> list[str]:
    return ["task.cancel", "asyncio.timeout", "anyio cancel scope"]


@pytest.mark.parametrize("style", _cancel_styles())
@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_a_write_cancelled_after_it_reached_the_server_still_invalidates(
    backend: str, style: str, request: pytest.FixtureRequest
) -> None:
    cache: CacheBackend = (
        MemoryCache() if backend == "memory" else RedisCache.from_url(
            request.getfixturevalue("redis_url")
        )
    )
    api = GatedAPI(gate_writes=True)
    async with api.client(cache) as notify:
        reads = service_reads(notify)

        async def write() -> Any:
            if style == "asyncio.timeout":
                async with asyncio.timeout(0.2):
                    return await reads.update_service(SERVICE)
            if style == "anyio cancel scope":
                with anyio.move_on_after(0.2):
                    return await reads.update_service(SERVICE)
                return None
            return await reads.update_service(SERVICE)

        task = asyncio.create_task(write())
        await api.write_arrived.wait()
        # A read between the write's first invalidation and the server applying it stores the
        # old answer; only the invalidation after the request can remove it.
        assert (await reads.get_service(SERVICE))["data"]["version"] == 0
        api.apply_write.set()
        await api.write_applied.wait()
        if style == "task.cancel":
            task.cancel()
        if style == "anyio cancel scope":
            assert await task is None  # the scope swallowed its own cancellation
        else:
            with pytest.raises((asyncio.CancelledError, TimeoutError)):
                await task
        assert (await reads.get_service(SERVICE))["data"]["version"] == 1
    await cache.aclose()


async def test_cache_false_sends_every_identical_concurrent_read() -> None:
    api = GatedAPI(gate_reads=True)
    async with api.client(False) as notify:
        reads = service_reads(notify)
        first = asyncio.create_task(reads.get_service(SERVICE))
        await api.read_started.wait()
        second = asyncio.create_task(reads.get_service(SERVICE))
        await asyncio.sleep(0.05)  # lets the second call reach the upstream if it is going to
        api.release_read.set()
        await asyncio.gather(first, second)
        assert api.reads == 2
        assert notify.cache_stats.fenced == 0
        assert notify.cache_stats.shared == 0


async def _seeded(notify: NotifyAdminClient, key: str, value: object) -> None:
    await notify.cache.put(key, value)


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_a_glob_in_an_id_reaches_no_other_key(
    backend: str, request: pytest.FixtureRequest
) -> None:
    cache: CacheBackend = (
        MemoryCache() if backend == "memory" else RedisCache.from_url(
            request.getfixturevalue("redis_url")
        )
    )
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(404, json={"result": "error", "message": "No result found"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with make_client(cache=cache, http_client=http) as notify:
        keep = {
            KEY: {"data": {"id": SERVICE}},
            f"service-{SERVICE}-templates": {"data": []},
            f"service-{SERVICE}-template-abc-version-2": {"data": {}},
        }
        for key, value in keep.items():
            await _seeded(notify, key, value)
        for evil in ("*", "[ab]*", "?" * 36, f"{SERVICE[:-1]}?"):
            with pytest.raises(Exception, match="404"):
                await notify.services.archive_service(evil, None)
        for key in keep:
            assert await notify.cache.get_raw(key) is not None, key
        with pytest.raises(Exception, match="404"):
            await notify.services.get_service(f"{SERVICE}-templates")
        assert calls[-1].endswith("-templates")  # asked the API, not A's cached template list
    await cache.aclose()


async def test_a_write_refused_before_sending_leaves_the_cache_alone() -> None:
    from notify_async.errors import MissingActingUserError

    api = GatedAPI()
    async with api.client(MemoryCache()) as notify:
        await notify.services.get_service(SERVICE)
        with pytest.raises(MissingActingUserError):
            await notify.services.update_service(SERVICE, name="new")
        assert await notify.cache.get_raw(KEY) is not None
        assert api.writes == 0
        with pytest.raises(CacheInvalidationError.__mro__[1]):  # NotifyError
            await notify.services.update_service(SERVICE, not_an_attribute=1)
        assert await notify.cache.get_raw(KEY) is not None


async def test_a_cached_entry_of_the_wrong_shape_is_fetched_again_and_replaced() -> None:
    api = GatedAPI()
    cache = MemoryCache()
    await cache.set(KEY, b'["written", "by", "another", "app"]', 600)
    async with api.client(cache) as notify:
        answer = await notify.services.get_service(SERVICE)
        assert answer["data"]["id"] == SERVICE
        assert api.reads == 1
        assert notify.cache_stats.errors == 1
        assert cached_version(await cache.get(KEY)) == 0  # replaced by the API's answer
        await notify.services.get_service(SERVICE)
        assert api.reads == 1


async def test_a_cancelled_cache_command_is_never_swallowed(redis_url: str) -> None:
    """redis-py runs a command under asyncio.wait_for (its socket timeout), which on Python 3.11
    returns the result instead of raising when the cancellation and the answer meet: the
    caller's cancellation was lost. Each cancel that reached a running task must end it."""
    import random

    cache = RedisCache.from_url(redis_url)
    await cache.set("k", b"1", 60)
    rng = random.Random(7)
    swallowed = 0
    for _ in range(400):
        task = asyncio.create_task(cache.get("k"))
        await asyncio.sleep(rng.random() * 0.0005)
        if not task.cancel():
            await task  # it had finished already
            continue
        try:
            await task
        except asyncio.CancelledError:
            continue
        swallowed += 1
    await cache.aclose()
    assert swallowed == 0


async def test_an_unconfirmed_end_of_write_is_finished_once_redis_is_back(
    own_server: RedisServer,
) -> None:
    """Redis goes down while a write is in flight and comes back from a snapshot that still
    counts the write in progress: the write raises (its second invalidation could not run), and
    the next call once Redis is back finishes that invalidation, so the key is cached again at
    once rather than after the count expires."""
    api = GatedAPI(gate_writes=True)
    cache = RedisCache.from_url(own_server.url)
    async with api.client(cache) as notify:
        reads = service_reads(notify)
        write = asyncio.create_task(reads.update_service(SERVICE))
        await api.write_arrived.wait()  # the first invalidation counted the write in progress
        with own_server.client() as plain:
            plain.save()
        own_server.kill()
        api.apply_write.set()
        api.release_write.set()
        with pytest.raises(CacheInvalidationError) as caught:
            await write
        assert caught.value.request_sent is True
        own_server.start()  # loads the snapshot: the write still counted in progress
        await asyncio.sleep(1.1)  # the cache's 1 s cool-down after an error (not a timing check)
        before = api.reads
        assert (await reads.get_service(SERVICE))["data"]["version"] == 1
        assert (await reads.get_service(SERVICE))["data"]["version"] == 1
        assert api.reads == before + 1  # stored by the first read, a hit for the second
    await cache.aclose()


async def test_a_cancelled_caller_stays_cancelled_when_the_invalidation_after_fails() -> None:
    """The caller is cancelled while the invalidation after its write runs, and that
    invalidation then fails: the caller still ends cancelled (it must not carry on as if a
    CacheInvalidationError were all that happened)."""
    ending = asyncio.Event()
    fail_now = asyncio.Event()

    class FailingEnd(MemoryCache):
        async def invalidate(self, keys: Any, patterns: Any, *, write: Any = None) -> None:
            if write == "end":
                ending.set()
                await fail_now.wait()
                raise ConnectionError("cache down")
            await super().invalidate(keys, patterns, write=write)

    api = GatedAPI()
    async with api.client(FailingEnd()) as notify:
        reads = service_reads(notify)

        async def write() -> str:
            try:
                await reads.update_service(SERVICE)
            except CacheInvalidationError:
                return "carried on"
            return "returned"

        task = asyncio.create_task(write())
        await ending.wait()
        task.cancel()
        await asyncio.sleep(0.01)
        fail_now.set()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_wrong_shaped_entry_in_redis_is_fetched_again_and_replaced(
    redis_url: str,
) -> None:
    """Also on the path where the read finds the entry while taking its cross-process lease."""
    api = GatedAPI()
    cache = RedisCache.from_url(redis_url)
    await cache.set(KEY, b'["written", "by", "another", "app"]', 600)
    async with api.client(cache) as notify:
        answer = await notify.services.get_service(SERVICE)
        assert answer["data"]["id"] == SERVICE
        assert api.reads == 1
        assert cached_version(await cache.get(KEY)) == 0
    await cache.aclose()


async def test_an_unfinished_end_of_write_is_retried_once_by_concurrent_calls(
    redis_url: str,
) -> None:
    """Many calls at once find the same unconfirmed invalidation to finish: it must reach Redis
    once, or it would also count out another write of the key still in progress."""
    cache = RedisCache.from_url(redis_url)
    request_cache = RequestCache(cache)
    marks = f"{C.DEFAULT_REDIS_FENCE_NAMESPACE}w:{KEY}"
    with redis.Redis.from_url(redis_url) as plain:
        plain.set(marks, 2)  # this write's count and another write's, in progress
        request_cache._unfinished.append(([KEY], []))

        async def fetch() -> dict[str, str]:
            return {"x": "y"}

        await asyncio.gather(
            *(request_cache.read_through(f"other-{i}", 60, fetch) for i in range(10))
        )
        assert int(plain.get(marks) or 0) == 1
    await cache.aclose()

