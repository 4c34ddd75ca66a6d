"""Every tunable default of the SDK, in one place.

Nothing else in the package hard-codes a timeout, a pool size, a retry delay or a TTL: the
config classes in :mod:`notify_async.config` take their defaults from here.
"""

from __future__ import annotations

#: Package version, also sent in the ``User-Agent`` header.
VERSION = "0.1.0"
USER_AGENT = f"notify-async/{VERSION}"

# --- HTTP -------------------------------------------------------------------------------------
#: Seconds for a whole request (the original client used 30 s).
DEFAULT_TIMEOUT = 30.0
#: Seconds to establish a connection.
DEFAULT_CONNECT_TIMEOUT = 5.0
#: Connections the facade opens at most (spread over small pools, below). Chosen by
#: ``benchmarks/concurrency.py`` (figures in docs/benchmarks.md): throughput grows with the
#: requests in flight until the CPU is busy; 100 reaches that point for a server answering in
#: 50 ms, and costs nothing when it answers faster.
DEFAULT_MAX_CONNECTIONS = 100
#: Connections per pool: the facade's one ``httpx.AsyncClient`` spreads ``max_connections``
#: over several small httpcore pools (``ShardedTransport``) because httpcore's pool does work
#: growing with the square of its connections on every request (encode/httpcore#1035): one
#: pool of 200 connections gave a third of the throughput of 100 pools of 2 (server answering
#: in 5 ms; a twenty-fourth at 50 ms), and pools of 2 beat pools of 4 and 8.
DEFAULT_CONNECTIONS_PER_POOL = 2
#: Requests allowed in flight at once per facade; further callers wait their turn (anyio limiter).
DEFAULT_MAX_IN_FLIGHT = 100
#: Idle keep-alive connections kept, spread over the pools like ``max_connections``.
DEFAULT_MAX_KEEPALIVE = 100
#: Seconds an idle keep-alive connection is kept (httpx's own default).
DEFAULT_KEEPALIVE_EXPIRY = 5.0
#: What moves the bytes under the SDK's own ``httpx.AsyncClient``: "aiohttp" (asyncio only),
#: "httpcore" (small sharded pools, asyncio and trio) or "auto": aiohttp on asyncio, httpcore on
#: trio. A caller's ``http_client=`` is used as it is, whatever this says.
TRANSPORTS = ("auto", "aiohttp", "httpcore")
DEFAULT_TRANSPORT = "auto"

#: Largest response body accepted, in bytes (after decompression); a larger one raises
#: InvalidResponse without being read further or cached. The biggest real answers (reports,
#: all organisations) are a few MiB.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: Longest path parameter accepted (ids are 36 characters); longer ones are refused before
#: sending with InvalidArgumentError.
MAX_PATH_PARAMETER_LENGTH = 1024

# --- Retries ----------------------------------------------------------------------------------
DEFAULT_MAX_ATTEMPTS = 3
#: First backoff delay in seconds; doubles per attempt, then jittered.
DEFAULT_BACKOFF_BASE = 0.25
#: Longest single backoff delay in seconds.
DEFAULT_BACKOFF_MAX = 8.0
#: Longest time in seconds spent on one call across all attempts and delays.
DEFAULT_RETRY_BUDGET = 60.0
#: Statuses retried for idempotent requests.
RETRY_STATUSES = frozenset({429, 502, 503, 504})

# --- Auth -------------------------------------------------------------------------------------
#: Seconds a signed admin JWT is reused before a new one is minted. The server accepts an
#: ``iat`` within 30 s of its clock, so this stays well inside that window.
DEFAULT_TOKEN_REUSE_SECONDS = 5.0

# --- Cache ------------------------------------------------------------------------------------
#: Default TTL of a cached read: 28 days, as the original admin app.
DEFAULT_CACHE_TTL = 28 * 24 * 60 * 60
#: Shorter TTL the original uses for rates and dashboard figures.
SHORT_CACHE_TTL = 60 * 60
#: Entries kept by the in-memory cache before the least recently used is dropped.
DEFAULT_MEMORY_CACHE_ENTRIES = 10_000
#: Seconds cache reads are skipped after a cache error (the original's "flaky" flag).
DEFAULT_CACHE_ERROR_COOLDOWN = 1.0

#: Longest wait in seconds for one cache invalidation; it is then reported as failed
#: (CacheInvalidationError). It also bounds the invalidation that finishes a cancelled write.
DEFAULT_CACHE_INVALIDATION_TIMEOUT = 10.0
#: Shared fetches a cache miss may join before it fetches by itself (one whose answer could not
#: be stored - fenced by a write - is not taken, and the next is tried).
SINGLE_FLIGHT_JOINS = 2

# --- Redis cache backend ----------------------------------------------------------------------
#: Prefix of the read-fence bookkeeping keys the Redis backend keeps beside the cached keys.
DEFAULT_REDIS_FENCE_NAMESPACE = "notify_async:fence:"
#: Seconds a fence entry lives; a read that takes longer than this never stores its answer.
DEFAULT_REDIS_FENCE_SECONDS = 600
#: ``COUNT`` of each ``SCAN`` step of a pattern invalidation. About 1 ms of Redis time per step
#: with a million keys (``benchmarks/cache.py``), so other clients never wait long.
DEFAULT_REDIS_SCAN_COUNT = 1000
#: Socket and connect timeout in seconds of a cache-owned Redis connection.
DEFAULT_REDIS_TIMEOUT = 2.0
#: Connections of each pool a cache-owned Redis client opens (redis-py's own default).
DEFAULT_REDIS_MAX_CONNECTIONS = 100
#: Seconds a cache command waits for a free pool connection before giving up (a read then goes
#: to the API; an invalidation raises CacheInvalidationError).
DEFAULT_REDIS_POOL_TIMEOUT = 5.0
#: Most cache commands in flight at once per event loop, whatever the pool's own size.
MAX_REDIS_CACHE_SLOTS = 10_000
#: Immediate retries of a Redis command on a broken connection (replaces a pooled connection
#: that a Redis restart closed; redis-py's own default would retry for seconds).
DEFAULT_REDIS_RETRIES = 1
#: Cluster-wide retries of a command after a connection error or a cluster going through a
#: failover (redis-py re-reads the slot map in between), spaced by a jittered backoff
#: (seconds): long enough to ride out a planned failover, short enough that a read then goes
#: to the API rather than waiting.
DEFAULT_REDIS_CLUSTER_RETRIES = 3
REDIS_CLUSTER_RETRY_BASE = 0.05
REDIS_CLUSTER_RETRY_CAP = 0.5
#: Hash slots of a Redis Cluster.
REDIS_CLUSTER_SLOTS = 16384
#: Seconds the first process missing a key holds its lease on fetching it (cross-process
#: single-flight); the others wait at most this long for its answer, then fetch themselves.
#: 0 turns cross-process single-flight off.
DEFAULT_REDIS_LEASE_SECONDS = 5.0
#: First and longest pause in seconds between two looks at a key another process is fetching.
REDIS_LEASE_POLL_MIN = 0.002
REDIS_LEASE_POLL_MAX = 0.05
#: Longest a pattern invalidation may walk one cluster node's keyspace (seconds). A read's
#: marker outlives its store by this long, so a walk that began before the store still finds
#: it; a longer walk is reported as a failed invalidation.
MAX_REDIS_SWEEP_SECONDS = 60
#: Walks of a pattern invalidation redone when the cluster's slot map changed during the walk.
REDIS_SWEEP_ATTEMPTS = 3
#: Seconds an invalidation on a Sentinel-managed primary waits for its replicas to acknowledge
#: it (``WAIT``); one that is not acknowledged in time raises CacheInvalidationError.
DEFAULT_REDIS_REPLICA_TIMEOUT = 1.0
#: Seconds between two looks for a Sentinel's ``+switch-master`` announcement, and the pause
#: before listening on the next Sentinel when one fails.
SENTINEL_LISTEN_SECONDS = 1.0
SENTINEL_RELISTEN_SECONDS = 0.5
#: Seconds the number of replicas the Sentinels list as up is reused before asking again.
SENTINEL_REPLICAS_REFRESH = 5.0
#: Ports of a cluster node and of a Sentinel when a ``redis+cluster://`` or
#: ``redis+sentinel://`` URL names none.
DEFAULT_REDIS_PORT = 6379
DEFAULT_SENTINEL_PORT = 26379

# --- Service limits applied by ``services.update_status`` -------------------------------------
DEFAULT_SERVICE_LIMIT = 50
DEFAULT_LIVE_SERVICE_RATE_LIMITS = {"email": 250_000, "sms": 250_000, "letter": 20_000}
