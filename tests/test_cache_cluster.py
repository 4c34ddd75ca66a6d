"""RedisCache on a real Redis Cluster (3 primaries, a replica each, started by the tests): the
whole cache contract and the stale-read tests as on a single Redis, the original's key names,
pattern invalidation on every primary without KEYS, fences that hold across slots, MOVED and
ASK redirections, and a CLUSTER FAILOVER in the middle of a run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from notify_async import _constants as C
from notify_async.cache import CacheBackend
from notify_async.cache._redis_cluster import slot_tags
from notify_async.cache.redis import RedisCache
from notify_async.errors import ConfigurationError
from tests.cache_support import FakeNotify, service_reads
from tests.redis_topologies import ClusterTopology, redis_cluster_fixture  # noqa: F401
from tests.scale_out_support import FailoverWorkload, contract_tests, stale_read_tests
from tests.test_cache_contract import Harness

NS = C.DEFAULT_REDIS_FENCE_NAMESPACE
TTL = 3600

# The cache contract and the stale-read tests, run here on the cluster (see the fixtures below).
globals().update(contract_tests())
globals().update(stale_read_tests())


@pytest.fixture
async def cluster_cache(redis_cluster: ClusterTopology) -> AsyncIterator[RedisCache]:
    """A cache owning its connections to the (emptied) cluster, by URL."""
    redis_cluster.flush()
    cache = RedisCache.from_url(redis_cluster.url)
    yield cache
    await cache.aclose()


@pytest.fixture
def harness(cluster_cache: RedisCache) -> Harness:
    return Harness(cluster_cache)


@pytest.fixture
def fenced_backend(cluster_cache: RedisCache) -> CacheBackend:
    return cluster_cache


def keys_on_each_primary(topology: ClusterTopology, prefix: str) -> list[str]:
    """One key starting with ``prefix`` in the slots of each primary."""
    with topology.client() as plain:
        owners = {}
        for n in range(10_000):
            key = f"{prefix}{n}"
            node = plain.get_node_from_key(key)
            owners.setdefault(node.port, key)
            if len(owners) == len(topology.primary_ports()):
                return list(owners.values())
    raise AssertionError("keys of every primary not found")


# --- construction ----------------------------------------------------------------------------


async def test_a_redis_cluster_client_is_accepted_and_stays_the_callers(
    redis_cluster: ClusterTopology,
) -> None:
    redis_cluster.flush()
    client = RedisCluster(host="127.0.0.1", port=redis_cluster.ports[0])
    cache = RedisCache(client)
    await cache.set("service-1", b"{}", 60)
    assert await cache.get("service-1") == b"{}"
    await cache.aclose()
    assert await client.get("service-1") == b"{}"  # aclose left the caller's client open
    assert "owned=False" in repr(cache)
    await client.aclose()


def test_the_cluster_url_form_and_its_repr_hide_the_password() -> None:
    cache = RedisCache.from_url("redis+cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001")
    assert repr(cache) == "RedisCache(cluster=['10.0.0.1:7000', '10.0.0.2:7001'], owned=True)"
    assert "s3cret" not in repr(cache)


@pytest.mark.parametrize("url", [
    "redis+cluster://127.0.0.1:7000/1", "redis+cluster://127.0.0.1:7000?ssl=true",
    "redis+cluster://:7000", "redis+cluster://host:port",
])
def test_a_malformed_cluster_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RedisCache.from_url(url)
    assert url not in str(caught.value)


def test_a_namespace_with_braces_is_refused_on_a_cluster() -> None:
    with pytest.raises(ConfigurationError, match="namespace"):
        RedisCache.from_url("redis+cluster://127.0.0.1:7000", namespace="fence{x}:")


def test_waiting_for_replicas_is_refused_on_a_cluster() -> None:
    with pytest.raises(ConfigurationError, match="replicas"):
        RedisCache.from_url("redis+cluster://127.0.0.1:7000", replicas=1)


def test_every_slot_has_a_tag_that_hashes_to_it() -> None:
    tags = slot_tags()
    assert [key_slot(f"{{{tag}}}".encode()) for tag in tags] == list(range(C.REDIS_CLUSTER_SLOTS))


# --- keys and slots --------------------------------------------------------------------------


async def test_cached_keys_keep_the_originals_names_and_values(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    async with FakeNotify().client(cluster_cache) as notify:
        answer = await service_reads(notify).get_service("svc_a")
    with redis_cluster.client() as original:
        assert original.get("service-svc_a") == b'{"data":{"id":"svc_a","version":0}}'
        original.set("user-1", b'{"data":{"id":"1"}}')  # as the admin app writes it
    assert answer == {"data": {"id": "svc_a", "version": 0}}
    assert await cluster_cache.get("user-1") == b'{"data":{"id":"1"}}'


async def test_every_bookkeeping_key_sits_in_the_slot_of_the_key_it_guards(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    keys = keys_on_each_primary(redis_cluster, "service-")
    tokens = [await cluster_cache.begin_read(key) for key in keys]  # markers and leases
    await cluster_cache.invalidate(keys[:2], [], write="start")  # fences and write counts
    await cluster_cache.complete_read(keys[2], tokens[2], b"{}", TTL)
    found = []
    for port in redis_cluster.primary_ports():
        with redis.Redis(port=port) as node:
            found += [k.decode() for k in node.scan_iter(count=1000)]
    guarded = 0
    for name in found:
        for key in keys:
            if name != key and key in name:  # K{tag}...r:<id>, or <ns>{tag}k:K / w:K / l:K
                assert key_slot(name.encode()) == key_slot(key.encode()), name
                guarded += 1
    assert guarded >= 7  # 3 markers, 2 fences, 2 write counts


# --- pattern invalidation --------------------------------------------------------------------


async def test_pattern_invalidation_walks_every_primary_without_keys_and_removes_others_keys(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    with redis_cluster.client() as original:  # another app, keeping no index
        for n in range(300):
            original.set(f"service-7-template-{n}", b"{}")
            original.set(f"service-8-template-{n}", b"{}")
        for port in redis_cluster.primary_ports():
            with redis.Redis(port=port) as node:
                node.config_resetstat()
        await RedisCache.from_url(redis_cluster.url, scan_count=20).invalidate(
            [], ["service-7-template-*"]
        )
        assert [n for n in range(300) if original.exists(f"service-7-template-{n}")] == []
        assert all(original.exists(f"service-8-template-{n}") for n in range(300))
    for port in redis_cluster.primary_ports():
        with redis.Redis(port=port) as node:
            stats = node.info("commandstats")
        assert "cmdstat_scan" in stats, port
        assert "cmdstat_keys" not in stats, port


async def test_one_pattern_invalidation_fences_reads_in_flight_on_every_node(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    keys = keys_on_each_primary(redis_cluster, "service-3-template-")
    tokens = [await cluster_cache.begin_read(key) for key in keys]
    await cluster_cache.invalidate([], ["service-3-template-*"])
    stored = [
        await cluster_cache.complete_read(k, t, b"old", TTL)
        for k, t in zip(keys, tokens, strict=True)
    ]
    assert stored == [False] * len(keys)
    assert [await cluster_cache.get(k) for k in keys] == [None] * len(keys)


async def test_a_glob_that_does_not_end_in_a_star_fences_only_what_it_matches(
    cluster_cache: RedisCache,
) -> None:
    covered = await cluster_cache.begin_read("organisation-1-email-branding-pool")
    other = await cluster_cache.begin_read("organisation-1-letter-branding-pool")
    await cluster_cache.invalidate([], ["organisation-*-email-branding-pool"])
    assert await cluster_cache.complete_read(
        "organisation-1-email-branding-pool", covered, b"[]", TTL
    ) is False
    assert await cluster_cache.complete_read(
        "organisation-1-letter-branding-pool", other, b"[]", TTL
    ) is True


async def test_a_stored_reads_marker_outlives_its_store_so_a_walk_under_way_still_finds_it(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    token = await cluster_cache.begin_read("service-5-template-a")
    assert await cluster_cache.complete_read("service-5-template-a", token, b"{}", TTL)
    with redis_cluster.client() as plain:
        markers = list(
            plain.scan_iter(match="service-5-template-a{*", target_nodes=plain.PRIMARIES)
        )
        assert len(markers) == 1
        assert 0 < plain.pttl(markers[0]) <= C.MAX_REDIS_SWEEP_SECONDS * 1000
        await cluster_cache.invalidate([], ["service-5-template-*"])
        assert not plain.exists(markers[0], "service-5-template-a")


async def test_a_read_begun_during_a_pattern_write_does_not_store_until_the_write_ends(
    cluster_cache: RedisCache,
) -> None:
    await cluster_cache.invalidate([], ["service-4-template-*"], write="start")
    during = await cluster_cache.begin_read("service-4-template-x")
    assert await cluster_cache.complete_read("service-4-template-x", during, b"old", TTL) is False
    await cluster_cache.invalidate([], ["service-4-template-*"], write="end")
    after = await cluster_cache.begin_read("service-4-template-x")
    assert await cluster_cache.complete_read("service-4-template-x", after, b"new", TTL) is True


# --- redirections and failover ---------------------------------------------------------------


def move_slot(
    topology: ClusterTopology, slot: int, source: int, target: int, *, finish: bool
) -> None:
    """Migrate ``slot``'s keys from primary ``source`` to ``target`` by hand (what resharding
    does); with ``finish`` False the slot stays MIGRATING/IMPORTING, so clients get ASK."""
    with redis.Redis(port=source) as src, redis.Redis(port=target) as dst:
        source_id = src.execute_command("CLUSTER MYID").decode()
        target_id = dst.execute_command("CLUSTER MYID").decode()
        dst.execute_command("CLUSTER SETSLOT", slot, "IMPORTING", source_id)
        src.execute_command("CLUSTER SETSLOT", slot, "MIGRATING", target_id)
        while keys := src.execute_command("CLUSTER GETKEYSINSLOT", slot, 100):
            src.execute_command("MIGRATE", "127.0.0.1", target, "", 0, 5000, "KEYS", *keys)
        if finish:
            for port in topology.primary_ports():
                with redis.Redis(port=port) as node:
                    node.execute_command("CLUSTER SETSLOT", slot, "NODE", target_id)


async def test_moved_and_ask_redirections_are_followed(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    key = "service-redirected"
    slot = key_slot(key.encode())
    await cluster_cache.set(key, b"v1", TTL)
    token = await cluster_cache.begin_read("service-redirected-2")  # warms the slot map
    with redis_cluster.client() as plain:
        source = plain.get_node_from_key(key).port
    target = next(p for p in redis_cluster.primary_ports() if p != source)
    move_slot(redis_cluster, slot, source, target, finish=False)  # the key moved: ASK
    assert await cluster_cache.get(key) == b"v1"
    move_slot(redis_cluster, slot, source, target, finish=True)  # the slot moved: MOVED
    assert await cluster_cache.get(key) == b"v1"
    fresh = await cluster_cache.begin_read(key)
    await cluster_cache.invalidate([key], [])
    assert await cluster_cache.get(key) is None
    assert await cluster_cache.complete_read(key, fresh, b"old", TTL) is False
    await cluster_cache.complete_read("service-redirected-2", token, None, TTL)
    move_slot(redis_cluster, slot, target, source, finish=True)  # as it was
    redis_cluster.wait_settled()


async def test_a_read_begun_before_a_failover_of_its_node_never_stores(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    key = "service-failing-over"
    token = await cluster_cache.begin_read(key)
    with redis_cluster.client() as plain:
        primary = plain.get_node_from_key(key).port
    replica = next(
        port for port in redis_cluster.replica_ports()
        if redis.Redis(port=port).info("replication")["master_port"] == primary
    )
    await asyncio.to_thread(redis_cluster.failover, replica)
    assert await cluster_cache.complete_read(key, token, b"old", TTL) is False  # new run_id
    fresh = await cluster_cache.begin_read(key)
    assert await cluster_cache.complete_read(key, fresh, b"new", TTL) is True
    assert await cluster_cache.get(key) == b"new"


async def test_a_cluster_failover_during_a_run_serves_and_leaves_nothing_stale(
    redis_cluster: ClusterTopology, cluster_cache: RedisCache
) -> None:
    workload = FailoverWorkload(7)

    async def failover() -> None:
        await asyncio.to_thread(redis_cluster.failover)

    outcome = await workload.run(cluster_cache, failover)
    assert outcome.writes > 10
    assert outcome.reads > 100
    assert outcome.stale_reads == []
    assert outcome.stale_entries == []
    assert outcome.unconfirmed == 0  # a planned failover loses no invalidation
