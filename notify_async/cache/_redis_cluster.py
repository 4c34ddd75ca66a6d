"""The read fence and cross-process single-flight on a Redis Cluster.

Cached keys keep the original's names (``service-<id>``, ...), so they are spread over every hash
slot, and a Lua script may touch the keys of one slot only. The fence is laid out accordingly
(the scripts and keys are in :mod:`notify_async.cache._redis_cluster_scripts`):

* **Keys.** The bookkeeping of key ``K`` sits in ``K``'s own slot, under a hash tag that hashes
  to that slot: its state (identity and ``seq``), its last invalidation, its writes in progress
  and its lease. Invalidating ``K``, beginning a read of it and storing it are each one script
  on that slot, as on a single Redis. The identity is that of the node holding the slot, so a
  failover, flush or restart of that node refuses every read begun before it.
* **Patterns.** A pattern's keys span every slot, and no script can fence them all at once.
  Instead each read in flight leaves a *marker* in its key's slot, named ``K{<tag>}<ns>r:<id>``:
  it starts with ``K``, so the ``SCAN`` walk of any pattern invalidation covering ``K`` finds
  it, and unlinks it together with ``K`` and ``K``'s lease in one command (they share the
  slot). A read stores only while its marker exists, atomically with the check. A read that
  stored keeps its marker for ``MAX_REDIS_SWEEP_SECONDS`` more, so a walk that was under way
  when it stored still finds the marker and removes the entry. Reads that *begin* during a
  pattern write cannot be found by the walk before it; they see the write counted in
  ``<ns>{<ns>}wp`` (one slot, read as each read begins) and never store.
* **Walks.** ``SCAN`` runs on every primary (never ``KEYS``); matches are unlinked through the
  cluster client, which routes each key to its slot's node. If a walked node is no longer a
  primary, or the slot map changed during the walk (a failover), the walk is redone on the new
  primaries. Slot *migrations* (resharding) that move keys during a walk are not detected.

Redirections (``MOVED``, ``ASK``) and re-reading the slot map are redis-py's ``RedisCluster``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from binascii import crc_hqx
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any

import redis.exceptions
from redis.crc import key_slot

from notify_async import _constants as C
from notify_async.cache._keys import glob_to_regex, literal_prefix
from notify_async.cache._redis_cluster_scripts import (
    BEGIN_READ,
    COMPLETE_READ,
    INVALIDATE,
    PATTERN_WRITE_IN_PROGRESS,
    PATTERN_WRITES,
    POLL_LEASE,
)
from notify_async.cache._redis_fence import (
    MAX_FENCED_KEY,
    FenceSettings,
    ReadToken,
    Runner,
    WritePhase,
    as_bytes,
    read_token,
    split_token,
    wait_for_lease,
)
from notify_async.errors import ConfigurationError


def _encode(name: str) -> bytes:
    """A key as Redis sees it (a name read back from ``SCAN`` may not be UTF-8)."""
    return name.encode("utf-8", "surrogateescape")


@cache
def slot_tags() -> tuple[str, ...]:
    """For every hash slot, a 4-character hash tag that hashes to it.

    Tags of 4 characters ``@A``..``O`` vary 16 bits; CRC16 is linear in them and maps the 14
    low ones one-to-one onto the slots, so 16,384 CRCs fill the table (about 20 ms, once).
    """
    table = [""] * C.REDIS_CLUSTER_SLOTS
    for n in range(C.REDIS_CLUSTER_SLOTS):
        tag = bytes(0x40 | (n >> shift) & 0xF for shift in (12, 8, 4, 0))
        table[crc_hqx(tag, 0) % C.REDIS_CLUSTER_SLOTS] = tag.decode()
    if not all(table):  # pragma: no cover - CRC16 is fixed; a test checks the table
        raise RuntimeError("hash slot tags do not cover every slot")
    return tuple(table)


class ClusterFence:
    """The fence on a ``redis.asyncio.cluster.RedisCluster`` (see the module docstring)."""

    def __init__(self, client: Any, settings: FenceSettings) -> None:
        namespace = settings.namespace
        if "{" in namespace or "}" in namespace:
            raise ConfigurationError("on a Redis Cluster the cache namespace cannot hold { or }")
        self._settings = settings
        self._central = (f"{namespace}{{{namespace}}}wp", f"{namespace}{{{namespace}}}wpt")
        self._marker = re.compile(
            r"(.*)\{[@A-O]{4}\}" + re.escape(namespace) + r"r:[0-9a-f]{32}\Z", re.DOTALL
        )
        self._marker_ms = (settings.fence_seconds + C.MAX_REDIS_SWEEP_SECONDS) * 1000
        self._begin = client.register_script(BEGIN_READ)
        self._poll = client.register_script(POLL_LEASE)
        self._complete = client.register_script(COMPLETE_READ)
        self._invalidate = client.register_script(INVALIDATE)
        self._pattern_writes = client.register_script(PATTERN_WRITES)
        self._in_progress = client.register_script(PATTERN_WRITE_IN_PROGRESS)

    def _slot_namespace(self, key: str) -> str:
        return f"{self._settings.namespace}{{{slot_tags()[key_slot(_encode(key))]}}}"

    def _keys(self, key: str, marker: str) -> tuple[str, ...]:
        """``KEYS`` of BEGIN_READ, POLL_LEASE and COMPLETE_READ for ``key``."""
        ns = self._slot_namespace(key)
        return (f"{ns}state", key, f"{ns}l:{key}", f"{ns}k:{key}", f"{ns}w:{key}", marker)

    async def begin_read(self, run: Runner, key: str) -> ReadToken:
        settings = self._settings
        owner = uuid.uuid4().hex
        slot = key_slot(_encode(key))
        marker = f"{key}{{{slot_tags()[slot]}}}{settings.namespace}r:{owner}"
        if len(key) > MAX_FENCED_KEY or key_slot(_encode(marker)) != slot:
            token = ReadToken(b"", 0, 0)  # a key with odd braces: read, never stored
            token.blocked = True
            return token
        keys = self._keys(key, marker)
        lease_owner = owner if settings.lease_seconds > 0 else ""
        args = (uuid.uuid4().hex, lease_owner, settings.lease_ms, self._marker_ms)
        token = read_token(await run(lambda r: self._begin(keys=keys, args=args, client=r)), owner)
        token.marker = marker
        try:
            token.blocked = bool(await run(
                lambda r: self._in_progress(keys=self._central, args=(key,), client=r)
            ))
        except BaseException:
            await self._give_up(run, key, token)
            raise
        if token.blocked and token.lease == "lead":
            await self._give_up(run, key, token)  # other processes need not wait for this read
        return token

    async def _give_up(self, run: Runner, key: str, token: ReadToken) -> None:
        """Drop the read's marker and lease (best effort: both expire by themselves)."""
        with contextlib.suppress(Exception):  # the caller reports its own error
            await self.complete_read(run, key, token, None, 0)
        token.lease = ""

    async def shared_read(self, run: Runner, key: str, token: object) -> bytes | None:
        if not isinstance(token, ReadToken):
            return None
        keys = self._keys(key, token.marker)
        args = (token.owner, token[1], self._settings.lease_ms)

        async def poll() -> Sequence[Any]:
            reply: Sequence[Any] = await run(lambda r: self._poll(keys=keys, args=args, client=r))
            return reply

        return await wait_for_lease(token, self._settings.lease_seconds, poll)

    async def complete_read(
        self, run: Runner, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        ident, seq, started = split_token(token)
        if not isinstance(token, ReadToken) or not token.marker:
            return False  # a key with odd braces, never stored
        owner = token.owner if token.lease == "lead" else ""
        if value is None or token.blocked:
            value = b""  # nothing to store: drop the marker, give the lease up
        keys = self._keys(key, token.marker)
        args = (
            ident, seq, started, self._settings.fence_seconds, value, ttl, owner,
            C.MAX_REDIS_SWEEP_SECONDS * 1000,
        )
        stored = await run(lambda r: self._complete(keys=keys, args=args, client=r))
        return bool(stored)

    async def invalidate(
        self, run: Runner, keys: Sequence[str], patterns: Sequence[str], write: WritePhase
    ) -> None:
        settings = self._settings
        if patterns and write:
            args = (settings.fence_seconds, write, *map(literal_prefix, patterns))
            await run(lambda r: self._pattern_writes(keys=self._central, args=args, client=r))
        by_slot: dict[str, list[str]] = {}
        for key in keys:
            by_slot.setdefault(self._slot_namespace(key), []).append(key)
        for ns, group in by_slot.items():
            names = [f"{ns}state"]
            for key in group:
                names += [key, f"{ns}k:{key}", f"{ns}w:{key}", f"{ns}l:{key}"]
            await run(self._invalidate_slot(names, write))
        for pattern in patterns:
            await run(lambda r, p=pattern: self._sweep(r, p))  # type: ignore[misc]

    def _invalidate_slot(
        self, names: list[str], write: WritePhase
    ) -> Callable[[Any], Awaitable[Any]]:
        args = (self._settings.fence_seconds, write or "")
        return lambda r: self._invalidate(keys=names, args=args, client=r)

    async def _sweep(self, client: Any, pattern: str) -> None:
        """Walk every primary's keyspace for ``pattern``, again if the primaries changed."""
        regex = glob_to_regex(pattern)
        match = pattern if pattern.endswith("*") else pattern + "*"  # markers end the key
        for _ in range(C.REDIS_SWEEP_ATTEMPTS):
            await client.initialize()
            primaries = client.get_primaries()
            before = await self._slot_map(client, primaries[0])
            walked = await asyncio.gather(
                *(self._walk(client, node, match, regex) for node in primaries)
            )
            if all(walked) and await self._slot_map(client, primaries[0]) == before:
                return
            await client.nodes_manager.initialize()
        raise redis.exceptions.ClusterError(
            "the cluster's primaries kept changing during a pattern invalidation"
        )

    @staticmethod
    async def _slot_map(client: Any, node: Any) -> list[tuple[Any, Any]]:
        slots = await client.execute_command("CLUSTER SLOTS", target_nodes=node)
        return sorted((span, owner["primary"]) for span, owner in slots.items())

    @staticmethod
    async def _is_primary(client: Any, node: Any) -> bool:
        role = await client.execute_command("ROLE", target_nodes=node)
        return as_bytes(role[0]) == b"master"

    async def _walk(self, client: Any, node: Any, match: str, regex: re.Pattern[str]) -> bool:
        """``SCAN`` one primary, unlinking what ``regex`` covers: cached keys, and the markers
        of reads in flight with their key and lease. False if the node is not a primary."""
        if not await self._is_primary(client, node):
            return False
        loop = asyncio.get_running_loop()
        started = loop.time()
        namespace = self._settings.namespace
        cursor = 0
        while True:
            cursors, found = await client.execute_command(
                "SCAN", cursor, "MATCH", match, "COUNT", self._settings.scan_count,
                target_nodes=node,
            )
            cursor = int(cursors[node.name] if isinstance(cursors, dict) else cursors)
            doomed: list[bytes | str] = []
            for raw in map(as_bytes, found):
                name = raw.decode("utf-8", "surrogateescape")
                if name.startswith(namespace):
                    continue
                marked = self._marker.match(name)
                if marked and regex.match(marked.group(1)):
                    key = marked.group(1)
                    lease = f"{self._slot_namespace(key)}l:{key}"
                    doomed += [raw, _encode(key), _encode(lease)]
                elif not marked and regex.match(name):
                    doomed.append(raw)
            if doomed:
                await client.unlink(*doomed)
            if cursor == 0:
                break
        if loop.time() - started >= C.MAX_REDIS_SWEEP_SECONDS:
            raise redis.exceptions.ClusterError(
                "a pattern invalidation walked one node for longer than reads keep their markers"
            )
        return await self._is_primary(client, node)
