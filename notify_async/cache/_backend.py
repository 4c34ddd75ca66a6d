"""The protocol every cache backend implements, and the no-op backend.

Backends store bytes under string keys and know nothing of HTTP or of how keys are formed.
Besides get/set/delete they implement the *read fence*: :meth:`CacheBackend.begin_read` is called
before a cache miss goes to the API and returns a token; :meth:`CacheBackend.complete_read` stores
the answer only if no invalidation of that key (or of a pattern covering it) happened since the
token was taken, decided atomically by the backend. It is always called once per token, with
``value=None`` when the read failed, so a backend may release bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

#: ``"start"`` / ``"end"`` of a write around which keys are invalidated, or None.
WritePhase = Literal["start", "end"] | None


class CacheBusyError(Exception):
    """A backend could not get a connection in time because the SDK's own calls hold them all.

    Not an outage: the request cache skips the cache for that call without switching it off.
    """


@runtime_checkable
class CacheBackend(Protocol):
    """Storage for cached API responses (JSON as bytes)."""

    async def get(self, key: str) -> bytes | None:
        """The stored bytes, or None when absent or expired."""

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        """Store ``value`` for ``ttl`` seconds, unconditionally."""

    async def begin_read(self, key: str) -> object:
        """Take a fence token before fetching ``key``'s value from the API."""

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        """Store ``value`` unless ``key`` was invalidated since ``token``; True if stored."""

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, write: WritePhase = None
    ) -> None:
        """Delete ``keys`` and every key matching the Redis globs in ``patterns``, and fence
        reads of them that are in progress. ``write="start"`` / ``"end"`` also mark a write of
        them as begun / finished: no read may store them in between. Raises on failure."""

    async def aclose(self) -> None:
        """Release connections (a no-op for in-process backends). The backend stays usable."""


@runtime_checkable
class SharedReads(Protocol):
    """Optional, for a backend shared by several processes: identical misses in different
    processes share one fetch (cross-process single-flight)."""

    async def shared_read(self, key: str, token: object) -> bytes | None:
        """Called after :meth:`CacheBackend.begin_read`, before fetching. The bytes another
        process stored under ``key`` since ``token`` was taken - at once if they are there,
        else after waiting (bounded) for the process already fetching ``key`` to store them -
        or None: fetch it here. Only stored bytes are returned, so they passed the fence.
        :meth:`CacheBackend.complete_read` is called for the token either way."""


class NullCache:
    """A backend that stores nothing: every read is a miss, every invalidation a no-op."""

    async def get(self, key: str) -> bytes | None:
        """Always None."""
        return None

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        """Does nothing."""

    async def begin_read(self, key: str) -> object:
        """Returns None."""
        return None

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        """Stores nothing; returns False."""
        return False

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, write: WritePhase = None
    ) -> None:
        """Does nothing."""

    async def aclose(self) -> None:
        """Does nothing."""

    def __repr__(self) -> str:
        return "NullCache()"
