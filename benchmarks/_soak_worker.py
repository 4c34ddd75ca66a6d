"""The chaos soak's clients: readers and writers on the SDK's public API, the per-operation log,
and the probes (fds and sockets, RSS, warnings, log records, asyncio loop errors).

One :func:`run_clients` runs one ``NotifyAdminClient`` shared by ``readers + writers`` tasks
until ``deadline``; :func:`child_main` is the entry of a spawned client process. Every
operation is one JSON line in the process's log::

    [kind, key, version, started, finished, outcome, trace, noted]

``kind`` is ``R`` or ``W``; ``version`` the version the read returned or the write produced
(null when unknown); times are ``time.monotonic()`` (one clock for every process on Linux);
``outcome`` is ``ok``, ``cancelled``, ``cancel_swallowed`` (the task was cancelled but returned
normally) or the exception's ``module.Type`` (``:sent`` / ``:unsent`` appended for
``CacheInvalidationError``); ``trace`` was sent as ``X-B3-TraceId``, which the upstream logs;
``noted`` is 1 when the exception carried ``__notes__`` (the SDK's "the cache may be stale"
note).
"""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import json
import logging
import os
import random
import sys
import time
import traceback
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import attrs

from notify_async import NotifyAdminClient, RetryPolicy, request_context
from notify_async.cache import RedisCache
from notify_async.errors import CacheInvalidationError

CLIENT_ID = "notify-soak"
SECRET = "soak-secret-long-enough-for-hs256-signing-0123456789"


class MismatchedAnswer(Exception):
    """An answer for another record (or a write's answer not showing that write)."""


@dataclass
class WorkerSpec:
    """What one client (process or the main process's shared client) does."""

    name: str
    base_url: str
    redis_url: str
    services: list[str]
    users: list[str]
    actor: str
    readers: int = 12
    writers: int = 3
    p_user: float = 0.3
    p_cancel: float = 0.05
    cancel_max: float = 0.02
    think: float = 0.004
    write_think: float = 0.8
    timeout: float = 1.5
    seed: int = 0
    log_path: str = ""
    summary_path: str = ""
    stderr_path: str = ""
    stack_path: str = ""
    ports: dict[str, int] = field(default_factory=dict)
    start_at: float = 0.0
    deadline: float = 0.0
    drain: float = 25.0


# --- probes -----------------------------------------------------------------------------------


def fd_table() -> dict[int, str]:
    """This process's open fds and what they point to (``socket:[inode]``, a path, ...)."""
    table = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            table[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue  # the directory listing's own fd, already closed
    return table


def tcp_sockets() -> dict[str, tuple[int, int, str]]:
    """inode -> (local port, remote port, state) of every TCP socket in this network namespace."""
    states = {"01": "ESTABLISHED", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT",
              "0A": "LISTEN", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "09": "LAST_ACK"}
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    cols = line.split()
                    local, remote = (int(c.rsplit(":", 1)[1], 16) for c in cols[1:3])
                    found[cols[9]] = (local, remote, states.get(cols[3], cols[3]))
        except OSError:
            continue
    return found


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def socket_count() -> int:
    return sum(target.startswith("socket:") for target in fd_table().values())


def fd_diff(before: dict[int, str], after: dict[int, str], ports: dict[str, int]) -> dict[str, Any]:
    """The fds open after that were not open before; sockets described by their TCP peer."""
    new = {fd: target for fd, target in after.items() if before.get(fd) != target}
    tcp = tcp_sockets()
    names = {port: name for name, port in ports.items()}
    detail = []
    for fd, target in sorted(new.items()):
        if target.startswith("socket:["):
            _, remote, state = tcp.get(target[8:-1], (0, 0, "not TCP"))
            peer = names.get(remote, f"port {remote}") if remote else "-"
            detail.append(f"fd {fd}: socket to {peer} ({state})")
        else:
            detail.append(f"fd {fd}: {target}")
    return {
        "before": len(before), "after": len(after), "new_fds": len(new),
        "new_sockets": sum(t.startswith("socket:") for t in new.values()), "detail": detail[:30],
    }


class Diagnostics(logging.Handler):
    """Counts warnings (``simplefilter('always')``), log records of WARNING and above, and
    errors reported to the asyncio loop's exception handler, keeping one sample of each."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.warnings: Counter[str] = Counter()
        self.logs: Counter[str] = Counter()
        self.loop_errors: Counter[str] = Counter()
        self.samples: dict[str, str] = {}

    def install(self) -> None:
        warnings.simplefilter("always")
        warnings.showwarning = self._warning
        root = logging.getLogger()
        root.addHandler(self)
        root.setLevel(logging.WARNING)

    def _sample(self, key: str, text: str) -> None:
        if key not in self.samples and len(self.samples) < 200:
            self.samples[key] = text[-4000:]

    def _warning(self, message: Warning | str, category: type[Warning], filename: str,
                 lineno: int, file: Any = None, line: str | None = None) -> None:
        self.warnings[category.__name__] += 1
        self._sample(f"warning {category.__name__}", f"{filename}:{lineno}: {message}")

    def emit(self, record: logging.LogRecord) -> None:
        key = f"{record.levelname} {record.name}: {record.msg}"
        self.logs[key] += 1
        self._sample(f"log {key}", record.getMessage())

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        key = f"{context.get('message')} ({type(exc).__name__ if exc else '-'})"
        self.loop_errors[key] += 1
        text = "".join(traceback.format_exception(exc)) if exc else ""
        self._sample(f"loop {key}", f"{context}\n{text}")

    def summary(self) -> dict[str, Any]:
        return {"warnings": dict(self.warnings), "logs": dict(self.logs),
                "loop_errors": dict(self.loop_errors), "diag_samples": self.samples}


# --- operations ---------------------------------------------------------------------------------


def outcome_of(exc: BaseException) -> str:
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if isinstance(exc, CacheInvalidationError):
        name += ":sent" if exc.request_sent else ":unsent"
    return name


def cause_chain(exc: BaseException) -> str:
    names, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(names) < 6:
        seen.add(id(current))
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return " <- ".join(names)


def result_version(exc: BaseException) -> int | None:
    """The version a write produced, when its error carries the write's result."""
    result = getattr(exc, "result", None)
    if isinstance(result, dict):
        data = result.get("data", result)
        if isinstance(data, dict) and isinstance(data.get("version"), int):
            return int(data["version"])
    return None


def await_site(task: asyncio.Task[Any]) -> str:
    """Where a task is waiting: the innermost frames of its chain of awaits."""
    frames = []
    coro: Any = task.get_coro()
    while coro is not None and len(frames) < 60:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        frames.append(f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno} "
                      f"{frame.f_code.co_name}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return " > ".join(frames[-4:]) or "not started"


class Clients:
    """One facade, its reader and writer tasks, the op log and the counters."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.cache = RedisCache.from_url(spec.redis_url)
        self.notify = NotifyAdminClient(
            spec.base_url, CLIENT_ID, SECRET, cache=self.cache,
            timeout=spec.timeout,
            retry=RetryPolicy(max_attempts=3, backoff_base=0.05, backoff_max=0.5, budget=4.0),
        )
        self.log = open(spec.log_path, "w", buffering=1 << 16)  # noqa: SIM115 - closed in run
        self.ops: dict[str, Counter[str]] = {"R": Counter(), "W": Counter()}
        self.chains: dict[str, Counter[str]] = defaultdict(Counter)
        self.samples: dict[str, str] = {}
        self.notes: Counter[str] = Counter()
        self.current: dict[str, tuple[str, str, str, float]] = {}
        self.cancel_sites: Counter[str] = Counter()

    def record(self, kind: str, key: str, version: int | None, t0: float, t1: float,
               outcome: str, trace: str, noted: bool = False) -> None:
        self.ops[kind][outcome] += 1
        line = [kind, key, version, t0, t1, outcome, trace, int(noted)]
        self.log.write(json.dumps(line) + "\n")

    def failed(self, kind: str, exc: BaseException) -> str:
        outcome = outcome_of(exc)
        self.chains[outcome][cause_chain(exc)] += 1  # the chain: __cause__, else __context__
        notes = getattr(exc, "__notes__", None)
        if notes:
            self.notes[outcome] += 1
        chain = cause_chain(exc)
        sample = f"{outcome} [{chain}]"
        if sample not in self.samples and len(self.samples) < 60:
            text = "".join(traceback.format_exception(exc))
            self.samples[sample] = f"[{kind} in {self.spec.name}]\n" + text[-6000:]
        return outcome

    async def call(self, kind: str, family: str, rid: str, trace: str) -> int:
        notify = self.notify
        if kind == "R":
            with request_context(trace_id=trace):
                if family == "service":
                    data = (await notify.services.get_service(rid))["data"]
                else:
                    data = await notify.users.get_user(rid)
        else:
            name = f"soak {trace}"
            with request_context(user_id=self.spec.actor, trace_id=trace):
                if family == "service":
                    data = (await notify.services.update_service(rid, name=name))["data"]
                else:
                    data = await notify.users.update_user_attribute(rid, name=name)
            if data.get("name") != name:
                raise MismatchedAnswer(f"write {trace} answered with name {data.get('name')!r}")
        if data.get("id") != rid:
            raise MismatchedAnswer(f"asked for {family} {rid}, answered {data.get('id')}")
        return int(data["version"])

    async def one(self, kind: str, rng: random.Random, actor: str, trace: str) -> None:
        spec = self.spec
        family = "user" if spec.users and rng.random() < spec.p_user else "service"
        rid = rng.choice(spec.users if family == "user" else spec.services)
        key = f"{family}-{rid}"
        cancel_after = rng.uniform(0, spec.cancel_max) if rng.random() < spec.p_cancel else None
        t0 = time.monotonic()
        self.current[actor] = (kind, key, trace, t0)
        task = asyncio.create_task(self.call(kind, family, rid, trace))
        version: int | None = None
        noted = False
        cancelled_by_us = False
        site = ""
        try:
            if cancel_after is not None:
                done, _ = await asyncio.wait({task}, timeout=cancel_after)
                if not done:
                    site = await_site(task)
                    cancelled_by_us = task.cancel()
            version = await task
            outcome = "ok"
            if cancelled_by_us:
                outcome = "cancel_swallowed"
                self.cancel_sites[f"{kind} returned normally; cancelled at {site}"] += 1
        except asyncio.CancelledError as exc:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                task.cancel()
                raise  # this actor itself is being stopped
            # A CancelledError nobody asked for escaping the SDK is a finding.
            outcome = "cancelled" if cancelled_by_us else self.failed(kind, exc)
        except Exception as exc:
            outcome = self.failed(kind, exc)
            if cancelled_by_us:  # the cancellation came back as another exception
                self.cancel_sites[f"{kind} raised {outcome}; cancelled at {site}"] += 1
                outcome = "cancel_raised:" + outcome
            noted = bool(getattr(exc, "__notes__", None))
            if kind == "W" and isinstance(exc, CacheInvalidationError):
                version = result_version(exc)
        self.current.pop(actor, None)
        self.record(kind, key, version, t0, time.monotonic(), outcome, trace, noted)

    async def actor(self, kind: str, index: int) -> None:
        spec = self.spec
        name = f"{spec.name}-{kind}{index}"
        rng = random.Random(f"{spec.seed}-{name}")
        n = 0
        think = spec.think if kind == "R" else spec.write_think
        while time.monotonic() < spec.deadline:
            n += 1
            await self.one(kind, rng, name, f"{name}-{n}")
            if think:
                await asyncio.sleep(rng.random() * think)

    async def sampler(self, samples: list[tuple[float, int, int]]) -> None:
        while True:
            samples.append((time.monotonic(), rss_kb(), socket_count()))
            self.log.flush()
            await asyncio.sleep(1.0)

    async def run(self, diag: Diagnostics) -> dict[str, Any]:
        spec = self.spec
        asyncio.get_running_loop().set_exception_handler(diag.loop_exception)
        fds_before = fd_table()
        await asyncio.sleep(max(0.0, spec.start_at - time.monotonic()))
        started = time.monotonic()
        samples: list[tuple[float, int, int]] = []
        sampling = asyncio.create_task(self.sampler(samples))
        actors = [asyncio.create_task(self.actor("R", i)) for i in range(spec.readers)]
        actors += [asyncio.create_task(self.actor("W", i)) for i in range(spec.writers)]
        _, pending = await asyncio.wait(
            actors, timeout=max(0.1, spec.deadline + spec.drain - time.monotonic())
        )
        hung = [
            {"actor": a, "kind": k, "key": key, "trace": tr, "running_s": time.monotonic() - t0}
            for a, (k, key, tr, t0) in self.current.items()
        ]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        harness_errors = [
            "".join(traceback.format_exception(task.exception()))
            for task in actors if task.done() and not task.cancelled() and task.exception()
        ]
        ended = time.monotonic()
        rss_end = rss_kb()
        sampling.cancel()
        close_error = None
        try:  # a cache passed in is the caller's to close (NotifyAdminClient.aclose leaves it)
            await asyncio.wait_for(self.notify.aclose(), 10)
            await asyncio.wait_for(self.cache.aclose(), 10)
        except Exception as exc:  # reported, never raised
            close_error = "".join(traceback.format_exception(exc))[-3000:]
        self.log.close()
        gc.collect()
        fds_in_loop = fd_diff(fds_before, fd_table(), spec.ports)
        warm = next((rss for t, rss, _ in samples if t >= started + min(10.0, 0.15 * (
            spec.deadline - started))), samples[0][1] if samples else rss_end)
        return {
            "name": spec.name, "ops": {k: dict(v) for k, v in self.ops.items()},
            "chains": {k: dict(v) for k, v in self.chains.items()},
            "error_samples": self.samples, "notes": dict(self.notes),
            "cancel_sites": dict(self.cancel_sites.most_common(20)),
            "fds_in_loop": fds_in_loop, "hung_ops": hung, "harness_errors": harness_errors,
            "close_error": close_error,
            "cache_stats": attrs.asdict(self.notify.cache_stats),
            "rss_kb": {"warm": warm, "end": rss_end, "max": max((s[1] for s in samples),
                                                                  default=rss_end)},
            "sockets_peak": max((s[2] for s in samples), default=0),
            "active_seconds": ended - started,
        }


def child_main(spec: WorkerSpec, ready: Any, go: Any, times: Any) -> None:
    """Entry of a spawned client process: wait for ``go``, run, write the summary JSON."""
    stderr = open(spec.stderr_path, "w", buffering=1)  # noqa: SIM115 - lives as long as we do
    os.dup2(stderr.fileno(), 2)
    sys.stderr = stderr
    stacks = open(spec.stack_path, "w")  # noqa: SIM115 - for faulthandler, until exit
    diag = Diagnostics()
    diag.install()
    before = fd_table()
    ready.set()
    if not go.wait(120):
        return
    spec.start_at, spec.deadline = times[0], times[1]
    # If this process hangs, the main process kills it; leave the threads' stacks behind.
    faulthandler.dump_traceback_later(spec.deadline + spec.drain + 12 - time.monotonic(),
                                      file=stacks)
    summary = asyncio.run(Clients(spec).run(diag))
    gc.collect()
    after = fd_table()
    faulthandler.cancel_dump_traceback_later()
    summary["fds"] = fd_diff(before, after, spec.ports)
    summary.update(diag.summary())
    with open(spec.summary_path, "w") as out:
        json.dump(summary, out)
