"""Many OS processes sharing one Redis: a stateful loopback upstream (in the test process) and the
worker each spawned process runs (its own ``NotifyAdminClient`` and ``RedisCache``).

The upstream serves the few routes :class:`~tests.cache_support.ServiceReads` uses: a GET
answers the service's version as it was when the request arrived, after ``read_delay`` seconds
(an answer in flight); a POST bumps it. Every request is logged with ``time.monotonic()``, one
clock for every process on Linux, so the test can order operations across processes.

A worker logs every operation as ``(kind, service, version, started, finished, outcome)``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import re
import time
from dataclasses import dataclass
from typing import Any

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async.cache.redis import RedisCache
from notify_async.errors import CacheInvalidationError
from tests.cache_support import service_reads
from tests.loopback_http import LoopbackServer, json_response

ROUTE = re.compile(r"^(GET|POST) /service/([^/ ]+)(?:/template/([^/ ]+))? HTTP")
CLIENT_ID = "notify-processes"
SECRET = "processes-secret-long-enough-for-hs256-signing-0123456789"

Op = tuple[str, str, int, float, float, str]


class StatefulUpstream(LoopbackServer):
    """The upstream: versions per service, and a log of every request."""

    def __init__(self, read_delay: float = 0.002, *, jitter: bool = True) -> None:
        super().__init__(self._handle)
        self.read_delay = read_delay
        self.jitter = jitter
        self.versions: dict[str, int] = {}
        self.log: list[tuple[str, str, int, float, float]] = []

    async def _handle(self, request_line: str, writer: asyncio.StreamWriter) -> None:
        started = time.monotonic()
        match = ROUTE.match(request_line)
        if match is None:
            writer.write(json_response(b'{"message": "not found"}', "404 NOT FOUND"))
            return
        method, service_id, template = match.groups()
        if method == "POST":
            self.versions[service_id] = version = self.versions.get(service_id, 0) + 1
        else:
            version = self.versions.get(service_id, 0)
            await asyncio.sleep(self.read_delay * (random.random() if self.jitter else 1))
        body = {"data": {"id": template or service_id, "version": version}}
        writer.write(json_response(json.dumps(body).encode()))
        self.log.append((method, service_id, version, started, time.monotonic()))

    def reads_of(self, service_id: str) -> int:
        return sum(1 for method, sid, *_ in self.log if method == "GET" and sid == service_id)


@dataclass
class Job:
    """What one spawned process does."""

    base_url: str
    redis_url: str
    services: list[str]
    start_at: float
    seed: int = 0
    readers: int = 6
    writers: int = 1
    duration: float = 1.0
    cold_reads: int = 0  # > 0: only that many concurrent reads of services[0], at start_at
    lease_seconds: float = 5.0


def run_job(job: Job) -> tuple[list[Op], dict[str, int]]:
    """Run one job: the operations it did, and its cache statistics."""
    return asyncio.run(_run(job))


def serve_jobs(inbox: Any, outbox: Any) -> None:
    """The entry of a spawned process: run each job from ``inbox`` (until None), putting
    ``(job result)`` or the exception's text on ``outbox``."""
    for job in iter(inbox.get, None):
        try:
            outbox.put(run_job(job))
        except BaseException as exc:  # reported to the test, which fails
            outbox.put(f"{type(exc).__name__}: {exc}")


async def _run(job: Job) -> tuple[list[Op], dict[str, int]]:
    rng = random.Random(job.seed)
    cache = RedisCache.from_url(job.redis_url, lease_seconds=job.lease_seconds)
    from_others = 0
    shared_read = cache.shared_read

    async def counted(key: str, token: object) -> bytes | None:
        nonlocal from_others
        found = await shared_read(key, token)
        from_others += found is not None
        return found

    cache.shared_read = counted  # type: ignore[method-assign]  # before the client takes it
    notify = NotifyAdminClient(
        job.base_url, CLIENT_ID, SECRET, cache=cache, retry=RetryPolicy.disabled()
    )
    log: list[Op] = []
    async with notify:
        client = service_reads(notify)
        await client.get_service(f"warm-up-{job.seed}")  # HTTP and Redis ready before the start
        await asyncio.sleep(max(0.0, job.start_at - time.monotonic()))
        deadline = time.monotonic() + job.duration

        async def read(service_id: str, template: str | None) -> None:
            started = time.monotonic()
            if template is None:
                answer = await client.get_service(service_id)
            else:
                answer = await client.get_template(service_id, template)
            log.append(("R", service_id, answer["data"]["version"], started,
                        time.monotonic(), "ok"))

        async def reader() -> None:
            while time.monotonic() < deadline:
                await read(rng.choice(job.services), rng.choice([None, "tpl-1", "tpl-2"]))
                await asyncio.sleep(rng.random() * 0.003)

        async def writer() -> None:
            while time.monotonic() < deadline:
                service_id = rng.choice(job.services)
                started = time.monotonic()
                try:
                    answer = await client.update_service(service_id)
                    outcome = "ok"
                except CacheInvalidationError as exc:
                    answer, outcome = exc.result, "unconfirmed"
                version = answer["data"]["version"] if answer else -1
                log.append(("W", service_id, version, started, time.monotonic(), outcome))
                await asyncio.sleep(rng.random() * 0.02)

        if job.cold_reads:
            await asyncio.gather(*(read(job.services[0], None) for _ in range(job.cold_reads)))
        else:
            await asyncio.gather(
                *(reader() for _ in range(job.readers)),
                *(writer() for _ in range(job.writers)),
            )
        stats = notify.cache_stats
        counts = {"hits": stats.hits, "misses": stats.misses, "shared": stats.shared,
                  "fenced": stats.fenced, "errors": stats.errors, "populates": stats.populates,
                  "from_other_processes": from_others}
    return log, counts


def stale_reads(log: list[Op]) -> list[str]:
    """Reads that started after a write of the same service returned (confirmed) and answered
    an older version than that write's."""
    found = []
    writes = sorted((op for op in log if op[0] == "W" and op[5] == "ok"), key=lambda op: op[4])
    for kind, service_id, version, started, _, _ in log:
        if kind != "R":
            continue
        floor = max(
            (w[2] for w in writes if w[1] == service_id and w[4] < started), default=0
        )
        if version < floor:
            found.append(f"{service_id}: read {version} after write {floor} returned")
    return found


def entries_of(services: list[str]) -> list[tuple[str, str]]:
    """``(service id, cache key)`` of every entry the workers can leave."""
    return [
        (service_id, key) for service_id in services
        for key in (f"service-{service_id}", *(f"service-{service_id}-template-tpl-{n}"
                                                 for n in (1, 2)))
    ]


async def stale_entries(redis_url: str, upstream: StatefulUpstream, log: list[Op]) -> list[str]:
    """Entries that differ from the upstream at the end, for services whose last write was
    confirmed (an unconfirmed one may, by the failure policy, leave its keys stale)."""
    last: dict[str, Op] = {}
    for op in sorted((op for op in log if op[0] == "W"), key=lambda op: op[4]):
        last[op[1]] = op
    services = sorted({op[1] for op in log} - {s for s, op in last.items() if op[5] != "ok"})
    cache = RedisCache.from_url(redis_url)
    found = []
    try:
        for service_id, key in entries_of(services):
            raw = await cache.get(key)
            cached = None if raw is None else json.loads(raw)["data"]["version"]
            current = upstream.versions.get(service_id, 0)
            if cached is not None and cached != current:
                found.append(f"{key}: {cached} != {current}")
    finally:
        await cache.aclose()
    return found


def describe(counts: list[dict[str, int]]) -> dict[str, Any]:
    """The processes' cache statistics added up."""
    total: dict[str, int] = {}
    for one in counts:
        for name, value in one.items():
            total[name] = total.get(name, 0) + value
    return total


class Team:
    """``size`` spawned processes that each run the jobs they are given."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.inboxes = [context.Queue() for _ in range(size)]
        self.outbox = context.Queue()
        self.processes = [
            context.Process(target=serve_jobs, args=(inbox, self.outbox), daemon=True)
            for inbox in self.inboxes
        ]
        for process in self.processes:
            process.start()

    def run(self, jobs: list[Job]) -> list[tuple[list[Op], dict[str, int]]]:
        """One job for each of the first ``len(jobs)`` processes; their results."""
        for inbox, job in zip(self.inboxes, jobs, strict=False):
            inbox.put(job)
        results = [self.outbox.get(timeout=60) for _ in jobs]
        failures = [r for r in results if isinstance(r, str)]
        if failures:
            raise RuntimeError(f"a worker process failed: {failures[0]}")
        return results

    def close(self) -> None:
        """Stop the processes (they hold nothing that needs a clean exit)."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(10)
