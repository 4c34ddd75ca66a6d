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

Connections. Every command waits for a free connection of the pool (up to ``pool_timeout``
seconds) instead of failing when more calls are in flight than the pool has connections; a pool
shared with other code that still runs out is waited for the same way. A cache owned by the
client (:meth:`RedisCache.from_url`) makes one pool per running event loop and closes each one
inside its loop when that loop ends.

Not for Redis Cluster (``SCAN`` walks one node). asyncio only: ``redis.asyncio`` does not run
under trio, so every method raises :class:`~notify_async.errors.ConfigurationError` there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, TypeVar

from notify_async._extras import missing_extra

try:
    import redis.asyncio as aioredis
    import redis.exceptions
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
except ModuleNotFoundError as exc:  # the optional ``redis`` extra is not installed
    if not (exc.name or "").startswith("redis"):
        raise
    raise missing_extra("redis", "RedisCache", exc) from exc

from notify_async import _constants as C
from notify_async._loops import PerLoop
from notify_async.cache._backend import CacheBusyError
from notify_async.cache._keys import literal_prefix
from notify_async.cache._redis_scripts import BEGIN_READ, COMPLETE_READ, INVALIDATE
from notify_async.errors import ConfigurationError

__all__ = ["RedisCache"]

R = TypeVar("R")

#: The longest key whose prefixes the store script checks in one ``MGET`` (Lua's unpack limit is
#: far above this; longer keys are never stored after a miss, only read).
_MAX_FENCED_KEY = 1000
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


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _redis_defaults() -> dict[str, Any]:
    """Connection settings suited to a cache: short timeouts and one immediate retry (which
    replaces a pooled connection that a Redis restart broke), instead of redis-py's long
    retry schedule that would hold every read for seconds while Redis is down."""
    return {
        "socket_timeout": C.DEFAULT_REDIS_TIMEOUT,
        "socket_connect_timeout": C.DEFAULT_REDIS_TIMEOUT,
        "retry": Retry(NoBackoff(), C.DEFAULT_REDIS_RETRIES),
        "max_connections": C.DEFAULT_REDIS_MAX_CONNECTIONS,
    }


class _Connection:
    """A Redis client and the slots that keep the cache within its pool, for one loop."""

    __slots__ = ("redis", "slots")

    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client
        size = getattr(client.connection_pool, "max_connections", None) or 100
        self.slots = asyncio.Semaphore(min(size, C.MAX_REDIS_CACHE_SLOTS))


class RedisCache:
    """A :class:`~notify_async.cache.CacheBackend` on ``redis.asyncio``, shareable with the
    original admin app (same key names, JSON values and TTLs).

    Args:
        client: a ``redis.asyncio.Redis`` made with ``decode_responses=False`` (the default).
            It stays yours: :meth:`aclose` does not close it, and it can serve one running
            event loop at a time.
        namespace: prefix of the fence bookkeeping keys stored beside the cached keys.
        fence_seconds: how long fence entries live; a read that takes longer never stores.
        scan_count: the ``COUNT`` of each ``SCAN`` step of a pattern invalidation (the work
            Redis does per step, so the longest it makes other clients wait).
        pool_timeout: the longest a cache command waits for a free pool connection; a read
            that waits longer goes to the API, an invalidation raises.

    Raises:
        ConfigurationError: if ``client`` decodes responses or an option is out of range.

    Use :meth:`from_url` to let the cache own its connection pools. Works on asyncio only.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        namespace: str = C.DEFAULT_REDIS_FENCE_NAMESPACE,
        fence_seconds: int = C.DEFAULT_REDIS_FENCE_SECONDS,
        scan_count: int = C.DEFAULT_REDIS_SCAN_COUNT,
        pool_timeout: float = C.DEFAULT_REDIS_POOL_TIMEOUT,
    ) -> None:
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ConfigurationError("RedisCache needs a Redis client with decode_responses=False")
        if fence_seconds < 1 or scan_count < 1 or not namespace or not pool_timeout > 0:
            raise ConfigurationError(
                "RedisCache: fence_seconds, scan_count and pool_timeout must be positive, "
                "namespace non-empty"
            )
        self._redis = client
        self._factory: Callable[[], aioredis.Redis] | None = None
        self._namespace = namespace
        self._namespace_bytes = namespace.encode()
        self._fence_seconds = fence_seconds
        self._scan_count = scan_count
        self._pool_timeout = pool_timeout
        self._begin_script = client.register_script(BEGIN_READ)
        self._invalidate_script = client.register_script(INVALIDATE)
        self._complete_script = client.register_script(COMPLETE_READ)
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
        **redis_options: Any,
    ) -> RedisCache:
        """A cache owning its connection pools to ``url`` (``redis://``, ``rediss://`` or
        ``unix://``): one per running event loop, each closed when its loop ends or by
        :meth:`aclose` (which :class:`~notify_async.NotifyAdminClient` calls on close).
        ``redis_options`` go to ``redis.asyncio.Redis.from_url`` and override the
        cache-friendly defaults (2 s socket timeouts, one immediate retry, 100 connections).

        Raises:
            ConfigurationError: for a URL redis-py cannot parse (the URL is not echoed, as it
                may hold a password) or ``decode_responses=True``.
        """
        options = {**_redis_defaults(), **redis_options}
        if options.get("decode_responses"):
            raise ConfigurationError("RedisCache needs decode_responses=False")

        def connect() -> aioredis.Redis:
            try:
                return aioredis.Redis.from_url(url, **options)
            except ValueError as exc:
                raise ConfigurationError(
                    f"invalid Redis URL or option ({type(exc).__name__})"
                ) from None

        cache = cls(
            connect(), namespace=namespace, fence_seconds=fence_seconds, scan_count=scan_count,
            pool_timeout=pool_timeout,
        )
        cache._factory = connect
        return cache

    def __repr__(self) -> str:
        kwargs = self._redis.connection_pool.connection_kwargs
        where = (
            f"path={kwargs['path']!r}"
            if kwargs.get("path")
            else f"host={kwargs.get('host')!r}, port={kwargs.get('port')!r}"
        )
        owned = self._factory is not None
        return f"RedisCache({where}, db={kwargs.get('db', 0)!r}, owned={owned})"

    @property
    def owns_connections(self) -> bool:
        """True when the cache made its own pools (:meth:`from_url`) and closes them."""
        return self._factory is not None

    @property
    def client(self) -> aioredis.Redis:
        """The ``redis.asyncio.Redis`` of the running loop (or the first one made)."""
        current = self._loops.current()
        return self._redis if current is None else current.redis

    def _connect(self) -> _Connection:
        if self._factory is None:
            if self._loops.others_running():
                raise ConfigurationError(_OTHER_LOOP)
            return _Connection(self._redis)
        return _Connection(self._factory())

    async def _disconnect(self, connection: _Connection) -> None:
        if self._factory is not None:
            await connection.redis.aclose()

    def _connection(self) -> _Connection:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise ConfigurationError(_ASYNCIO_ONLY) from None
        return self._loops.get()

    async def _run(self, command: Callable[[aioredis.Redis], Awaitable[R]]) -> R:
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
        try:
            deadline: float | None = None
            while True:
                try:
                    return await command(connection.redis)
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
        """A fence token ``(identity, seq, server time)`` taken before ``key`` is fetched."""
        args = (self._namespace, uuid.uuid4().hex)
        ident, seq, now = await self._run(
            lambda r: self._begin_script(args=args, client=r)
        )
        return (ident, int(seq), int(now))

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        """Store ``value`` unless ``key`` or a pattern covering it was invalidated since
        ``token``, a write of it is in progress, or the token is older than ``fence_seconds``
        (decided in one Lua script). Returns True when stored; a failed read (``value`` None)
        needs no round trip."""
        self._connection()
        if value is None or len(key) > _MAX_FENCED_KEY:
            return False
        if not (isinstance(token, tuple) and len(token) == 3):
            raise TypeError("complete_read needs the token begin_read returned")
        ident, seq, started = token
        args = (self._namespace, _as_bytes(ident), int(seq), int(started), self._fence_seconds)
        stored = await self._run(
            lambda r: self._complete_script(keys=(key,), args=(*args, value, ttl), client=r)
        )
        return bool(stored)

    async def invalidate(
        self,
        keys: Sequence[str],
        patterns: Sequence[str],
        *,
        write: Literal["start", "end"] | None = None,
    ) -> None:
        """Fence and delete ``keys``, fence every pattern's literal prefix, then remove every
        key matching each pattern with ``SCAN`` + ``UNLINK`` (never ``KEYS``), including keys
        written by other clients. ``write`` marks the start or end of a write of them (no read
        stores in between). Raises redis errors (the request cache turns them into
        :class:`~notify_async.errors.CacheInvalidationError`)."""
        prefixes = [literal_prefix(pattern) for pattern in patterns]
        args: tuple[str | int, ...] = (self._namespace, self._fence_seconds, write or "", *prefixes)
        await self._run(
            lambda r: self._invalidate_script(keys=list(keys), args=args, client=r)
        )
        for pattern in patterns:
            await self._run(lambda r, p=pattern: self._sweep(r, p))  # type: ignore[misc]

    async def _sweep(self, client: aioredis.Redis, pattern: str) -> None:
        """Walk the keyspace in ``scan_count`` steps, unlinking the matches of ``pattern``
        (leaving the fence bookkeeping alone)."""
        cursor = 0
        while True:
            cursor, found = await client.scan(cursor, match=pattern, count=self._scan_count)
            doomed = [k for k in map(_as_bytes, found) if not k.startswith(self._namespace_bytes)]
            if doomed:
                await client.unlink(*doomed)
            if cursor == 0:
                return

    async def aclose(self) -> None:
        """Close the running loop's pool if this cache made it (:meth:`from_url`); a client
        passed in stays open. Pools of other loops are closed when their loop ends. The cache
        stays usable: a later call opens a new pool."""
        await self._loops.aclose()
