"""Caching of API reads, shared-key compatible with the original admin app.

* :class:`MemoryCache` - in-process, the default.
* :class:`RedisCache` - ``redis.asyncio`` (install the ``redis`` extra); asyncio only.
* :class:`NullCache` - no caching (what ``cache=False`` uses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notify_async.cache._backend import CacheBackend, NullCache
from notify_async.cache._decorators import cached, invalidates
from notify_async.cache._keys import format_key
from notify_async.cache._request_cache import CacheStats, RequestCache
from notify_async.cache.memory import MemoryCache

if TYPE_CHECKING:
    from notify_async.cache.redis import RedisCache

__all__ = [
    "CacheBackend",
    "CacheStats",
    "MemoryCache",
    "NullCache",
    "RedisCache",
    "RequestCache",
    "cached",
    "format_key",
    "invalidates",
]


def __getattr__(name: str) -> Any:
    if name == "RedisCache":  # imported lazily: redis is an optional extra
        from notify_async.cache.redis import RedisCache

        return RedisCache
    raise AttributeError(name)
