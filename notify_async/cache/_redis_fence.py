"""The read fence and cross-process single-flight on one Redis: a single server, or the primary a
Sentinel names. :class:`RedisCache <notify_async.cache.redis.RedisCache>` holds the connections
and hands each operation a :class:`Runner` (a command run on the running loop's client, within
its pool); the fence itself is here, and in :mod:`notify_async.cache._redis_cluster` for a
Redis Cluster. The scripts, and the keys they keep, are described in
:mod:`notify_async.cache._redis_scripts`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, Protocol, TypeVar

import attrs
import redis.exceptions

from notify_async import _constants as C
from notify_async.cache._keys import literal_prefix
from notify_async.cache._redis_scripts import BEGIN_READ, COMPLETE_READ, INVALIDATE, POLL_LEASE

R = TypeVar("R")

#: The longest key whose prefixes the store script checks in one ``MGET`` (Lua's unpack limit is
#: far above this; longer keys are never stored after a miss, only read).
MAX_FENCED_KEY = 1000

WritePhase = Literal["start", "end"] | None


class Runner(Protocol):
    """Runs one command on the running loop's Redis client, holding one of its connections."""

    def __call__(self, command: Callable[[Any], Awaitable[R]]) -> Awaitable[R]: ...


@attrs.frozen
class FenceSettings:
    """The options of :class:`~notify_async.cache.redis.RedisCache` the fence uses."""

    namespace: str
    fence_seconds: int
    scan_count: int
    lease_seconds: float
    replica_timeout: float = C.DEFAULT_REDIS_REPLICA_TIMEOUT

    @property
    def lease_ms(self) -> int:
        return max(1, int(self.lease_seconds * 1000))


class ReadToken(tuple[bytes, int, int]):
    """A read's fence token ``(identity, seq, server time)``, and what the backend noted when
    the read began: the key's value if another process had stored it meanwhile (``found``), this
    read's lease (``lead``: it fetches for every process; ``wait``: another process does) and
    its owner id; on a cluster, the read's marker and whether a pattern write was in progress."""

    found: bytes = b""
    lease: str = ""
    owner: str = ""
    marker: str = ""
    blocked: bool = False

    def __new__(cls, ident: bytes, seq: int, started: int) -> ReadToken:
        return super().__new__(cls, (ident, seq, started))


def as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


def read_token(reply: Sequence[Any], owner: str) -> ReadToken:
    """The token of a BEGIN_READ reply ``[identity, seq, time, value, lease]``."""
    token = ReadToken(as_bytes(reply[0]), int(reply[1]), int(reply[2]))
    token.found = as_bytes(reply[3])
    token.lease = as_bytes(reply[4]).decode()
    token.owner = owner if token.lease else ""
    return token


def split_token(token: object) -> tuple[bytes, int, int]:
    """``(identity, seq, started)`` of a token :meth:`begin_read` returned.

    Raises:
        TypeError: for anything else.
    """
    if not (isinstance(token, tuple) and len(token) == 3):
        raise TypeError("complete_read needs the token begin_read returned")
    ident, seq, started = token
    return as_bytes(ident), int(seq), int(started)


async def wait_for_lease(
    token: ReadToken, lease_seconds: float, poll: Callable[[], Awaitable[Sequence[Any]]]
) -> bytes | None:
    """Wait, polling, until the read holding the lease stored the key (its bytes are returned)
    or this read took the lease over (None: fetch it here); at most ``lease_seconds``."""
    if token.found:
        return token.found
    if token.lease != "wait":
        return None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lease_seconds
    pause = C.REDIS_LEASE_POLL_MIN
    while loop.time() < deadline:
        await asyncio.sleep(pause)  # another process is fetching; look again shortly
        pause = min(pause * 2, C.REDIS_LEASE_POLL_MAX)
        answer = await poll()
        state = as_bytes(answer[0])
        if state == b"value":
            return as_bytes(answer[1]) or None
        if state == b"lead":
            token.lease = "lead"
            return None
    return None


class SingleNodeFence:
    """The fence on one Redis: per-key and per-prefix entries beside the cached keys, checked
    and stored by one script (see :mod:`notify_async.cache.redis` for the reasoning)."""

    def __init__(self, client: Any, settings: FenceSettings) -> None:
        self._settings = settings
        self._namespace_bytes = settings.namespace.encode()
        self._begin = client.register_script(BEGIN_READ)
        self._poll = client.register_script(POLL_LEASE)
        self._complete = client.register_script(COMPLETE_READ)
        self._invalidate = client.register_script(INVALIDATE)

    async def begin_read(self, run: Runner, key: str) -> ReadToken:
        owner = uuid.uuid4().hex if self._settings.lease_seconds > 0 else ""
        args = (self._settings.namespace, uuid.uuid4().hex, key, owner, self._settings.lease_ms)
        reply = await run(lambda r: self._begin(args=args, client=r))
        return read_token(reply, owner)

    async def shared_read(self, run: Runner, key: str, token: object) -> bytes | None:
        if not isinstance(token, ReadToken):
            return None
        args = (
            self._settings.namespace, key, token.owner, token[0], token[1],
            self._settings.lease_ms,
        )

        async def poll() -> Sequence[Any]:
            reply: Sequence[Any] = await run(lambda r: self._poll(args=args, client=r))
            return reply

        return await wait_for_lease(token, self._settings.lease_seconds, poll)

    async def complete_read(
        self, run: Runner, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        ident, seq, started = split_token(token)
        owner = getattr(token, "owner", "") if getattr(token, "lease", "") == "lead" else ""
        if value is None or len(key) > MAX_FENCED_KEY:
            if not owner:
                return False
            value = b""  # nothing to store: only give the lease up
        args = (
            self._settings.namespace, ident, seq, started, self._settings.fence_seconds,
            value, ttl, owner,
        )
        stored = await run(lambda r: self._complete(keys=(key,), args=args, client=r))
        return bool(stored)

    async def invalidate(
        self, run: Runner, keys: Sequence[str], patterns: Sequence[str], write: WritePhase,
        replicas: int = 0,
    ) -> None:
        """Fence and delete; with ``replicas``, raise unless that many replicas acknowledge
        every write of the invalidation within the replica timeout."""
        settings = self._settings
        prefixes = [literal_prefix(pattern) for pattern in patterns]
        args = (settings.namespace, settings.fence_seconds, write or "", *prefixes)

        async def apply(client: Any) -> None:
            await self._invalidate(keys=list(keys), args=args, client=client)
            for pattern in patterns:
                await self._sweep(client, pattern)

        async def apply_and_wait(client: Any) -> None:
            # WAIT counts the acknowledgements of this connection's writes: one connection.
            async with client.client() as connection:
                await apply(connection)
                acked = await connection.wait(replicas, int(settings.replica_timeout * 1000))
            if acked < replicas:
                raise redis.exceptions.RedisError(
                    f"{acked} of {replicas} replicas acknowledged the invalidation"
                )

        await run(apply_and_wait if replicas else apply)

    async def _sweep(self, client: Any, pattern: str) -> None:
        """Walk the keyspace in ``scan_count`` steps, unlinking the matches of ``pattern``
        (leaving the fence bookkeeping alone)."""
        cursor = 0
        while True:
            cursor, found = await client.scan(
                cursor, match=pattern, count=self._settings.scan_count
            )
            doomed = [k for k in map(as_bytes, found) if not k.startswith(self._namespace_bytes)]
            if doomed:
                await client.unlink(*doomed)
            if cursor == 0:
                return
