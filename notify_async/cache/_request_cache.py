"""The request cache: read-through with fencing and single-flight, and invalidation around
writes. It wraps any :class:`~notify_async.cache.CacheBackend`.

Failure policy (as the original, configurable):

* reads and populates are *skippable*: a backend error is logged, counted in ``stats.errors``
  and the call goes to the API; after an error, reads are skipped for ``error_cooldown`` seconds
  (the original's "flaky" flag), then tried again, so a restarted Redis is picked up by itself;
* invalidations are not: a failure raises :class:`~notify_async.errors.CacheInvalidationError`
  saying whether the write was sent;
* a :class:`~notify_async.errors.ConfigurationError` from a backend (a Redis cache used under
  trio) is a programming error, not a flaky cache: it is always raised;
* a backend that could not get a connection in time because the SDK's own calls hold them all
  (:class:`~notify_async.cache.CacheBusyError`) is not an outage: that call skips the cache, and
  the cache stays on.

Single-flight. Identical concurrent misses in one event loop share one fetch. A caller that
joined a fetch takes its answer only if the backend stored it, which proves no invalidation of
the key - in this process or any other sharing the backend - came after the fetch began;
otherwise (fenced, cancelled, not stored) it reads again. An invalidation also detaches the
fetches in flight for the keys (and patterns) it covers, so a caller arriving after a write never
joins a fetch that began before it. When the cache is being skipped after an error, and with no
cache (``cache=False``), every call is its own request. A backend shared by several processes
may also share one fetch between them (:class:`~notify_async.cache._backend.SharedReads`): a
miss then takes the answer another process *stored* for the key (fenced like any entry) instead
of fetching it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio
import attrs

from notify_async import _constants as C
from notify_async import _telemetry as telemetry
from notify_async._loops import loop_token
from notify_async.cache._backend import (
    CacheBackend,
    CacheBusyError,
    NullCache,
    SharedReads,
    WritePhase,
)
from notify_async.cache._keys import glob_to_regex
from notify_async.errors import CacheInvalidationError, ConfigurationError

logger = logging.getLogger("notify_async.cache")


@attrs.define
class CacheStats:
    """Counters a user can read from ``notify.cache_stats``.

    Attributes:
        hits: reads answered from the cache.
        misses: reads that went to the API.
        populates: answers stored after a miss.
        fenced: answers *not* stored because the key was invalidated while they were fetched.
        shared: misses that joined an identical request already in flight (single-flight).
        errors: backend errors met on reads or populates, and entries that were not JSON
            (skipped, the API answered instead).
        invalidations: successful invalidation calls.
    """

    hits: int = 0
    misses: int = 0
    populates: int = 0
    fenced: int = 0
    shared: int = 0
    errors: int = 0
    invalidations: int = 0


class _Flight:
    """One fetch shared by identical concurrent misses. ``payload`` is the answer's JSON when
    the backend stored it (so it is known fresh); ``error`` the fetch's exception."""

    __slots__ = ("done", "error", "payload")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.payload: bytes | None = None
        self.error: BaseException | None = None


def _note(outcome: str, template: str) -> None:
    """Record a cache outcome for OpenTelemetry (nothing when it is absent)."""
    if telemetry._otel is not False:
        telemetry.note_cache(outcome, template)


def _accepted(accept: Callable[[Any], object], value: Any, key: str) -> bool:
    try:
        accept(value)
    except Exception:  # noqa: BLE001 - the entry is refused, whatever the check raised
        logger.warning("cache entry %s has the wrong shape; using the API", key)
        return False
    return True


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class RequestCache:
    """Cache logic shared by every sub-client of one facade."""

    def __init__(
        self,
        backend: CacheBackend,
        *,
        error_cooldown: float = C.DEFAULT_CACHE_ERROR_COOLDOWN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.stats = CacheStats()
        self._cooldown = error_cooldown
        self._clock = clock
        self._skip_until = 0.0
        self._flights: dict[tuple[object, str], _Flight] = {}
        #: False for :class:`NullCache` (``cache=False``): calls go straight to the API.
        self.enabled = not isinstance(backend, NullCache)
        self._shared_read = backend.shared_read if isinstance(backend, SharedReads) else None
        #: The "end" invalidations of writes that could not be confirmed, tried again by later
        #: calls: until one succeeds, the write's keys stay marked in progress (not cached).
        self._unfinished: list[tuple[Sequence[str], Sequence[str]]] = []
        self._finishing = False

    def _failed(self, what: str, key: str, exc: BaseException) -> None:
        if isinstance(exc, ConfigurationError):
            raise exc
        self.stats.errors += 1
        if not isinstance(exc, CacheBusyError):
            self._skip_until = self._clock() + self._cooldown
        logger.warning("cache %s of %s failed (%s); using the API", what, key, type(exc).__name__)

    async def read_through(
        self,
        key: str,
        ttl: int,
        fetch: Callable[[], Awaitable[Any]],
        *,
        template: str = "",
        accept: Callable[[Any], object] | None = None,
    ) -> Any:
        """Return the cached JSON under ``key``, else ``await fetch()`` and store its result.

        Concurrent misses of the same key share one ``fetch`` (and its exception); each caller
        gets its own copy of the result. The result is stored only if the key was not invalidated
        (nor a write of it in progress) while it was being fetched. ``accept`` checks a cached
        value (it raises for one of the wrong shape, e.g. written by another app): such an entry
        counts as an error and is fetched again and overwritten. ``template`` (the key's
        template) names the read in OpenTelemetry events.
        """
        if not self.enabled:
            return await fetch()
        if self._clock() < self._skip_until:
            self.stats.misses += 1
            return await fetch()
        if self._unfinished and not await self._finish_writes():
            self.stats.misses += 1  # Redis still fails: do not wait for it twice
            return await fetch()
        try:
            raw = await self.backend.get(key)
        except Exception as exc:  # noqa: BLE001 - any backend failure is skippable
            self._failed("read", key, exc)
            self.stats.misses += 1
            return await fetch()
        if raw:
            try:
                value = json.loads(raw)
            except ValueError:  # not ours to fail on: fetch, and overwrite it
                self.stats.errors += 1
                logger.warning("cache entry %s is not JSON; using the API", key)
            else:
                if accept is None or _accepted(accept, value, key):
                    self.stats.hits += 1
                    _note("hit", template)
                    return value
                self.stats.errors += 1
        self.stats.misses += 1
        slot = (loop_token(), key)
        for _ in range(C.SINGLE_FLIGHT_JOINS):
            flight = self._flights.get(slot)
            if flight is None:
                break
            self.stats.shared += 1
            await flight.done.wait()
            if flight.payload is not None:  # a copy, as a hit gives: callers may mutate it
                _note("shared", template)
                return json.loads(flight.payload)
            if flight.error is not None:
                raise flight.error
            # Not stored (fenced, cancelled or skipped): its answer may predate a write.
        return await self._lead(slot, ttl, fetch, template, accept)

    async def _lead(
        self, slot: tuple[object, str], ttl: int, fetch: Callable[[], Awaitable[Any]],
        template: str, accept: Callable[[Any], object] | None,
    ) -> Any:
        flight = _Flight()
        registered = slot not in self._flights
        if registered:
            self._flights[slot] = flight
        try:
            outcome = telemetry.cache_outcome.set("miss") if telemetry._otel is not False else None
            try:
                value, flight.payload = await self._fetch_and_store(slot[1], ttl, fetch, accept)
            finally:
                if outcome is not None:
                    telemetry.cache_outcome.reset(outcome)
            if flight.payload is None:
                _note("fenced", template)
            return value
        except Exception as exc:
            flight.error = exc
            raise
        finally:
            if registered and self._flights.get(slot) is flight:
                del self._flights[slot]
            flight.done.set()

    async def _fetch_and_store(
        self, key: str, ttl: int, fetch: Callable[[], Awaitable[Any]],
        accept: Callable[[Any], object] | None = None,
    ) -> tuple[Any, bytes | None]:
        """The fetched value, and its JSON if the backend stored it."""
        try:
            token = await self.backend.begin_read(key)
        except Exception as exc:  # noqa: BLE001
            self._failed("fence", key, exc)
            return await fetch(), None
        value: Any = None
        payload: bytes | None = None
        shared: tuple[Any, bytes] | None = None
        try:
            shared = await self._from_other_process(key, token, accept)
            if shared is None:
                value = await fetch()
                payload = _dumps(value)
        finally:
            stored = await self._complete(key, token, payload, ttl)
        if shared is not None:
            return shared
        return value, payload if stored else None

    async def _from_other_process(
        self, key: str, token: object, accept: Callable[[Any], object] | None
    ) -> tuple[Any, bytes] | None:
        """The value (and its JSON) another process stored for ``key`` while this miss waited
        for its fetch, or None: fetch it here (also when ``accept`` refuses its shape)."""
        if self._shared_read is None:
            return None
        try:
            raw = await self._shared_read(key, token)
        except Exception as exc:  # noqa: BLE001 - skippable: fetch it here
            self._failed("shared read", key, exc)
            return None
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:  # not ours to fail on: fetch, and overwrite it
            return None
        if accept is not None and not _accepted(accept, value, key):
            return None
        self.stats.shared += 1
        return value, raw

    async def _complete(self, key: str, token: object, payload: bytes | None, ttl: int) -> bool:
        try:
            stored = await self.backend.complete_read(key, token, payload, ttl)
        except Exception as exc:  # noqa: BLE001
            self._failed("populate", key, exc)
            return False
        if stored:
            self.stats.populates += 1
        elif payload is not None:
            self.stats.fenced += 1
        return stored

    def _detach_flights(self, keys: Sequence[str], patterns: Sequence[str]) -> None:
        """Let later callers of these keys start a new fetch instead of joining one in flight."""
        if not self._flights:
            return
        doomed = set(keys)
        regexes = [glob_to_regex(pattern) for pattern in patterns]
        for slot in list(self._flights):
            if slot[1] in doomed or any(regex.match(slot[1]) for regex in regexes):
                del self._flights[slot]

    async def invalidate(
        self, keys: Sequence[str], patterns: Sequence[str], *, request_sent: bool,
        result: Any = None, method: str = "", write: WritePhase = None,
    ) -> None:
        """Delete ``keys`` and ``patterns`` and detach reads of them in flight; ``write`` marks
        the start or end of a write of them (see :meth:`CacheBackend.invalidate`). The backend
        is given ``DEFAULT_CACHE_INVALIDATION_TIMEOUT`` (10) seconds at most.

        Raises:
            CacheInvalidationError: the backend failed or timed out (``request_sent`` says
                whether the write was already sent).
        """
        if not self.enabled or (not keys and not patterns):
            return
        self._detach_flights(keys, patterns)
        if self._unfinished:
            await self._finish_writes()  # its failure is this call's too, reported below
        try:
            with anyio.fail_after(C.DEFAULT_CACHE_INVALIDATION_TIMEOUT):
                await self.backend.invalidate(keys, patterns, write=write)
        except ConfigurationError:
            raise
        except Exception as exc:
            if write == "end":
                self._unfinished.append((keys, patterns))
            stage = "after the write was sent" if request_sent else "before the write (not sent)"
            raise CacheInvalidationError(
                f"{method}: cache invalidation failed {stage} ({type(exc).__name__}); "
                "the cache may hold stale data for: " + ", ".join([*keys, *patterns]),
                request_sent=request_sent,
                keys=(*keys, *patterns),
                result=result,
            ) from exc
        self.stats.invalidations += 1

    async def _finish_writes(self) -> bool:
        """Try again the "end" invalidations that failed (Redis was paused, restarting or
        unreachable), oldest first, stopping at the first that still fails; False then. Until
        one succeeds its keys are not cached (the backend still counts the write in progress);
        a process that exits first leaves that count to expire (twice ``fence_seconds`` on
        Redis). One caller at a time retries them: each must reach the backend once only."""
        if self._finishing:
            return True
        self._finishing = True
        try:
            while self._unfinished:
                keys, patterns = self._unfinished[0]
                try:
                    with anyio.fail_after(C.DEFAULT_CACHE_INVALIDATION_TIMEOUT):
                        await self.backend.invalidate(keys, patterns, write="end")
                except Exception as exc:  # noqa: BLE001 - still down: a later call tries again
                    self._failed("unfinished invalidation", ",".join([*keys, *patterns]), exc)
                    return False
                del self._unfinished[0]
                self.stats.invalidations += 1
            return True
        finally:
            self._finishing = False

    async def put(self, key: str, value: Any, ttl: int = C.DEFAULT_CACHE_TTL) -> None:
        """Store ``value`` under ``key``; errors are logged, never raised."""
        try:
            await self.backend.set(key, _dumps(value), ttl)
        except Exception as exc:  # noqa: BLE001
            self._failed("write", key, exc)

    async def get_raw(self, key: str) -> bytes | None:
        """The raw bytes under ``key``, or None (also on a skipped error)."""
        if self._clock() < self._skip_until:
            return None
        try:
            return await self.backend.get(key)
        except Exception as exc:  # noqa: BLE001
            self._failed("read", key, exc)
            return None

    async def delete_quietly(self, keys: Sequence[str]) -> None:
        """Delete ``keys``; errors are logged, never raised (the original's manual deletes)."""
        if not keys or not self.enabled:
            return
        self._detach_flights(keys, ())
        try:
            await self.backend.invalidate(keys, ())
        except Exception as exc:  # noqa: BLE001
            self._failed("delete", ",".join(keys), exc)
