"""In-process cache backend: the default when no cache is given."""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence

from notify_async import _constants as C
from notify_async.cache._keys import glob_to_regex
from notify_async.errors import ConfigurationError


class MemoryCache:
    """A bounded LRU of bytes with per-entry TTL and read fencing.

    Fencing: every invalidation bumps a generation counter and records the generation at which
    each key (or pattern) was last invalidated; a read stores its answer only if nothing covering
    its key was invalidated after the generation it started at. Bookkeeping older than the oldest
    read in progress is dropped, so memory stays bounded.

    Works on asyncio and trio (no I/O, no locks needed: every method runs without awaiting).

    Raises :class:`~notify_async.errors.ConfigurationError` for a ``max_entries`` below 1.
    """

    def __init__(
        self,
        max_entries: int = C.DEFAULT_MEMORY_CACHE_ENTRIES,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ConfigurationError(f"max_entries must be at least 1, got {max_entries!r}")
        self._data: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._max = max_entries
        self._clock = clock
        self._generation = 0
        self._key_generation: dict[str, int] = {}
        self._pattern_generations: list[tuple[int, str]] = []
        self._open_reads: Counter[int] = Counter()

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"MemoryCache(entries={len(self._data)}, max_entries={self._max})"

    async def get(self, key: str) -> bytes | None:
        """The stored bytes, or None when absent or expired."""
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires <= self._clock():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        """Store ``value`` for ``ttl`` seconds, dropping the least recently used beyond the cap."""
        self._data[key] = (value, self._clock() + ttl)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    async def begin_read(self, key: str) -> object:
        """The current generation, remembered as an open read."""
        self._open_reads[self._generation] += 1
        return self._generation

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        """Store ``value`` unless ``key`` was invalidated after ``token``'s generation."""
        assert isinstance(token, int)
        self._open_reads[token] -= 1
        if self._open_reads[token] <= 0:
            del self._open_reads[token]
        fresh = self._key_generation.get(key, -1) <= token and not any(
            generation > token and glob_to_regex(pattern).match(key)
            for generation, pattern in self._pattern_generations
        )
        if fresh and value is not None:
            await self.set(key, value, ttl)
        self._prune()
        return fresh and value is not None

    async def invalidate(self, keys: Sequence[str], patterns: Sequence[str]) -> None:
        """Delete ``keys`` and every key matching ``patterns``; fence reads in progress."""
        self._generation += 1
        for key in keys:
            self._data.pop(key, None)
            self._key_generation[key] = self._generation
        for pattern in patterns:
            regex = glob_to_regex(pattern)
            for key in [k for k in self._data if regex.match(k)]:
                del self._data[key]
            self._pattern_generations.append((self._generation, pattern))
        self._prune()

    def _prune(self) -> None:
        if not self._open_reads:
            self._key_generation.clear()
            self._pattern_generations.clear()
            return
        oldest = min(self._open_reads)
        if len(self._key_generation) > 1024:
            self._key_generation = {k: g for k, g in self._key_generation.items() if g > oldest}
        self._pattern_generations = [(g, p) for g, p in self._pattern_generations if g > oldest]

    async def aclose(self) -> None:
        """Drop every entry."""
        self._data.clear()
