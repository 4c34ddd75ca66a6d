"""Redis cache backend on ``redis.asyncio`` (hiredis parses replies when it is installed).

Keys and values are the original admin app's: the key names it is given (already formatted),
JSON bytes as values, a TTL in seconds. The original and the SDK can therefore share one Redis.

Read fencing. A read that misses must not store its answer if the key (or a pattern covering
it) was invalidated while the answer was fetched, or a write that completed in between would be
hidden behind an older answer for 28 days. The fence lives in Redis, next to the cached keys and
never instead of them, under ``namespace`` (``notify_async:fence:`` by default):

* ``<ns>state`` is a hash with ``seq``, a counter bumped by every invalidation, and ``id``, a
  random id set when the hash is created (a new one after a flush). A read's token is
  ``(id:run_id, seq, server time)``: the server's run id changes on every restart, even one
  that reloads a snapshot holding the old ``id``.
* Invalidating key ``K`` sets ``<ns>k:K`` to the new ``seq``. Invalidating glob ``P`` sets
  ``<ns>p:<literal prefix of P>`` to it: every key a glob can match starts with the glob's
  literal prefix (the text before its first ``*``, ``?``, ``[`` or ``\\``), so fencing the prefix
  fences every key the glob covers. It may also fence a few keys the glob does not match (for
  ``organisation-*-email-branding-pool``, every ``organisation-...`` read in flight): those reads
  simply do not store, which costs a later miss and never a stale entry. A single global epoch
  would be simpler but would fence every read in flight on any write; matching the glob itself
  in Lua would be exact but needs a hand-written glob matcher, one more place for a bug that
  under-fences.
* A write counts itself in ``<ns>w:K`` (``<ns>wp:<prefix>`` for a pattern) from the
  invalidation before its request to the one after it. While any write of a key is in progress,
  no read of it stores: so even if the invalidation after a write cannot be confirmed (Redis
  paused, the process killed), no answer fetched during the write is left behind. The count
  expires after twice ``fence_seconds`` should its end never come.
* Storing after a read is one Lua script: it stores only if the identity is unchanged (Redis was
  not flushed or restarted meanwhile), the read is younger than ``fence_seconds`` (fence entries
  expire after that long, so an older read cannot prove it saw them), neither ``<ns>k:K`` nor
  ``<ns>p:<any prefix of K>`` holds a ``seq`` newer than the token's, and no write of them is in
  progress. Scripts run atomically, so no invalidation can slip between the check and the
  ``SET``.

Pattern invalidation without ``KEYS``. The fence is raised first (one short script that also
deletes the exact keys), then the keyspace is walked with ``SCAN MATCH <glob> COUNT n`` and the
matches removed with ``UNLINK``. Each ``SCAN`` step does bounded work (about a millisecond for
``n`` = 1000), so other clients are never stalled for long. Because the walk looks at every key in
Redis, it also removes matching keys written by clients that keep no index (the original admin
app); an index of the SDK's own keys could not, which is why there is none. ``SCAN`` returns
every key that exists for the whole walk; a key stored by a fenced read cannot appear after the
fence went up, and one stored before it is found by the walk.

Cross-process single-flight. The first read to miss a key takes a short lease on fetching it
(``<ns>l:K``, ``SET NX PX``-like, inside the script that takes its token). A read in another
process that misses the same key meanwhile waits for that fetch (polling, at most
``lease_seconds``) and takes the answer only once it is *stored* under ``K``, i.e. it passed the
fence: exactly what a cache hit at that moment would return. A lease whose holder can no longer
store (a write of the key came after it began) is void: the next read takes it over, so no one
waits for an answer that will be thrown away.

Connections. Every command waits for a free connection of the pool (up to ``pool_timeout``
seconds) instead of failing when more calls are in flight than the pool has connections; a pool
shared with other code that still runs out is waited for the same way. A cache owned by the
client (:meth:`RedisCache.from_url`) makes one pool per running event loop and closes each one
inside its loop when that loop ends.

Topologies. A single Redis, and a Sentinel-managed primary (the identity includes the run id of
the primary, so a failover refuses every read begun before it), use the scheme above
(:mod:`notify_async.cache._redis_fence`). On Sentinel the cache also drops its connections the
moment a new primary is announced, and each invalidation waits for the replicas to acknowledge
it (:mod:`notify_async.cache._redis_sentinel` says why both are needed). A Redis Cluster cannot
fence a pattern in one script (its keys span every slot); :mod:`notify_async.cache._redis_cluster`
explains how it does it.
asyncio only: ``redis.asyncio`` does not run under trio, so every method raises
:class:`~notify_async.errors.ConfigurationError` there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, TypeVar

from notify_async._extras import missing_extra

try:
    import redis.asyncio as aioredis
    import redis.exceptions
    from redis.asyncio.cluster import RedisCluster

    from notify_async.cache._redis_cluster import ClusterFence
    from notify_async.cache._redis_fence import FenceSettings, SingleNodeFence
    from notify_async.cache._redis_sentinel import SentinelWatch, sentinel_pool, watch
    from notify_async.cache._redis_urls import Opened, cache_defaults, describe, opener
except ModuleNotFoundError as exc:  # the optional ``redis`` extra is not installed
    if not (exc.name or "").startswith("redis"):
        raise
    raise missing_extra("redis", "RedisCache", exc) from exc

from notify_async import _constants as C
from notify_async._loops import PerLoop
from notify_async.cache._backend import CacheBusyError
from notify_async.errors import ConfigurationError

__all__ = ["RedisCache"]

R = TypeVar("R")

#: What redis-py raises when a (non-blocking) pool has no free connection; redis-py 5 raised a
#: plain ConnectionError saying "Too many connections".
_POOL_FULL: type[Exception] = getattr(redis.exceptions, "MaxConnectionsError", LookupError)
#: Seconds between two tries for a connection of a pool that other code keeps full.
_POOL_POLL = 0.005

_ASYNCIO_ONLY = (
    "RedisCache works on asyncio only (redis.asyncio does not run under trio); "
    "use MemoryCache, or run the client on asyncio"
)
_OTHER_LOOP = (
    "this RedisCache wraps a redis.asyncio client that another running event loop uses; "
    "a redis client works in one loop only: give each loop its own RedisCache, or use "
    "RedisCache.from_url, which makes a pool per loop"
)

Client = aioredis.Redis | RedisCluster


def _connection_kwargs(client: Client) -> dict[str, Any]:
    if isinstance(client, RedisCluster):
        return client.get_connection_kwargs()
    kwargs: dict[str, Any] = client.connection_pool.connection_kwargs
    return kwargs


class _Connection:
    """A Redis client and the slots that keep the cache within its pool, for one loop."""

    __slots__ = ("cluster", "opened", "redis", "sentinel", "slots")

    def __init__(self, client: Client, opened: Opened | None = None) -> None:
        self.redis = client
        self.opened = opened
        self.cluster = isinstance(client, RedisCluster)
        #: On a Sentinel-managed primary: follows failovers and counts the replicas (made
        #: inside the loop that uses the client).
        self.sentinel: SentinelWatch | None = watch(client)
        size = _connection_kwargs(client).get("max_connections") or getattr(
            getattr(client, "connection_pool", None), "max_connections", None
        )
        self.slots = asyncio.Semaphore(min(size or 100, C.MAX_REDIS_CACHE_SLOTS))


class RedisCache:
    """A :class:`~notify_async.cache.CacheBackend` on ``redis.asyncio``, shareable with the
    original admin app (same key names, JSON values and TTLs), on one Redis, a
    Sentinel-managed primary or a Redis Cluster.

    Args:
        client: a ``redis.asyncio.Redis`` (a Sentinel's ``master_for(name)`` too) or a
            ``redis.asyncio.cluster.RedisCluster``, made with ``decode_responses=False`` (the
            default). It stays yours: :meth:`aclose` does not close it, and it can serve one
            running event loop at a time.
        namespace: prefix of the fence bookkeeping keys stored beside the cached keys (on a
            cluster it may not hold ``{`` or ``}``).
        fence_seconds: how long fence entries live; a read that takes longer never stores.
        scan_count: the ``COUNT`` of each ``SCAN`` step of a pattern invalidation (the work
            Redis does per step, so the longest it makes other clients wait).
        pool_timeout: the longest a cache command waits for a free pool connection; a read
            that waits longer goes to the API, an invalidation raises.
        lease_seconds: how long the first process to miss a key holds the lease on fetching it,
            and so the longest other processes wait for its answer before fetching themselves
            (cross-process single-flight); 0 turns it off.
        replicas: how many replicas must acknowledge each invalidation (``WAIT``) within
            ``replica_timeout`` seconds, else it raises: an invalidation the old primary
            accepted just before a failover is otherwise lost with it. The default, None, is
            every replica the Sentinels list as up on a Sentinel-managed primary, and 0
            elsewhere; not available on a cluster.

    Raises:
        ConfigurationError: if ``client`` decodes responses or an option is out of range.

    Use :meth:`from_url` to let the cache own its connection pools. Works on asyncio only.
    """

    def __init__(
        self,
        client: Client,
        *,
        namespace: str = C.DEFAULT_REDIS_FENCE_NAMESPACE,
        fence_seconds: int = C.DEFAULT_REDIS_FENCE_SECONDS,
        scan_count: int = C.DEFAULT_REDIS_SCAN_COUNT,
        pool_timeout: float = C.DEFAULT_REDIS_POOL_TIMEOUT,
        lease_seconds: float = C.DEFAULT_REDIS_LEASE_SECONDS,
        replicas: int | None = None,
        replica_timeout: float = C.DEFAULT_REDIS_REPLICA_TIMEOUT,
    ) -> None:
        cluster = isinstance(client, RedisCluster)
        if (replicas or 0) < 0 or not replica_timeout > 0 or (cluster and replicas):
            raise ConfigurationError(
                "RedisCache: replicas must be 0 or more (0 on a cluster), replica_timeout "
                "positive"
            )
        if _connection_kwargs(client).get("decode_responses"):
            raise ConfigurationError("RedisCache needs a Redis client with decode_responses=False")
        if fence_seconds < 1 or scan_count < 1 or not namespace or not pool_timeout > 0:
            raise ConfigurationError(
                "RedisCache: fence_seconds, scan_count and pool_timeout must be positive, "
                "namespace non-empty"
            )
        if not lease_seconds >= 0:
            raise ConfigurationError("RedisCache: lease_seconds must be 0 or more")
        self._redis = client
        self._factory: Callable[[], Opened] | None = None
        self._pool_timeout = pool_timeout
        self._replicas = replicas if replicas is not None or sentinel_pool(client) else 0
        settings = FenceSettings(
            namespace, fence_seconds, scan_count, lease_seconds, replica_timeout
        )
        self._fence: SingleNodeFence | ClusterFence = (
            ClusterFence(client, settings) if cluster else SingleNodeFence(client, settings)
        )
        self._loops: PerLoop[_Connection] = PerLoop(self._connect, self._disconnect)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        namespace: str = C.DEFAULT_REDIS_FENCE_NAMESPACE,
        fence_seconds: int = C.DEFAULT_REDIS_FENCE_SECONDS,
        scan_count: int = C.DEFAULT_REDIS_SCAN_COUNT,
        pool_timeout: float = C.DEFAULT_REDIS_POOL_TIMEOUT,
        lease_seconds: float = C.DEFAULT_REDIS_LEASE_SECONDS,
        replicas: int | None = None,
        replica_timeout: float = C.DEFAULT_REDIS_REPLICA_TIMEOUT,
        **redis_options: Any,
    ) -> RedisCache:
        """A cache owning its connections to ``url``: one pool (or cluster client, or Sentinel
        and its primary's pool) per running event loop, each closed when its loop ends or by
        :meth:`aclose` (which :class:`~notify_async.NotifyAdminClient` calls on close).

        ``url`` is ``redis://``, ``rediss://`` or ``unix://`` for one Redis;
        ``redis+cluster://host:port[,host:port...]`` (``rediss+cluster://`` for TLS) for a
        Redis Cluster; ``redis+sentinel://host:port[,host:port...]/service[/db]``
        (``rediss+sentinel://``) for the primary the Sentinels name for ``service``. A user and
        password before ``@`` are those of the Redis nodes. ``redis_options`` go to the redis-py
        client (``Redis.from_url``, ``RedisCluster`` or ``Sentinel.master_for``;
        ``sentinel_kwargs`` to the Sentinels) and override the cache-friendly defaults (2 s
        socket timeouts, one immediate retry - three short ones on a cluster - and 100
        connections).

        Raises:
            ConfigurationError: for a URL that cannot be read (the URL is not echoed, as it
                may hold a password) or ``decode_responses=True``.
        """
        options = {**cache_defaults(url.partition("://")[0].lower()), **redis_options}
        if options.get("decode_responses"):
            raise ConfigurationError("RedisCache needs decode_responses=False")
        try:
            open_client = opener(url, options)
            first = open_client()
        except (ValueError, TypeError) as exc:
            problem = type(exc).__name__
            raise ConfigurationError(f"invalid Redis URL or option ({problem})") from None
        cache = cls(
            first.client, namespace=namespace, fence_seconds=fence_seconds,
            scan_count=scan_count, pool_timeout=pool_timeout, lease_seconds=lease_seconds,
            replicas=replicas, replica_timeout=replica_timeout,
        )
        cache._factory = open_client
        return cache

    def __repr__(self) -> str:
        return f"RedisCache({describe(self._redis)}, owned={self._factory is not None})"

    @property
    def owns_connections(self) -> bool:
        """True when the cache made its own pools (:meth:`from_url`) and closes them."""
        return self._factory is not None

    @property
    def client(self) -> Client:
        """The redis-py client of the running loop (or the first one made)."""
        current = self._loops.current()
        return self._redis if current is None else current.redis

    def _connect(self) -> _Connection:
        if self._factory is None:
            if self._loops.others_running():
                raise ConfigurationError(_OTHER_LOOP)
            return _Connection(self._redis)
        opened = self._factory()
        return _Connection(opened.client, opened)

    async def _disconnect(self, connection: _Connection) -> None:
        if connection.sentinel is not None:
            await connection.sentinel.aclose()
        if connection.opened is not None:
            await connection.opened.aclose()

    def _connection(self) -> _Connection:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise ConfigurationError(_ASYNCIO_ONLY) from None
        return self._loops.get()

    async def _run(self, command: Callable[[Any], Awaitable[R]]) -> R:
        """Run ``command`` holding one of the loop's connection slots; waits (bounded by
        ``pool_timeout``) for a slot and for a pool that other code keeps full."""
        connection = self._connection()
        slots = connection.slots
        if slots.locked():
            try:
                async with asyncio.timeout(self._pool_timeout):
                    await slots.acquire()
            except TimeoutError:
                raise CacheBusyError("no free Redis connection within pool_timeout") from None
        else:
            await slots.acquire()
        task = asyncio.current_task()
        cancels = task.cancelling() if task is not None else 0
        try:
            deadline: float | None = None
            while True:
                try:
                    if connection.cluster:
                        # Read the slot map first (at once when it is known): redis-py sends
                        # a command issued while it is unknown to a default node, and the
                        # MOVED storm that follows under concurrency breaks its connections.
                        await connection.redis.initialize()
                    result = await command(connection.redis)
                    if task is not None and task.cancelling() > cancels:
                        # redis-py's asyncio.wait_for (its socket timeout) returns the answer
                        # instead of raising when a cancellation meets it (Python 3.11): the
                        # caller was cancelled, so it must not go on as if it had not been.
                        raise asyncio.CancelledError
                    return result
                except _POOL_FULL:
                    now = asyncio.get_running_loop().time()
                    deadline = deadline or now + self._pool_timeout
                    if now >= deadline:
                        raise CacheBusyError("the Redis pool stayed full") from None
                    await asyncio.sleep(_POOL_POLL)
        finally:
            slots.release()

    async def get(self, key: str) -> bytes | None:
        """The bytes stored under ``key``, or None. Raises redis errors (the request cache
        skips them) and :class:`ConfigurationError` under trio."""
        value = await self._run(lambda r: r.get(key))
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        """``SET key value EX ttl``, unconditionally (as the original's manual writes)."""
        await self._run(lambda r: r.set(key, value, ex=ttl))

    async def begin_read(self, key: str) -> object:
        """A fence token ``(identity, seq, server time)`` taken before ``key`` is fetched. It
        also notes the key's value if another process stored it meanwhile, and takes the lease
        on fetching ``key`` for every process unless another read holds it."""
        return await self._fence.begin_read(self._run, key)

    async def shared_read(self, key: str, token: object) -> bytes | None:
        """The answer another process stored for ``key`` since ``token`` was taken: at once if
        it was there, else after waiting (at most ``lease_seconds``) for the read holding the
        lease to store it. None means fetch it here (this read may have taken the lease over).
        Raises redis errors (the request cache then fetches)."""
        self._connection()
        return await self._fence.shared_read(self._run, key, token)

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        """Store ``value`` unless ``key`` or a pattern covering it was invalidated since
        ``token``, a write of it is in progress, or the token is older than ``fence_seconds``
        (decided in one Lua script); give up the lease if the read holds it. Returns True when
        stored; a failed read (``value`` None) holding no lease needs no round trip."""
        self._connection()
        return await self._fence.complete_read(self._run, key, token, value, ttl)

    async def invalidate(
        self,
        keys: Sequence[str],
        patterns: Sequence[str],
        *,
        write: Literal["start", "end"] | None = None,
    ) -> None:
        """Fence and delete ``keys``, fence every pattern, then remove every key matching each
        pattern with ``SCAN`` + ``UNLINK`` on every primary (never ``KEYS``), including keys
        written by other clients. ``write`` marks the start or end of a write of them (no read
        stores in between). Raises redis errors (the request cache turns them into
        :class:`~notify_async.errors.CacheInvalidationError`)."""
        if isinstance(self._fence, ClusterFence):
            await self._fence.invalidate(self._run, keys, patterns, write)
            return
        replicas = self._replicas
        if replicas is None:  # a Sentinel-managed primary: every replica listed as up
            watcher = self._connection().sentinel
            replicas = 0 if watcher is None else await watcher.replicas()
        await self._fence.invalidate(self._run, keys, patterns, write, replicas)

    async def aclose(self) -> None:
        """Close the running loop's pool if this cache made it (:meth:`from_url`); a client
        passed in stays open. Pools of other loops are closed when their loop ends. The cache
        stays usable: a later call opens a new pool."""
        await self._loops.aclose()
