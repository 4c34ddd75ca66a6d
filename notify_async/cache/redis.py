"""Redis cache backend on ``redis.asyncio`` (hiredis parses replies when it is installed).

Keys and values are the original admin app's: the key names it is given (already formatted),
JSON bytes as values, a TTL in seconds. The original and the SDK can therefore share one Redis.

Read fencing. A read that misses must not store its answer if the key (or a pattern covering
it) was invalidated while the answer was fetched, or a write that completed in between would be
hidden behind an older answer for 28 days. The fence lives in Redis, next to the cached keys and
never instead of them, under ``namespace`` (``notify_async:fence:`` by default):

* ``<ns>state`` is a hash with ``seq``, a counter bumped by every invalidation, and ``id``, a
  random id set when the hash is created. A read's token is ``(id, seq, server time)``.
* Invalidating key ``K`` sets ``<ns>k:K`` to the new ``seq``. Invalidating glob ``P`` sets
  ``<ns>p:<literal prefix of P>`` to it: every key a glob can match starts with the glob's
  literal prefix (the text before its first ``*``, ``?``, ``[`` or ``\\``), so fencing the prefix
  fences every key the glob covers. It may also fence a few keys the glob does not match (for
  ``organisation-*-email-branding-pool``, every ``organisation-...`` read in flight): those reads
  simply do not store, which costs a later miss and never a stale entry. A single global epoch
  would be simpler but would fence every read in flight on any write; matching the glob itself
  in Lua would be exact but needs a hand-written glob matcher, one more place for a bug that
  under-fences.
* Storing after a read is one Lua script: it stores only if ``id`` is unchanged (Redis was not
  flushed or restarted meanwhile), the read is younger than ``fence_seconds`` (fence entries
  expire after that long, so an older read cannot prove it saw them) and neither ``<ns>k:K`` nor
  ``<ns>p:<any prefix of K>`` holds a ``seq`` newer than the token's. Scripts run atomically, so
  no invalidation can slip between the check and the ``SET``.

Pattern invalidation without ``KEYS``. The fence is raised first (one short script that also
deletes the exact keys), then the keyspace is walked with ``SCAN MATCH <glob> COUNT n`` and the
matches removed with ``UNLINK``. Each ``SCAN`` step does bounded work (about a millisecond for
``n`` = 1000), so other clients are never stalled for long. Because the walk looks at every key in
Redis, it also removes matching keys written by clients that keep no index (the original admin
app); an index of the SDK's own keys could not, which is why there is none. ``SCAN`` returns
every key that exists for the whole walk; a key stored by a fenced read cannot appear after the
fence went up, and one stored before it is found by the walk.

Not for Redis Cluster (``SCAN`` walks one node). asyncio only: ``redis.asyncio`` does not run
under trio, so every method raises :class:`~notify_async.errors.ConfigurationError` there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from notify_async import _constants as C
from notify_async.cache._keys import literal_prefix
from notify_async.errors import ConfigurationError

__all__ = ["RedisCache"]

_BEGIN_READ = """
local state = ARGV[1] .. 'state'
redis.call('HSETNX', state, 'id', ARGV[2])
local s = redis.call('HMGET', state, 'id', 'seq')
return {s[1], s[2] or '0', redis.call('TIME')[1]}
"""

_INVALIDATE = """
local ns, ttl = ARGV[1], ARGV[2]
local seq = redis.call('HINCRBY', ns .. 'state', 'seq', 1)
for _, key in ipairs(KEYS) do
  redis.call('SET', ns .. 'k:' .. key, seq, 'EX', ttl)
end
for i = 3, #ARGV do
  redis.call('SET', ns .. 'p:' .. ARGV[i], seq, 'EX', ttl)
end
if #KEYS > 0 then redis.call('DEL', unpack(KEYS)) end
return seq
"""

_COMPLETE_READ = """
local ns, key = ARGV[1], KEYS[1]
if redis.call('HGET', ns .. 'state', 'id') ~= ARGV[2] then return 0 end
if tonumber(redis.call('TIME')[1]) - tonumber(ARGV[4]) >= tonumber(ARGV[5]) then return 0 end
local seq = tonumber(ARGV[3])
local names = {ns .. 'k:' .. key}
for i = 0, #key do names[#names + 1] = ns .. 'p:' .. string.sub(key, 1, i) end
for _, fence in ipairs(redis.call('MGET', unpack(names))) do
  if fence and tonumber(fence) > seq then return 0 end
end
redis.call('SET', key, ARGV[6], 'EX', ARGV[7])
return 1
"""

#: The longest key whose prefixes the store script checks in one ``MGET`` (Lua's unpack limit is
#: far above this; longer keys are never stored after a miss, only read).
_MAX_FENCED_KEY = 1000

_ASYNCIO_ONLY = (
    "RedisCache works on asyncio only (redis.asyncio does not run under trio); "
    "use MemoryCache, or run the client on asyncio"
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
    }


class RedisCache:
    """A :class:`~notify_async.cache.CacheBackend` on ``redis.asyncio``, shareable with the
    original admin app (same key names, JSON values and TTLs).

    Args:
        client: a ``redis.asyncio.Redis`` made with ``decode_responses=False`` (the default).
            It stays yours: :meth:`aclose` does not close it.
        namespace: prefix of the fence bookkeeping keys stored beside the cached keys.
        fence_seconds: how long fence entries live; a read that takes longer never stores.
        scan_count: the ``COUNT`` of each ``SCAN`` step of a pattern invalidation (the work
            Redis does per step, so the longest it makes other clients wait).

    Raises:
        ConfigurationError: if ``client`` decodes responses or an option is out of range.

    Use :meth:`from_url` to let the cache own its connection pool. Works on asyncio only.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        namespace: str = C.DEFAULT_REDIS_FENCE_NAMESPACE,
        fence_seconds: int = C.DEFAULT_REDIS_FENCE_SECONDS,
        scan_count: int = C.DEFAULT_REDIS_SCAN_COUNT,
    ) -> None:
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ConfigurationError("RedisCache needs a Redis client with decode_responses=False")
        if fence_seconds < 1 or scan_count < 1 or not namespace:
            raise ConfigurationError(
                "RedisCache: fence_seconds and scan_count must be positive, namespace non-empty"
            )
        self._redis = client
        self._factory: Callable[[], aioredis.Redis] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._namespace = namespace
        self._namespace_bytes = namespace.encode()
        self._fence_seconds = fence_seconds
        self._scan_count = scan_count
        self._nonce = uuid.uuid4().hex
        self._begin_script = client.register_script(_BEGIN_READ)
        self._invalidate_script = client.register_script(_INVALIDATE)
        self._complete_script = client.register_script(_COMPLETE_READ)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        namespace: str = C.DEFAULT_REDIS_FENCE_NAMESPACE,
        fence_seconds: int = C.DEFAULT_REDIS_FENCE_SECONDS,
        scan_count: int = C.DEFAULT_REDIS_SCAN_COUNT,
        **redis_options: Any,
    ) -> RedisCache:
        """A cache owning a new connection pool to ``url`` (``redis://``, ``rediss://`` or
        ``unix://``); :meth:`aclose` closes it. ``redis_options`` go to
        ``redis.asyncio.Redis.from_url`` and override the cache-friendly defaults (2 s socket
        timeouts, one immediate retry).

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
            connect(), namespace=namespace, fence_seconds=fence_seconds, scan_count=scan_count
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
    def client(self) -> aioredis.Redis:
        """The ``redis.asyncio.Redis`` in use (for tools such as the benchmark)."""
        return self._redis

    def _check_loop(self) -> aioredis.Redis:
        """The client for the running asyncio loop; refuses trio. An owned client first used in
        another loop (a new notebook loop, a new test) is replaced by a fresh one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ConfigurationError(_ASYNCIO_ONLY) from None
        if loop is not self._loop:
            if self._loop is not None and self._factory is not None:
                self._redis = self._factory()  # the old pool belongs to a loop now gone
            self._loop = loop
        return self._redis

    async def get(self, key: str) -> bytes | None:
        """The bytes stored under ``key``, or None. Raises redis errors (the request cache
        skips them) and :class:`ConfigurationError` under trio."""
        value = await self._check_loop().get(key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        """``SET key value EX ttl``, unconditionally (as the original's manual writes)."""
        await self._check_loop().set(key, value, ex=ttl)

    async def begin_read(self, key: str) -> object:
        """A fence token ``(id, seq, server time)`` taken before ``key`` is fetched."""
        client = self._check_loop()
        ident, seq, now = await self._begin_script(
            args=(self._namespace, self._nonce), client=client
        )
        return (ident, int(seq), int(now))

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        """Store ``value`` unless ``key`` or a pattern covering it was invalidated since
        ``token``, or the token is older than ``fence_seconds`` (decided in one Lua script).
        Returns True when stored; a failed read (``value`` None) needs no round trip."""
        client = self._check_loop()
        if value is None or len(key) > _MAX_FENCED_KEY:
            return False
        if not (isinstance(token, tuple) and len(token) == 3):
            raise TypeError("complete_read needs the token begin_read returned")
        ident, seq, started = token
        stored = await self._complete_script(
            keys=(key,),
            args=(self._namespace, ident, seq, started, self._fence_seconds, value, ttl),
            client=client,
        )
        return bool(stored)

    async def invalidate(self, keys: Sequence[str], patterns: Sequence[str]) -> None:
        """Fence and delete ``keys``, fence every pattern's literal prefix, then remove every
        key matching each pattern with ``SCAN`` + ``UNLINK`` (never ``KEYS``), including keys
        written by other clients. Raises redis errors (the request cache turns them into
        :class:`~notify_async.errors.CacheInvalidationError`)."""
        client = self._check_loop()
        prefixes = [literal_prefix(pattern) for pattern in patterns]
        await self._invalidate_script(
            keys=list(keys), args=(self._namespace, self._fence_seconds, *prefixes), client=client
        )
        for pattern in patterns:
            await self._sweep(client, pattern)

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
        """Close the connection pool if this cache made it (:meth:`from_url`); a client passed
        in stays open. A pool left behind by a finished event loop is dropped, not awaited."""
        if self._factory is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not on asyncio: no connection can have been opened from here
        if self._loop in (None, loop):
            await self._redis.aclose()
        else:
            self._redis = self._factory()
        self._loop = None
