"""Chaos soak of the SDK's cache and transport (loopback only; prints figures; not a test).

Starts a ``redis-server`` on a free loopback port (``--save "" --appendonly no``) and a stateful
imitation of the Notify admin API in its own process (``_soak_upstream.py``: ``GET``/``POST``
``/service/{id}`` and ``/user/{id}``, each record with a version bumped by every write, and
injected 5xx answers, connection resets before and after a write is applied, stalls longer than
the client's timeout and slow trickles of bytes). Then, for ``--seconds``:

* ``--processes`` spawned processes, each with its own ``NotifyAdminClient`` (``RedisCache``),
  and one client shared by more tasks in the main process, read (``get_service``, ``get_user``)
  and write (``update_service``, ``update_user_attribute`` inside ``request_context``) a
  handful of records, cancelling a fraction of their operations at random points;
* Redis is killed with SIGKILL and restarted on its port, paused with SIGSTOP / SIGCONT, or
  flushed, at random intervals; the upstream has bursts of faults.

At the end it reports operations and errors by type, **stale reads after a completed write**
(across processes, on the shared monotonic clock), **stale entries left in Redis** against the
upstream's versions, leaked fds and sockets, ResourceWarnings and RSS of every client. Run::

    .venv/bin/python benchmarks/chaos_soak.py                 # about 3 minutes
    .venv/bin/python benchmarks/chaos_soak.py --quick         # about 30 s
    .venv/bin/python benchmarks/chaos_soak.py --seconds 600 --json soak.json
    .venv/bin/python benchmarks/chaos_soak.py --self-check    # proves the detectors work

Exit status: 0 when nothing was found, 1 when there are findings, 2 when the self-check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from typing import Any

import redis
from _soak_analysis import (
    DOCUMENTED,
    latencies,
    load_ops,
    load_upstream,
    merge_clients,
    render,
    stale_entries,
    stale_reads,
)
from _soak_chaos import RedisServer, UpstreamServer, fault_storms, redis_chaos
from _soak_worker import Clients, Diagnostics, WorkerSpec, child_main, fd_diff, fd_table

BASE_FAULTS = {"p_fault": 0.05, "p_slow": 0.2, "slow_max": 0.05}
STORM_FAULTS = 0.4


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="length of the chaos")
    parser.add_argument("--quick", action="store_true", help="30 s, Redis chaos more often")
    parser.add_argument("--processes", type=int, default=3, help="client processes (spawned)")
    parser.add_argument("--services", type=int, default=4, help="service records")
    parser.add_argument("--users", type=int, default=2, help="user records")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--timeout", type=float, default=1.5, help="the clients' HTTP timeout")
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the logs' temporary folder")
    parser.add_argument("--self-check", action="store_true",
                        help="prove the detectors and the chaos work, then exit")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 30.0
    if args.seed is None:
        args.seed = random.randrange(1 << 30)
    return args


def library_state() -> str:
    """Which notify_async ran: its folder, git commit and uncommitted changes under it."""
    import subprocess

    import notify_async

    folder = os.path.dirname(os.path.dirname(os.path.abspath(notify_async.__file__)))
    try:
        head = subprocess.run(["git", "-C", folder, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", folder, "status", "--porcelain", "notify_async"],
                               capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return folder
    if not head:
        return f"{folder} (not a git checkout)"
    return f"{folder} at {head}" + (f" + {len(dirty)} uncommitted files" if dirty else "")


def cached_versions(port: int, keys: list[str]) -> dict[str, int | None]:
    """The version in every cached entry of ``keys`` (None: present but unreadable)."""
    found: dict[str, int | None] = {}
    with redis.Redis(port=port, socket_timeout=5) as client:
        for key in keys:
            raw = client.get(key)
            if raw is None:
                continue
            try:
                answer = json.loads(raw)
                found[key] = int(answer.get("data", answer)["version"])
            except (ValueError, KeyError, TypeError, AttributeError):
                found[key] = None
    return found


def tail(path: str, size: int) -> str:
    try:
        with open(path) as f:
            return f.read()[-size:]
    except OSError:
        return ""


def child_summary(child: WorkerSpec, exit_status: int | str) -> dict[str, Any]:
    """The summary a client process wrote, or what is known of one that wrote none."""
    try:
        with open(child.summary_path) as f:
            summary: dict[str, Any] = json.load(f)
    except (OSError, ValueError) as exc:
        summary = {"name": child.name, "missing": repr(exc), "stacks": tail(child.stack_path, 6000)}
    summary["exit"] = exit_status
    stderr = tail(child.stderr_path, 3000)
    if stderr:
        summary["stderr_tail"] = stderr
    return summary


async def join(process: Any, until: float) -> int | str:
    """Wait for a client process until ``until``; terminate, then kill it if it hangs."""
    await asyncio.to_thread(process.join, max(0.1, until - time.monotonic()))
    if process.is_alive():
        process.terminate()
        await asyncio.to_thread(process.join, 5)
        if process.is_alive():
            process.kill()
            await asyncio.to_thread(process.join, 5)
        return f"hung, stopped (exit {process.exitcode})"
    return int(process.exitcode or 0)


def findings(report: dict[str, Any]) -> list[str]:
    """What a reader must look at: anything the SDK's contract does not allow."""
    out = []
    merged = report["merged"]
    for outcome, n in merged["undocumented_errors"].items():
        out.append(f"{n} operations raised {outcome}, not a documented SDK error")
    for kind, counts in merged["ops"].items():
        if counts.get("cancel_swallowed"):
            out.append(f"{counts['cancel_swallowed']} cancelled {kind} ops returned normally")
        raised = sum(n for o, n in counts.items() if o.startswith("cancel_raised:"))
        if raised:
            out.append(f"{raised} cancelled {kind} ops raised another exception instead")
    if report["stale_reads"]["stale"]:
        out.append(f"{report['stale_reads']['stale']} stale reads after a completed write")
    for verdict, n in report["stale_entries"]["by_verdict"].items():
        if not verdict.startswith("documented"):
            out.append(f"{n} stale cache entries at the end: {verdict}")
    for client in report["clients"]:
        name = client["name"]
        if client.get("missing"):
            out.append(f"{name}: no summary ({client['missing']})")
            continue
        for label, section in (("after aclose", "fds_in_loop"), ("after the loop ended", "fds")):
            fds = client.get(section, {})
            if fds.get("new_fds"):
                out.append(f"{name}: {fds['new_fds']} fds still open {label} "
                           f"({fds['new_sockets']} sockets): {fds['detail'][:4]}")
        if client.get("warnings", {}).get("ResourceWarning"):
            out.append(f"{name}: {client['warnings']['ResourceWarning']} ResourceWarnings")
        for key, n in client.get("loop_errors", {}).items():
            out.append(f"{name}: asyncio loop error x{n}: {key}")
        if client.get("hung_ops"):
            out.append(f"{name}: {len(client['hung_ops'])} ops still running "
                       f"{report['config']['drain']} s after the end: {client['hung_ops'][:3]}")
        for text in client.get("harness_errors", []):
            out.append(f"{name}: soak task crashed: {text[-300:]}")
        if client.get("close_error"):
            out.append(f"{name}: aclose failed: {client['close_error'][-300:]}")
        if client.get("exit") not in (None, 0):
            out.append(f"{name}: process exit {client['exit']}")
        rss = client.get("rss_kb", {})
        if rss and rss["end"] - rss["warm"] > max(10 * 1024, rss["warm"] // 4):
            out.append(f"{name}: RSS grew {(rss['end'] - rss['warm']) / 1024:.1f} MB")
    return out


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    workdir = tempfile.mkdtemp(prefix="chaos-soak-")
    services = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(args.services)]
    users = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(args.users)]
    actor = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    redis_server = RedisServer(workdir)
    upstream = UpstreamServer(workdir, services, users, args.seed, args.timeout)
    gaps = ((1.5, 4.0), (4.0, 8.0)) if args.quick else ((3.0, 8.0), (6.0, 15.0))
    diag = Diagnostics()
    diag.install()
    events: list[dict[str, Any]] = []
    procs: list[tuple[WorkerSpec, Any]] = []
    try:
        await redis_server.start()
        await upstream.start()

        def spec(name: str, index: int, readers: int, writers: int) -> WorkerSpec:
            return WorkerSpec(
                name=name, base_url=upstream.url, redis_url=redis_server.url,
                services=services, users=users, actor=actor, readers=readers, writers=writers,
                timeout=args.timeout, seed=args.seed + index,
                log_path=os.path.join(workdir, f"{name}.ops.jsonl"),
                summary_path=os.path.join(workdir, f"{name}.summary.json"),
                stderr_path=os.path.join(workdir, f"{name}.stderr"),
                stack_path=os.path.join(workdir, f"{name}.stacks"),
                ports={"upstream": upstream.port, "redis": redis_server.port},
            )

        ctx = multiprocessing.get_context("spawn")
        go, times = ctx.Event(), ctx.Array("d", 2)
        for i in range(args.processes):
            child = spec(f"p{i}", i + 1, 12, 3)
            ready = ctx.Event()
            process = ctx.Process(target=child_main, args=(child, ready, go, times),
                                  name=child.name, daemon=True)
            process.start()
            procs.append((child, (process, ready)))
        for _, (_, ready) in procs:
            await asyncio.to_thread(ready.wait, 60)
        await upstream.control("POST", "/_soak/faults", BASE_FAULTS)
        main_spec = spec("main", 0, 24, 6)
        clients = Clients(main_spec)
        before = fd_table()
        start = time.monotonic() + 0.5
        deadline = start + args.seconds
        times[0], times[1] = start, deadline
        main_spec.start_at, main_spec.deadline = start, deadline
        go.set()
        chaos = [
            # Redis is left alone for the last 5 s, so the end-state check finds entries.
            asyncio.create_task(redis_chaos(redis_server, random.Random(args.seed + 101),
                                            deadline - 5, events, gaps[0])),
            asyncio.create_task(fault_storms(upstream, random.Random(args.seed + 102), deadline,
                                             events, gaps[1], BASE_FAULTS, STORM_FAULTS)),
        ]
        print(f"soaking for {args.seconds:.0f} s (seed {args.seed}, logs in {workdir}) ...",
              flush=True)
        main_summary = await clients.run(diag)
        await asyncio.gather(*chaos)
        del clients
        gc.collect()
        main_summary["fds_in_loop"] = fd_diff(before, fd_table(), main_spec.ports)
        main_summary.pop("fds", None)
        main_summary.update(diag.summary())
        summaries = [main_summary]
        for child, (process, _) in procs:
            exit_status = await join(process, deadline + child.drain + 20)
            summaries.append(child_summary(child, exit_status))
        state = await upstream.control("GET", "/_soak/state")
        keys = [f"service-{s}" for s in services] + [f"user-{u}" for u in users]
        cached = await asyncio.to_thread(cached_versions, redis_server.port, keys)
    finally:
        for _, (process, _) in procs:
            if process.is_alive():
                process.kill()
        upstream.stop()
        redis_server.stop()
    ops = load_ops({c.name: c.log_path for c, _ in procs} | {"main": main_spec.log_path})
    upstream_log = load_upstream(upstream.log_path)
    report: dict[str, Any] = {
        "config": {"seconds": args.seconds, "processes": args.processes, "seed": args.seed,
                   "records": len(keys), "timeout": args.timeout, "drain": main_spec.drain,
                   "base_faults": BASE_FAULTS, "storm_p_fault": STORM_FAULTS,
                   "redis_gap_s": gaps[0], "storm_gap_s": gaps[1], "workdir": workdir,
                   "library": library_state()},
        "merged": merge_clients(summaries),
        "latency": latencies(ops),
        "chaos_events": [{**e, "t0": e["t0"] - start, "t1": e["t1"] - start} for e in events],
        "upstream_counts": state["counts"],
        "stale_reads": stale_reads(ops, upstream_log, events),
        "stale_entries": stale_entries(cached, state["versions"], ops, upstream_log),
        "clients": summaries,
    }
    report["findings"] = findings(report)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def print_samples(report: dict[str, Any]) -> None:
    """One traceback per error type that is not a documented SDK error, and the first stale
    read and stale entry in full."""
    for outcome, text in report["merged"]["error_samples"].items():
        if not outcome.removeprefix("cancel_raised:").startswith(DOCUMENTED):
            print(f"\n--- sample of {outcome} ---\n{text}")
    for label, section in (("stale read", "stale_reads"), ("stale entry", "stale_entries")):
        if report[section]["details"]:
            print(f"\n--- first {label} ---")
            print(json.dumps(report[section]["details"][0], indent=2, default=str))


def main() -> None:
    args = parse_args()
    if args.self_check:
        from _soak_selfcheck import self_check

        sys.exit(asyncio.run(self_check(args)))
    report = asyncio.run(soak(args))
    print(render(report))
    print_samples(report)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=1, default=str)
        print(f"\nreport written to {args.json}")
    sys.exit(1 if report["findings"] else 0)


if __name__ == "__main__":
    main()
