"""In-process cache backend: the default when no cache is given."""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence

from notify_async import _constants as C
from notify_async.cache._backend import WritePhase
from notify_async.cache._keys import glob_to_regex
from notify_async.errors import ConfigurationError


class MemoryCache:
    """A bounded LRU of bytes with per-entry TTL and read fencing.

    Fencing: every invalidation bumps a generation counter and records the generation at which
    each key (or pattern) was last invalidated; a read stores its answer only if nothing covering
    its key was invalidated after the generation it started at, and no write of it is in
    progress. Bookkeeping older than the oldest read in progress is dropped, so memory stays
    bounded.

    Works on asyncio and trio, and from several threads' event loops at once (a lock guards the
    state; no method waits for I/O).

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
        self._writes: Counter[str] = Counter()  # writes in progress per key / pattern
        self._pattern_writes: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"MemoryCache(entries={len(self._data)}, max_entries={self._max})"

    async def get(self, key: str) -> bytes | None:
        """The stored bytes, or None when absent or expired."""
        with self._lock:
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
        with self._lock:
            self._store(key, value, ttl)

    def _store(self, key: str, value: bytes, ttl: int) -> None:
        self._data[key] = (value, self._clock() + ttl)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    async def begin_read(self, key: str) -> object:
        """The current generation, remembered as an open read."""
        with self._lock:
            self._open_reads[self._generation] += 1
            return self._generation

    async def complete_read(
        self, key: str, token: object, value: bytes | None, ttl: int
    ) -> bool:
        """Store ``value`` unless ``key`` was invalidated after ``token``'s generation or a
        write of it is in progress."""
        assert isinstance(token, int)
        with self._lock:
            self._open_reads[token] -= 1
            if self._open_reads[token] <= 0:
                del self._open_reads[token]
            fresh = (
                value is not None
                and self._key_generation.get(key, -1) <= token
                and not self._writes[key]
                and not any(
                    generation > token and glob_to_regex(pattern).match(key)
                    for generation, pattern in self._pattern_generations
                )
                and not any(glob_to_regex(p).match(key) for p in self._pattern_writes)
            )
            if fresh and value is not None:
                self._store(key, value, ttl)
            self._prune()
            return fresh

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, write: WritePhase = None
    ) -> None:
        """Delete ``keys`` and every key matching ``patterns``; fence reads in progress, and
        mark a write of them as begun or finished (``write``)."""
        with self._lock:
            self._generation += 1
            for key in keys:
                self._data.pop(key, None)
                self._key_generation[key] = self._generation
            for pattern in patterns:
                regex = glob_to_regex(pattern)
                for key in [k for k in self._data if regex.match(k)]:
                    del self._data[key]
                self._pattern_generations.append((self._generation, pattern))
            if write is not None:
                _count(self._writes, keys, 1 if write == "start" else -1)
                _count(self._pattern_writes, patterns, 1 if write == "start" else -1)
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
        """Nothing to release: entries stay (a client closing does not empty a cache that
        another client may share)."""


def _count(counter: Counter[str], names: Sequence[str], step: int) -> None:
    for name in names:
        counter[name] += step
        if counter[name] <= 0:
            del counter[name]
