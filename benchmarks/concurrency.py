"""HTTP concurrency benchmark for the httpcore transport (prints figures; not a test).

``transport="httpcore"``: how the sharded httpcore pools (used under trio, and what a caller can
give an ``http_client=`` of theirs) are sized. The default asyncio transport (aiohttp) and the
comparison with other clients are measured by ``benchmarks/perf.py``.

Sends N GET requests at a given concurrency through :class:`NotifyAdminClient` (``cache=False``,
no retries) to a tiny local API, for several (``max_connections``, ``max_in_flight``,
``connections_per_pool``) settings: one pool holding every connection (as one shared
``httpx.AsyncClient``) and the connections split over small pools. As a baseline, 50 threads
share a synchronous ``httpx.Client`` and sign a JWT per request (the old synchronous client's
shape). Prints throughput (requests/s, the median of the repeats) and the p50 / p99 latency a
caller sees (time waiting for a slot included).

The API is a minimal ASGI app served by uvicorn in a SUBPROCESS on a free loopback port; it
answers a small JSON body after ``asyncio.sleep(delay)`` (5 ms by default). Run::

    .venv/bin/python benchmarks/concurrency.py             # under two minutes on 2 cores
    .venv/bin/python benchmarks/concurrency.py --quick     # a smoke run
    .venv/bin/python benchmarks/concurrency.py --delay-ms 50 --requests 1000 --repeat 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx
import jwt
from _fixed_upstream import serve_fixed

from notify_async import NotifyAdminClient, RetryPolicy

CLIENT_ID = "benchmark"
SECRET = "benchmark-secret-long-enough-for-hs256-signing"
#: (max_connections, max_in_flight, connections_per_pool); None = one pool of all connections,
#: as a single shared ``httpx.AsyncClient`` would be.
SETTINGS: list[tuple[int, int, int | None]] = [
    (200, 200, None), (100, 100, None), (50, 50, None), (20, 20, None), (16, 16, None),
    (10, 10, None), (200, 16, None),
    (200, 200, 2), (100, 100, 2), (64, 64, 2), (32, 32, 2), (64, 64, 4), (64, 64, 8),
]
SYNC_THREADS = 50


# --- the API, run in a subprocess ---------------------------------------------------------------


def serve(port: int, delay: float) -> None:
    """Serve the minimal API on ``127.0.0.1:port`` until killed."""
    body = b'{"status":"ok","db_version":"1234"}'
    serve_fixed(port, delay, body)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(delay: float) -> tuple[subprocess.Popen[bytes], str]:
    """Start the API subprocess and wait until it accepts connections."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve", str(port), "--delay-ms",
         str(delay * 1000)]
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the benchmark API did not start")


# --- measurements -------------------------------------------------------------------------------


class Run:
    """Latencies (seconds) and wall time of one batch of requests."""

    def __init__(self, latencies: list[float], wall: float) -> None:
        self.latencies = sorted(latencies)
        self.wall = wall

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall

    def percentile(self, fraction: float) -> float:
        return self.latencies[min(len(self.latencies) - 1, int(fraction * len(self.latencies)))]


async def sdk_batch(notify: NotifyAdminClient, total: int, concurrency: int) -> Run:
    """``total`` status reads from ``concurrency`` tasks; each latency as its caller saw it."""
    latencies: list[float] = []
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            await notify.status.get_status()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(latencies, time.perf_counter() - started)


async def measure_sdk(url: str, connections: int, in_flight: int, per_client: int | None,
                      args: argparse.Namespace) -> list[Run]:
    notify = NotifyAdminClient(
        url, CLIENT_ID, SECRET, cache=False, retry=RetryPolicy.disabled(),
        max_connections=connections, max_keepalive_connections=connections,
        max_in_flight=in_flight, connections_per_pool=per_client or connections,
        transport="httpcore",  # the pools measured here are httpcore's (trio, http_client=)
    )
    async with notify:
        await sdk_batch(notify, args.warmup, args.concurrency)
        return [await sdk_batch(notify, args.requests, args.concurrency)
                for _ in range(args.repeat)]


def sync_batch(client: httpx.Client, url: str, total: int, threads: int) -> Run:
    """``total`` requests from ``threads`` threads sharing ``client``, a new JWT per request."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        mine: list[float] = []
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            started = time.perf_counter()
            token = jwt.encode({"iss": CLIENT_ID, "iat": int(time.time())}, SECRET,
                               algorithm="HS256")
            response = client.get(f"{url}/_status", headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response.raise_for_status()
            response.json()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Run(latencies, time.perf_counter() - started)


def measure_sync(url: str, args: argparse.Namespace) -> list[Run]:
    limits = httpx.Limits(max_connections=SYNC_THREADS, max_keepalive_connections=SYNC_THREADS)
    with httpx.Client(limits=limits, timeout=30) as client:
        sync_batch(client, url, args.warmup, SYNC_THREADS)
        return [sync_batch(client, url, args.requests, SYNC_THREADS) for _ in range(args.repeat)]


def report(label: str, runs: list[Run]) -> str:
    throughput = statistics.median(run.throughput for run in runs)
    p50 = statistics.median(run.percentile(0.50) for run in runs) * 1000
    p99 = statistics.median(run.percentile(0.99) for run in runs) * 1000
    return f"| {label} | {throughput:,.0f} | {p50:.1f} | {p99:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=5.0)
    parser.add_argument("--quick", action="store_true", help="200 requests, 1 repeat")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.delay_ms / 1000)
        return
    if args.quick:
        args.requests, args.repeat, args.warmup = 200, 1, 50

    process, url = start_server(args.delay_ms / 1000)
    began = time.perf_counter()
    try:
        print(f"{args.requests} GETs at concurrency {args.concurrency}, server delay "
              f"{args.delay_ms:g} ms, median of {args.repeat} run(s), {os.cpu_count()} CPU(s)\n")
        print("| connections / in flight / pools | requests/s | p50 ms | p99 ms |\n"
              "|---|---:|---:|---:|")
        for connections, in_flight, per_client in SETTINGS:
            pools = f"{-(-connections // per_client)} x {per_client}" if per_client else "1"
            label = f"{connections} / {in_flight} / {pools}"
            runs = asyncio.run(measure_sdk(url, connections, in_flight, per_client, args))
            print(report(label, runs), flush=True)
        print(report(f"sync httpx.Client, {SYNC_THREADS} threads", measure_sync(url, args)))
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"\ntotal {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
