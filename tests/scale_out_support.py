"""What the cluster and sentinel test modules share: the cache contract and stale-read tests
re-run on another topology, and a workload that keeps reading and writing while the topology
fails over under it.

``contract_tests()`` and ``stale_read_tests()`` return the test functions of
``tests/test_cache_contract.py`` and ``tests/test_cache_concurrency.py``; a module that puts them
in its namespace runs them against its own ``harness`` / ``fenced_backend`` fixture, so each
topology is held to exactly the same specification as a single Redis.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from notify_async.cache import CacheBackend, RequestCache
from notify_async.errors import CacheInvalidationError
from tests import test_cache_concurrency, test_cache_contract
from tests.cache_support import FakeNotify, ServiceReads, service_reads, version_of

SERVICES = ("svc_a", "svc_b", "svc_c")
TEMPLATES = ("tpl-1", "tpl-2")
MAX_DELAY = 0.003


def _tests(module: object, names: list[str] | None = None) -> dict[str, Callable[..., Any]]:
    found = {n: getattr(module, n) for n in dir(module) if n.startswith("test_")}
    return found if names is None else {n: found[n] for n in names}


def contract_tests() -> dict[str, Callable[..., Any]]:
    """Every cache contract test (they take a ``harness`` fixture)."""
    return _tests(test_cache_contract)


def stale_read_tests() -> dict[str, Callable[..., Any]]:
    """The fenced stale-read tests (they take a ``fenced_backend`` fixture)."""
    return _tests(test_cache_concurrency, [
        "test_fenced_cache_never_serves_or_keeps_data_older_than_a_completed_write",
        "test_the_fence_is_what_stopped_the_races",
    ])


@attrs.define
class FailoverOutcome:
    """What a run across a failover observed."""

    reads: int = 0
    writes: int = 0
    unconfirmed: int = 0  # writes whose invalidation raised CacheInvalidationError
    stale_reads: list[str] = attrs.Factory(list)
    stale_entries: list[str] = attrs.Factory(list)
    read_errors: int = 0
    fenced: int = 0


class FailoverWorkload:
    """Readers and writers of a few services that keep going until ``stop`` is set.

    A read that starts after a write *returned* must not see an older version. A write whose
    invalidation could not be confirmed raises ``CacheInvalidationError`` (the documented
    policy: its keys may be stale); it is counted, and its version is not a floor. At the end,
    an entry may differ from the API only for a service whose last write was unconfirmed.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.api = FakeNotify(delay=self.pause)
        self.completed: dict[str, int] = {}
        self.last_confirmed: dict[str, bool] = {}
        self.outcome = FailoverOutcome()
        self.stop = asyncio.Event()

    async def pause(self) -> None:
        await asyncio.sleep(self.rng.random() * MAX_DELAY)

    async def reader(self, client: ServiceReads) -> None:
        while not self.stop.is_set():
            service_id = self.rng.choice(SERVICES)
            floor = self.completed.get(service_id, 0)
            if self.rng.random() < 0.5:
                key, answer = f"service-{service_id}", await client.get_service(service_id)
            else:
                template_id = self.rng.choice(TEMPLATES)
                key = f"service-{service_id}-template-{template_id}"
                answer = await client.get_template(service_id, template_id)
            self.outcome.reads += 1
            if answer["data"]["version"] < floor:
                self.outcome.stale_reads.append(f"{key}: {answer['data']['version']} < {floor}")
            await self.pause()

    async def writer(self, client: ServiceReads) -> None:
        while not self.stop.is_set():
            service_id = self.rng.choice(SERVICES)
            try:
                answer = await client.update_service(service_id)
            except CacheInvalidationError:
                self.outcome.unconfirmed += 1
                self.last_confirmed[service_id] = False
                continue
            version = answer["data"]["version"]
            self.completed[service_id] = max(self.completed.get(service_id, 0), version)
            self.last_confirmed[service_id] = True
            self.outcome.writes += 1
            await asyncio.sleep(0.01)

    async def run(
        self, backend: CacheBackend, during: Callable[[], Awaitable[None]],
        readers: int = 12, writers: int = 3,
    ) -> FailoverOutcome:
        """Run the workload, await ``during()`` (the failover) meanwhile, keep going a little
        after it, then compare what is cached with the API."""
        async with self.api.client(backend) as notify:
            cache = RequestCache(backend, error_cooldown=0.05)
            client = service_reads(notify, cache)

            async def disturb() -> None:
                await asyncio.sleep(0.3)
                await during()
                await asyncio.sleep(0.5)
                self.stop.set()

            await asyncio.gather(
                *(self.reader(client) for _ in range(readers)),
                *(self.writer(client) for _ in range(writers)),
                disturb(),
            )
            await self._check_entries(backend)
        self.outcome.read_errors = cache.stats.errors
        self.outcome.fenced = cache.stats.fenced
        return self.outcome

    async def _check_entries(self, backend: CacheBackend) -> None:
        for service_id in SERVICES:
            if not self.last_confirmed.get(service_id, True):
                continue
            keys = [f"service-{service_id}"]
            keys += [f"service-{service_id}-template-{t}" for t in TEMPLATES]
            for key in keys:
                cached = version_of(await backend.get(key))
                current = self.api.versions.get(service_id, 0)
                if cached is not None and cached != current:
                    self.outcome.stale_entries.append(f"{key}: {cached} != {current}")
