"""Following a Sentinel failover at once.

When Sentinel promotes a replica, the old primary is not told: it goes on accepting commands -
reads of entries the new primary has since invalidated, writes that will be thrown away - until
Sentinel demotes it, about ten seconds later. redis-py asks the Sentinels for the primary only
when it opens a connection, so a pooled connection stays on the old primary meanwhile.

:func:`follow_failovers` listens on a Sentinel for ``+switch-master`` of the pool's service and
drops every connection of the pool, in use or idle, the moment it is announced: the commands in
flight fail (a read then goes to the API, an invalidation raises) and every later command opens
a connection to the new primary. Between the promotion and that announcement (about a second)
the old primary is still the one every client is told to use; an invalidation it accepts then
is lost with it, which is why invalidations on a Sentinel-managed primary also wait for a
replica to acknowledge them (``WAIT``, see :class:`~notify_async.cache.redis.RedisCache`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio.sentinel import SentinelConnectionPool

from notify_async import _constants as C

logger = logging.getLogger("notify_async.cache")


def sentinel_pool(client: Any) -> SentinelConnectionPool | None:
    """The client's pool if a Sentinel names its primary, else None."""
    pool = getattr(client, "connection_pool", None)
    return pool if isinstance(pool, SentinelConnectionPool) and pool.is_master else None


async def follow_failovers(pool: SentinelConnectionPool) -> None:
    """Until cancelled: on ``+switch-master`` of the pool's service, drop the pool's
    connections. Listens on one Sentinel at a time, moving to the next when it fails."""
    service = str(pool.service_name).encode()
    sentinels = pool.sentinel_manager.sentinels
    index = 0
    while True:
        pubsub = sentinels[index % len(sentinels)].pubsub()
        try:
            await pubsub.subscribe("+switch-master")
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=C.SENTINEL_LISTEN_SECONDS
                )
                data = message and message.get("data")
                if isinstance(data, bytes) and data.split(b" ", 1)[0] == service:
                    logger.info("Sentinel switched the primary of %s; reconnecting", service)
                    await pool.disconnect()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any Sentinel trouble: try the next one
            logger.debug("listening on a Sentinel failed (%s)", type(exc).__name__)
            index += 1
            await asyncio.sleep(C.SENTINEL_RELISTEN_SECONDS)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()


def start_following(client: Any) -> asyncio.Task[None] | None:
    """Start :func:`follow_failovers` in the running loop for a Sentinel-managed client."""
    pool = sentinel_pool(client)
    if pool is None:
        return None
    task = asyncio.get_running_loop().create_task(
        follow_failovers(pool), name="notify_async: follow Sentinel failovers"
    )
    task._log_destroy_pending = False  # type: ignore[attr-defined]  # a loop closed by hand
    return task


async def stop_following(task: asyncio.Task[None] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
