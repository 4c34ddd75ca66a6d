"""Four OS processes (multiprocessing spawn), each with its own client and RedisCache, sharing one
Redis - a single server, a Redis Cluster, a Sentinel-managed primary - and one stateful loopback
upstream. They interleave reads and writes of the same records: after a write returns, no read
in any process that starts later answers older data, and no stale entry is left at the end.
Identical cold reads in all of them make one upstream request (cross-process single-flight)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from notify_async.cache import RequestCache
from notify_async.cache.redis import RedisCache
from tests.process_workers import (
    Job,
    StatefulUpstream,
    Team,
    describe,
    stale_entries,
    stale_reads,
)
from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401
from tests.redis_topologies import (  # noqa: F401
    ClusterTopology,
    SentinelTopology,
    redis_cluster_fixture,
    redis_sentinel_fixture,
)

PROCESSES = 4
SERVICES = ["svc-a", "svc-b", "svc-c"]
#: Seconds between handing out the jobs and their common start (each process opens its
#: connections first).
START_DELAY = 0.3


@pytest.fixture(scope="module")
def team() -> Iterator[Team]:
    processes = Team(PROCESSES)
    yield processes
    processes.close()


@pytest.fixture
def upstream() -> Iterator[StatefulUpstream]:
    with StatefulUpstream() as server:
        yield server


@pytest.fixture(params=["single", "cluster", "sentinel"])
def shared_redis(request: pytest.FixtureRequest) -> str:
    """The URL of an emptied Redis of each topology."""
    if request.param == "single":
        url: str = request.getfixturevalue("redis_url")
        return url
    topology: ClusterTopology | SentinelTopology = request.getfixturevalue(
        f"redis_{request.param}"
    )
    topology.flush()
    return topology.url


def jobs(upstream: StatefulUpstream, redis_url: str, **options: Any) -> list[Job]:
    start_at = time.monotonic() + START_DELAY
    return [
        Job(upstream.url, redis_url, SERVICES, start_at, seed=n, **options)
        for n in range(PROCESSES)
    ]


async def test_reads_in_every_process_after_a_write_returned_are_never_older(
    team: Team, upstream: StatefulUpstream, shared_redis: str
) -> None:
    results = await asyncio.to_thread(team.run, jobs(upstream, shared_redis))
    log = [op for ops, _ in results for op in ops]
    assert sum(op[0] == "W" for op in log) > 10
    assert sum(op[0] == "R" for op in log) > 200
    assert {op[5] for op in log if op[0] == "W"} == {"ok"}
    assert stale_reads(log) == []
    assert describe([stats for _, stats in results])["errors"] == 0
    assert await stale_entries(shared_redis, upstream, log) == []


@pytest.mark.parametrize(("lease_seconds", "requests"), [(5.0, 1), (0, PROCESSES)])
async def test_identical_cold_reads_in_every_process_share_one_upstream_request(
    team: Team, upstream: StatefulUpstream, redis_url: str, lease_seconds: float,
    requests: int,
) -> None:
    upstream.read_delay = 0.4  # every process misses while the first fetch is in flight
    upstream.jitter = False
    batch = jobs(upstream, redis_url, cold_reads=25, lease_seconds=lease_seconds)
    results = await asyncio.to_thread(team.run, batch)
    answers = [op[2] for ops, _ in results for op in ops]
    assert answers == [0] * (PROCESSES * 25)
    assert upstream.reads_of(SERVICES[0]) == requests
    stats = describe([stats for _, stats in results])
    assert stats["populates"] == requests + PROCESSES  # and each process's warm-up read
    assert stats["errors"] == 0


class GatedRead:
    """An upstream read whose answer (the version when it arrived) waits for ``release``."""

    def __init__(self, versions: dict[str, int], key: str) -> None:
        self.versions, self.key = versions, key
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        version = self.versions.get(self.key, 0)
        self.started.set()
        await self.release.wait()
        return {"data": {"version": version}}


@pytest.mark.parametrize(("key", "keys", "patterns"), [
    ("service-1", ["service-1"], []),
    ("service-1-template-2", [], ["service-1-template-*"]),
])
async def test_a_read_in_another_process_after_a_write_never_waits_for_an_older_fetch(
    shared_redis: str, key: str, keys: list[str], patterns: list[str]
) -> None:
    """Process A's fetch began before a write; process B starts reading after the write
    returned. B does not take (or wait for) A's older answer: the write voided A's lease."""
    first, second = RedisCache.from_url(shared_redis), RedisCache.from_url(shared_redis)
    a, b = RequestCache(first), RequestCache(second)
    versions: dict[str, int] = {}
    older = GatedRead(versions, key)
    reading = asyncio.create_task(a.read_through(key, 60, older))
    await older.started.wait()
    versions[key] = 1  # the write, then its invalidation
    await a.invalidate(keys, patterns, request_sent=True, write="start")
    await a.invalidate(keys, patterns, request_sent=True, write="end")
    newer = GatedRead(versions, key)
    newer.release.set()
    assert await asyncio.wait_for(b.read_through(key, 60, newer), 2) == {"data": {"version": 1}}
    older.release.set()
    assert await reading == {"data": {"version": 0}}  # A's caller gets what it asked for
    assert (a.stats.fenced, b.stats.populates, b.stats.shared) == (1, 1, 0)
    assert await second.get(key) == b'{"data":{"version":1}}'
    await first.aclose()
    await second.aclose()


async def test_a_read_waiting_for_another_process_takes_the_answer_it_stored(
    shared_redis: str,
) -> None:
    first, second = RedisCache.from_url(shared_redis), RedisCache.from_url(shared_redis)
    a, b = RequestCache(first), RequestCache(second)
    fetch = GatedRead({}, "service-9")
    leading = asyncio.create_task(a.read_through("service-9", 60, fetch))
    await fetch.started.wait()
    waiting = asyncio.create_task(b.read_through("service-9", 60, fetch))
    await asyncio.sleep(0.05)  # b is polling the lease now
    fetch.release.set()
    assert await leading == await waiting == {"data": {"version": 0}}
    assert (fetch.calls, b.stats.shared, b.stats.populates) == (1, 1, 0)
    await first.aclose()
    await second.aclose()
