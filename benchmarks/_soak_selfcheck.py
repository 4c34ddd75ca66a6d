"""``chaos_soak.py --self-check``: proof that the soak can see what it claims to measure.

1. The stale-read rule on hand-made logs: a read that started before a write completed may
   see the older version; one that started after may not.
2. Every upstream fault, forced once, reaches the SDK as it should (status, reset before or after
   the write is applied, stall past the timeout, trickle) and the upstream's versions show
   whether the write was applied.
3. Every Redis chaos event does what it says (new pid after kill -9, no answer while stopped,
   keys gone after FLUSHALL).
4. End to end, through the soak's own clients, logs and analysis, across processes: process A
   writes service X (completed), the harness puts an older answer for X into Redis (what a
   broken fence would do), process B reads X: exactly one stale read and one stale entry must be
   reported, and none for service Y. Process B also leaks a socket and drops another unclosed:
   its fd diff and ResourceWarning count must show them; process A must show no leak.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import socket
import sys
import tempfile
import time
import uuid
from typing import Any

import redis as sync_redis
from _soak_analysis import Op, load_ops, load_upstream, stale_entries, stale_reads
from _soak_chaos import RedisServer, UpstreamServer, redis_event, resp
from _soak_worker import CLIENT_ID, SECRET, Clients, Diagnostics, WorkerSpec, fd_diff, fd_table

from notify_async import NotifyAdminClient, RetryPolicy, request_context
from notify_async.errors import HTTP503Error, ServerError, TransportError

LEAKED: list[socket.socket] = []


def check_rule() -> list[tuple[str, bool, str]]:
    def op(kind: str, version: int, t0: float, t1: float, trace: str) -> Op:
        return Op(kind, "service-x", version, t0, t1, "ok", trace, 0, "p")

    ops = [op("W", 2, 1.0, 2.0, "w"), op("R", 1, 1.5, 2.5, "early"), op("R", 1, 2.1, 2.2, "late"),
           op("R", 2, 2.3, 2.4, "fresh")]
    found = stale_reads(ops, [], [])
    traces = [d["read"]["trace"] for d in found["details"]]
    return [("stale-read rule on hand-made logs", traces == ["late"] and found["checked"] == 2,
             f"flagged {traces}, checked {found['checked']}")]


async def check_faults(upstream: UpstreamServer, service: str, actor: str,
                       client_timeout: float) -> list[tuple[str, bool, str]]:
    timeout = client_timeout
    notify = NotifyAdminClient(upstream.url, CLIENT_ID, SECRET, cache=False, timeout=timeout,
                               retry=RetryPolicy.disabled())
    cases: list[tuple[str, str, type[BaseException] | None, int]] = [
        ("http_503", "GET", HTTP503Error, 0), ("http_500", "POST", ServerError, 0),
        ("http_502", "POST", ServerError, 0), ("error_after_apply", "POST", HTTP503Error, 1),
        ("reset_before", "POST", TransportError, 0), ("reset_after", "POST", TransportError, 1),
        ("stall", "GET", TransportError, 0), ("trickle", "POST", None, 1),
    ]
    results = []
    async with notify:
        for fault, method, expected, bump in cases:
            before = (await upstream.control("GET", "/_soak/state"))["versions"]
            await upstream.control("POST", "/_soak/faults", {"force": [fault]})
            started = time.monotonic()
            raised: BaseException | None = None
            try:
                with request_context(user_id=actor):
                    if method == "GET":
                        await notify.services.get_service(service)
                    else:
                        await notify.services.update_service(service, name=f"check {fault}")
            except Exception as exc:
                raised = exc
            took = time.monotonic() - started
            after = (await upstream.control("GET", "/_soak/state"))["versions"]
            grew = after[f"service-{service}"] - before[f"service-{service}"]
            ok = (type(raised) is expected if expected else raised is None) and grew == bump
            if fault == "stall":
                ok = ok and took >= timeout
            if fault == "trickle":
                ok = ok and took >= 0.2 * timeout
            results.append((f"fault {fault} on {method}", ok,
                            f"raised {type(raised).__name__}, version +{grew}, {took:.2f}s"))
    return results


async def check_redis(server: RedisServer) -> list[tuple[str, bool, str]]:
    rng = random.Random(0)
    results = []
    await resp(server.port, "SET", "selfcheck", "1")
    await redis_event(server, "flushall", rng)
    gone = (await resp(server.port, "EXISTS", "selfcheck")).strip() == b":0"
    results.append(("redis flushall empties the keyspace", gone, ""))
    await resp(server.port, "SET", "selfcheck", "1")
    assert server.process is not None
    old_pid = server.process.pid
    detail = await redis_event(server, "kill9_restart", rng)
    gone = (await resp(server.port, "EXISTS", "selfcheck")).strip() == b":0"
    results.append(("redis kill -9 + restart on the same port",
                    server.process.pid != old_pid and gone, detail))
    server.sigstop()
    try:
        await resp(server.port, "PING", limit=0.5)
        silent = False
    except TimeoutError:
        silent = True
    server.sigcont()
    alive = (await resp(server.port, "PING")).startswith(b"+PONG")
    results.append(("redis SIGSTOP silences it, SIGCONT resumes it", silent and alive, ""))
    return results


def script_main(spec: WorkerSpec, steps: list[tuple[str, str, str]], leak: bool) -> None:
    """A client process running ``steps`` ((kind, family, id)) through the soak's own
    ``Clients`` (same calls, same log, same probes), then writing its summary."""
    sys.stderr = open(spec.stderr_path, "w", buffering=1)  # noqa: SIM115 - until exit
    diag = Diagnostics()
    diag.install()
    before = fd_table()

    async def run() -> dict[str, Any]:
        clients = Clients(spec)
        for n, (kind, family, rid) in enumerate(steps):
            trace = f"{spec.name}-{kind}-{n}"
            t0 = time.monotonic()
            version = await clients.call(kind, family, rid, trace)
            clients.record(kind, f"{family}-{rid}", version, t0, time.monotonic(), "ok", trace)
        await clients.notify.aclose()
        await clients.cache.aclose()
        clients.log.close()
        return {"name": spec.name, "ops": {k: dict(v) for k, v in clients.ops.items()}}

    summary = asyncio.run(run())
    if leak:  # one socket kept open, one dropped unclosed (a ResourceWarning)
        LEAKED.append(socket.create_connection(("127.0.0.1", spec.ports["upstream"])))
        socket.socket()
    import gc

    gc.collect()
    summary["fds"] = fd_diff(before, fd_table(), spec.ports)
    summary.update(diag.summary())
    with open(spec.summary_path, "w") as out:
        json.dump(summary, out)
    for sock in LEAKED:
        sock.close()


async def run_script(spec: WorkerSpec, steps: list[tuple[str, str, str]], leak: bool) -> Any:
    process = multiprocessing.get_context("spawn").Process(target=script_main,
                                                            args=(spec, steps, leak))
    process.start()
    await asyncio.to_thread(process.join, 60)
    if process.is_alive():
        process.kill()
    return read_json(spec.summary_path)


def read_json(path: str) -> Any:
    with open(path) as f:
        return json.load(f)


def read_lines(path: str) -> list[Any]:
    with open(path) as f:
        return [json.loads(line) for line in f]


async def check_end_to_end(workdir: str, server: RedisServer, upstream: UpstreamServer,
                           x: str, y: str, actor: str) -> list[tuple[str, bool, str]]:
    def spec(name: str) -> WorkerSpec:
        return WorkerSpec(
            name=name, base_url=upstream.url, redis_url=server.url, services=[x, y], users=[],
            actor=actor, log_path=os.path.join(workdir, f"{name}.ops.jsonl"),
            summary_path=os.path.join(workdir, f"{name}.summary.json"),
            stderr_path=os.path.join(workdir, f"{name}.stderr"),
            ports={"upstream": upstream.port, "redis": server.port})

    a, b = spec("a"), spec("b")
    summary_a = await run_script(
        a, [("R", "service", x), ("W", "service", x), ("W", "service", y)], leak=False)
    written = [line for line in read_lines(a.log_path) if line[0] == "W"]
    old = written[0][2] - 1
    poison = json.dumps({"data": {"id": x, "name": "old", "version": old}})
    with sync_redis.Redis(port=server.port) as client:
        client.set(f"service-{x}", poison)
    summary_b = await run_script(b, [("R", "service", x), ("R", "service", y)], leak=True)
    ops = load_ops({"a": a.log_path, "b": b.log_path})
    state = await upstream.control("GET", "/_soak/state")
    upstream_log = load_upstream(upstream.log_path)
    found = stale_reads(ops, upstream_log, [])
    keys = [f"service-{x}", f"service-{y}"]
    with sync_redis.Redis(port=server.port) as client:
        cached = {k: json.loads(v)["data"]["version"] for k in keys if (v := client.get(k))}
    entries = stale_entries(cached, state["versions"], ops, upstream_log)
    stale_keys = [d["read"]["key"] for d in found["details"]]
    b_fds, a_fds = summary_b["fds"], summary_a["fds"]
    return [
        ("stale read across processes is reported (and only that one)",
         stale_keys == [f"service-{x}"] and found["by_source"] == {"cache": 1},
         f"flagged {stale_keys}, by source {found['by_source']}"),
        ("stale entry at the end is reported (and only that one)",
         [d["key"] for d in entries["details"]] == [f"service-{x}"]
         and entries["by_verdict"] == {"contradicts a completed write": 1},
         f"{entries['by_verdict']}"),
        ("a leaked socket is seen in the fd diff",
         b_fds["new_sockets"] >= 1 and any("upstream" in d for d in b_fds["detail"]),
         f"{b_fds['detail']}"),
        ("an unclosed socket is counted as a ResourceWarning",
         summary_b["warnings"].get("ResourceWarning", 0) >= 1, f"{summary_b['warnings']}"),
        ("a healthy client shows no leak",
         a_fds["new_fds"] == 0 and not summary_a["warnings"].get("ResourceWarning"),
         f"{a_fds['detail']} {summary_a['warnings']}"),
    ]


async def self_check(args: argparse.Namespace) -> int:
    workdir = tempfile.mkdtemp(prefix="chaos-soak-check-")
    x, y, actor = (str(uuid.uuid4()) for _ in range(3))
    server = RedisServer(workdir)
    upstream = UpstreamServer(workdir, [x, y], [], 0, args.timeout)
    results = check_rule()
    try:
        await server.start()
        await upstream.start()
        results += await check_faults(upstream, y, actor, args.timeout)
        results += await check_redis(server)
        results += await check_end_to_end(workdir, server, upstream, x, y, actor)
    finally:
        upstream.stop()
        server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    for name, ok, detail in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  [{detail}]" if detail else ""))
    failed = sum(not ok for _, ok, _ in results)
    print(f"self-check: {len(results) - failed} passed, {failed} failed")
    return 2 if failed else 0
