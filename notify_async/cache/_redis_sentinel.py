"""A Sentinel-managed primary: following a failover at once, and how many replicas must
acknowledge an invalidation.

When Sentinel promotes a replica, the old primary is not told: it goes on accepting commands -
reads of entries the new primary has since invalidated, writes that will be thrown away - until
Sentinel demotes it, about ten seconds later. redis-py asks the Sentinels for the primary only
when it opens a connection, so a pooled connection stays on the old primary meanwhile.
:class:`SentinelWatch` listens on a Sentinel for ``+switch-master`` of the pool's service and
drops every connection of the pool, in use or idle, the moment it is announced: the commands in
flight fail (a read then goes to the API, an invalidation raises) and every later command opens
a connection to the new primary.

Between the promotion and that announcement (about a second) the old primary is still the one
every client is told to use, and an invalidation it accepts then is lost with it. The promoted
replica stopped replicating from it at once, so an invalidation that *every* replica must
acknowledge (``WAIT``) cannot be confirmed in that window and raises instead. A replica that
acknowledged is not enough: the other replicas are re-pointed at the new primary and drop what
they had. So by default an invalidation waits for as many replicas as the Sentinels list as up
(read again after every failover, and every few seconds), except an old primary this process
saw replaced that still reports itself a primary (Sentinel demotes it some seconds later; it
is counted again once it does).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import redis.exceptions
from redis.asyncio.sentinel import SentinelConnectionPool

from notify_async import _constants as C

logger = logging.getLogger("notify_async.cache")


def sentinel_pool(client: Any) -> SentinelConnectionPool | None:
    """The client's pool if a Sentinel names its primary, else None."""
    pool = getattr(client, "connection_pool", None)
    return pool if isinstance(pool, SentinelConnectionPool) and pool.is_master else None


class SentinelWatch:
    """For one event loop: the task following failovers of a Sentinel-managed pool, and the
    number of replicas the Sentinels list as up."""

    def __init__(self, pool: SentinelConnectionPool) -> None:
        self._pool = pool
        self._service = str(pool.service_name)
        self._sentinels = pool.sentinel_manager.sentinels
        self._replicas: int | None = None
        self._checked = 0.0
        #: ``(host, port)`` of primaries Sentinel replaced since this watch began.
        self._replaced: set[tuple[str, int]] = set()
        self._task = asyncio.get_running_loop().create_task(
            self._follow(), name="notify_async: follow Sentinel failovers"
        )
        self._task._log_destroy_pending = False  # type: ignore[attr-defined]  # loop closed by hand

    async def replicas(self) -> int:
        """The replicas the Sentinels list as up for the service (asked again after a
        failover, and after ``SENTINEL_REPLICAS_REFRESH`` seconds).

        Raises:
            redis.exceptions.ConnectionError: no Sentinel answered.
        """
        now = asyncio.get_running_loop().time()
        if self._replicas is not None and now - self._checked < C.SENTINEL_REPLICAS_REFRESH:
            return self._replicas
        for sentinel in self._sentinels:
            try:
                listed = await sentinel.sentinel_slaves(self._service)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                continue
            up = [
                replica for replica in listed
                if not (replica["is_sdown"] or replica["is_odown"])
                and not (
                    (replica["ip"], int(replica["port"])) in self._replaced
                    and replica.get("role-reported") == "master"
                )
            ]
            self._replicas, self._checked = len(up), now
            return self._replicas
        raise redis.exceptions.ConnectionError("no Sentinel answered for the replicas")

    async def _follow(self) -> None:
        """Until cancelled: on ``+switch-master`` of the service, drop the pool's connections.
        Listens on one Sentinel at a time, moving to the next when it fails."""
        service = self._service.encode()
        index = 0
        while True:
            pubsub = self._sentinels[index % len(self._sentinels)].pubsub()
            try:
                await pubsub.subscribe("+switch-master")
                while True:
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=C.SENTINEL_LISTEN_SECONDS
                    )
                    data = message and message.get("data")
                    fields = data.split() if isinstance(data, bytes) else []
                    if len(fields) == 5 and fields[0] == service:  # name, old, new address
                        logger.info("Sentinel switched the primary of %s", self._service)
                        self._replaced.add((fields[1].decode(), int(fields[2])))
                        self._replicas = None
                        await self._pool.disconnect()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any Sentinel trouble: try the next one
                logger.debug("listening on a Sentinel failed (%s)", type(exc).__name__)
                index += 1
                await asyncio.sleep(C.SENTINEL_RELISTEN_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def aclose(self) -> None:
        if not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def watch(client: Any) -> SentinelWatch | None:
    """A :class:`SentinelWatch` started in the running loop for a Sentinel-managed client."""
    pool = sentinel_pool(client)
    return None if pool is None else SentinelWatch(pool)
