"""The Redis deployments a cache-owned connection can reach, by URL, and how each is shown.

* ``redis://``, ``rediss://``, ``unix://``: one Redis (redis-py's own URL parsing).
* ``redis+cluster://[user:password@]host:port[,host:port...]`` (``rediss+cluster://`` for TLS):
  a Redis Cluster, discovered from the nodes named (one is enough).
* ``redis+sentinel://[user:password@]host:port[,host:port...]/service[/db]``
  (``rediss+sentinel://``): the primary the Sentinels name for ``service``. User and password
  are the primary's; options for the Sentinels themselves go in ``sentinel_kwargs``.

Other options are keyword arguments, never query parameters of these two forms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs
import redis.asyncio as aioredis
import redis.exceptions
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff

from notify_async import _constants as C

CLUSTER_SCHEMES = {"redis+cluster": False, "rediss+cluster": True}
SENTINEL_SCHEMES = {"redis+sentinel": False, "rediss+sentinel": True}


@attrs.frozen
class Opened:
    """A client made for one event loop, and how to close it with whatever it depends on."""

    client: Any
    aclose: Callable[[], Awaitable[None]]


def cache_defaults(scheme: str) -> dict[str, Any]:
    """Connection settings suited to a cache: short timeouts, and retries that replace a
    connection a restart broke (or, on a cluster, ride out a failover) instead of redis-py's
    long schedules that would hold every read for seconds while Redis is away."""
    options: dict[str, Any] = {
        "socket_timeout": C.DEFAULT_REDIS_TIMEOUT,
        "socket_connect_timeout": C.DEFAULT_REDIS_TIMEOUT,
        # Retried on a broken connection only, never on a timeout: a command that timed out
        # may have run, and the fence's scripts must not run twice (a write counted in twice).
        "retry": Retry(
            NoBackoff(), C.DEFAULT_REDIS_RETRIES,
            supported_errors=(redis.exceptions.ConnectionError,),
        ),
        "max_connections": C.DEFAULT_REDIS_MAX_CONNECTIONS,
    }
    if scheme in CLUSTER_SCHEMES:
        backoff = ExponentialWithJitterBackoff(
            base=C.REDIS_CLUSTER_RETRY_BASE, cap=C.REDIS_CLUSTER_RETRY_CAP
        )
        options["retry"] = Retry(backoff, C.DEFAULT_REDIS_CLUSTER_RETRIES)
        # On MOVED, patch the one slot instead of re-reading the whole map every few MOVEDs:
        # the re-read closes every connection, also those in use, and a failover's MOVEDs
        # then fail commands in flight on every node (redis-py 8).
        options["reinitialize_steps"] = 0
    return options


def _nodes(hosts: str, default_port: int) -> list[tuple[str, int]]:
    nodes = []
    for part in hosts.split(","):
        if part.startswith("["):  # [IPv6]:port
            host, _, rest = part[1:].partition("]")
            port = rest.removeprefix(":")
        else:
            host, _, port = part.partition(":")
        if not host:
            raise ValueError("a host is missing")
        nodes.append((host, int(port) if port else default_port))
    return nodes


def _credentials(userinfo: str) -> dict[str, Any]:
    if not userinfo:
        return {}
    user, colon, password = userinfo.partition(":")
    found: dict[str, Any] = {"username": unquote(user)} if user else {}
    if colon:
        found["password"] = unquote(password)
    return found


def opener(url: str, options: dict[str, Any]) -> Callable[[], Opened]:
    """A function making a new client for ``url`` (called once per event loop).

    Raises:
        ValueError: the URL cannot be read (the caller must not echo it: it may hold a
            password).
    """
    scheme = url.partition("://")[0].lower()
    if scheme not in CLUSTER_SCHEMES and scheme not in SENTINEL_SCHEMES:

        def single() -> Opened:
            client = aioredis.Redis.from_url(url, **options)
            return Opened(client, client.aclose)

        return single
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ValueError("options of a cluster or sentinel URL go as keyword arguments")
    userinfo, _, hosts = parts.netloc.rpartition("@")
    credentials = _credentials(userinfo)
    if scheme in CLUSTER_SCHEMES:
        if parts.path.strip("/"):
            raise ValueError("a cluster has one database and no path")
        startup = _nodes(hosts, C.DEFAULT_REDIS_PORT)
        tls = CLUSTER_SCHEMES[scheme]

        def cluster() -> Opened:
            nodes = [ClusterNode(host, port) for host, port in startup]
            client = RedisCluster(startup_nodes=nodes, ssl=tls, **credentials, **options)
            return Opened(client, client.aclose)

        return cluster
    sentinels = _nodes(hosts, C.DEFAULT_SENTINEL_PORT)
    service, _, db = parts.path.strip("/").partition("/")
    if not service:
        raise ValueError("a sentinel URL names the service: redis+sentinel://host:port/name")
    master_options = {**options, **credentials, "db": int(db or 0)}
    sentinel_options = master_options.pop("sentinel_kwargs", None) or {
        "socket_timeout": options.get("socket_timeout"),
        "socket_connect_timeout": options.get("socket_connect_timeout"),
    }
    if SENTINEL_SCHEMES[scheme]:
        master_options["ssl"] = True

    def sentinel() -> Opened:
        manager = Sentinel(sentinels, sentinel_kwargs=sentinel_options)  # type: ignore[no-untyped-call]
        client = manager.master_for(service, **master_options)

        async def aclose() -> None:
            try:
                await client.aclose()
            finally:
                await manager.aclose()

        return Opened(client, aclose)

    return sentinel


def describe(client: Any) -> str:
    """Where ``client`` connects, without credentials: the arguments of the cache's repr."""
    if isinstance(client, RedisCluster):
        startup = getattr(client.nodes_manager, "startup_nodes", {}) or {}
        return f"cluster={sorted(startup)!r}"
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    if isinstance(pool, SentinelConnectionPool):
        sentinels = [
            f"{s.connection_pool.connection_kwargs.get('host')}:"
            f"{s.connection_pool.connection_kwargs.get('port')}"
            for s in pool.sentinel_manager.sentinels
        ]
        return f"sentinel={sentinels!r}, service={pool.service_name!r}, db={kwargs.get('db', 0)!r}"
    where = (
        f"path={kwargs['path']!r}"
        if kwargs.get("path")
        else f"host={kwargs.get('host')!r}, port={kwargs.get('port')!r}"
    )
    return f"{where}, db={kwargs.get('db', 0)!r}"
