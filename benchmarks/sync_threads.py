"""Blocking-client benchmark (prints figures; not a test): 50 threads calling Notify, as a Flask
app's request threads or a Celery worker's threads do.

Compared, each with 50 threads (``--threads``) sending the same GET (``/service/<id>``, not
cached) to a local API that answers after ~20 ms:

* ``notify_async.sync.NotifyAdminClient``: ONE client shared by all the threads (one event loop
  thread, one HTTP pool, an admin JWT reused for a few seconds);
* the original synchronous client's shape: one client per thread (it is not thread-safe), each a
  ``requests.Session`` signing a JWT per request - the real ``notifications-python-client``
  (``BaseAPIClient``, configured as the admin app does) when it is installed, else the same shape
  with an ``httpx.Client`` per thread;
* ``asyncio.run()`` per call with a new async client each time, what synchronous code had to do
  before the blocking client (a new loop and connection pool per call);
* the blocking client again with its in-memory cache on (``get_service`` is a cached read);
* for reference, the async client itself with 50 tasks on one loop (no threads): the ceiling of
  the blocking client, which runs the same code in its loop thread.

The API is a minimal ASGI app served by uvicorn in a SUBPROCESS on a free loopback port. Run::

    .venv/bin/python benchmarks/sync_threads.py            # about a minute on 2 cores
    .venv/bin/python benchmarks/sync_threads.py --quick    # a smoke run
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
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from _fixed_upstream import serve_fixed

from notify_async import NotifyAdminClient as AsyncClient
from notify_async import RetryPolicy
from notify_async.sync import NotifyAdminClient

CLIENT_ID = "notify-admin"
SECRET = "benchmark-secret-long-enough-for-hs256-signing"
SERVICE_ID = "9b6e1a4e-3c7d-4f7e-8a51-0d2c1e4b5a6f"
#: Calling threads (``--threads``); the tasks of the async reference run.
THREADS = 50


# --- the API, run in a subprocess -------------------------------------------------------------


def serve(port: int, delay: float) -> None:
    """Serve a minimal API on ``127.0.0.1:port`` answering every request after ``delay``."""
    body = b'{"data":{"id":"%s","name":"Benchmark service","restricted":false}}' % (
        SERVICE_ID.encode())
    serve_fixed(port, delay, body)


def start_server(delay: float) -> tuple[subprocess.Popen[bytes], str]:
    """Start the API subprocess and wait until it accepts connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", str(port),
                                "--delay-ms", str(delay * 1000)])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the benchmark API did not start")


# --- the shapes compared ----------------------------------------------------------------------

def original_client(url: str) -> tuple[str, Callable[[], Callable[[], Any]]]:
    """One original-shape client per thread: notifications-python-client if installed."""
    try:
        from notifications_python_client.base import BaseAPIClient
    except ImportError:
        def make_httpx() -> Callable[[], Any]:
            client = httpx.Client(base_url=url, timeout=30)

            def call() -> Any:
                token = jwt.encode({"iss": CLIENT_ID, "iat": int(time.time())}, SECRET,
                                   algorithm="HS256")
                response = client.get(f"/service/{SERVICE_ID}", headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response.raise_for_status()
                return response.json()

            return call

        return "httpx.Client per thread, a JWT per request", make_httpx

    def make_original() -> Callable[[], Any]:
        # As the admin app's NotifyAdminAPIClient: the admin client id and secret.
        client = BaseAPIClient("x" * 73 + "-" + "y" * 36, base_url=url)
        client.service_id, client.api_key = CLIENT_ID, SECRET
        return lambda: client.get(f"/service/{SERVICE_ID}")

    return "notifications-python-client, a client per thread", make_original


def asyncio_run_per_call(url: str) -> Callable[[], Any]:
    async def once() -> Any:
        async with AsyncClient(url, CLIENT_ID, SECRET, cache=False,
                               retry=RetryPolicy.disabled()) as notify:
            return await notify.services.get_service(SERVICE_ID)

    return lambda: asyncio.run(once())


# --- measuring --------------------------------------------------------------------------------


class Run:
    """Latencies (seconds) and wall time of one batch."""

    def __init__(self, latencies: list[float], wall: float) -> None:
        self.latencies, self.wall = sorted(latencies), wall

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall

    def percentile(self, fraction: float) -> float:
        return self.latencies[min(len(self.latencies) - 1, int(fraction * len(self.latencies)))]


def batch(make_caller: Callable[[], Callable[[], Any]], total: int, threads: int) -> Run:
    """``total`` calls spread over ``threads`` threads, each with the caller it made."""
    per_thread = total // threads
    latencies: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(threads + 1)

    def worker() -> None:
        call = make_caller()
        mine = []
        ready.wait()
        for _ in range(per_thread):
            started = time.perf_counter()
            call()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    return Run(latencies, time.perf_counter() - started)


def async_batch(url: str, total: int, tasks: int) -> Run:
    """``total`` calls from ``tasks`` tasks on one loop, through one async client."""

    async def run() -> Run:
        async with AsyncClient(url, CLIENT_ID, SECRET, cache=False,
                               retry=RetryPolicy.disabled()) as notify:
            latencies: list[float] = []

            async def task(count: int) -> None:
                for _ in range(count):
                    started = time.perf_counter()
                    await notify.services.get_service(SERVICE_ID)
                    latencies.append(time.perf_counter() - started)

            await task(tasks)  # connect
            started = time.perf_counter()
            await asyncio.gather(*(task(total // tasks) for _ in range(tasks)))
            return Run(latencies[tasks:], time.perf_counter() - started)

    return asyncio.run(run())


def report(label: str, runs: list[Run]) -> str:
    throughput = statistics.median(run.throughput for run in runs)
    p50 = statistics.median(run.percentile(0.50) for run in runs) * 1000
    p99 = statistics.median(run.percentile(0.99) for run in runs) * 1000
    return f"| {label} | {throughput:,.0f} | {p50:.1f} | {p99:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="per run (default 5000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--quick", action="store_true", help="1000 requests, 1 repeat")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.delay_ms / 1000)
        return
    if args.quick:
        args.requests, args.repeat, args.warmup = 1000, 1, 100
    process, url = start_server(args.delay_ms / 1000)
    began = time.perf_counter()
    blocking = NotifyAdminClient(url, CLIENT_ID, SECRET, cache=False, retry=RetryPolicy.disabled())
    cached = NotifyAdminClient(url, CLIENT_ID, SECRET, retry=RetryPolicy.disabled())
    original_label, make_original = original_client(url)
    per_call = args.requests // 5  # asyncio.run() per call is slow: fewer calls
    shapes: list[tuple[str, Callable[[int], Run]]] = [
        (f"notify_async.sync, one client for {args.threads} threads",
         lambda n: batch(lambda: lambda: blocking.services.get_service(SERVICE_ID), n,
                         args.threads)),
        (original_label, lambda n: batch(make_original, n, args.threads)),
        ("asyncio.run() per call, a new async client each",
         lambda n: batch(lambda: asyncio_run_per_call(url), n * per_call // args.requests,
                         args.threads)),
        ("notify_async.sync, one client, cached read (MemoryCache)",
         lambda n: batch(lambda: lambda: cached.services.get_service(SERVICE_ID), n,
                         args.threads)),
        (f"reference: async client, {args.threads} tasks on one loop",
         lambda n: async_batch(url, n, args.threads)),
    ]
    try:
        print(f"{args.threads} threads, GET /service/<id>, API answering in {args.delay_ms:g} ms, "
              f"median of {args.repeat} run(s) of {args.requests} requests (shapes taking "
              f"turns), {os.cpu_count()} CPU(s)\n", flush=True)
        runs: dict[str, list[Run]] = {label: [] for label, _ in shapes}
        for _, run in shapes:
            run(args.warmup)
        for _ in range(args.repeat):  # round-robin: a busy spell on the machine hits them all
            for label, run in shapes:
                runs[label].append(run(args.requests))
        print("| shape | requests/s | p50 ms | p99 ms |\n|---|---:|---:|---:|")
        for label, _ in shapes:
            print(report(label, runs[label]))
    finally:
        blocking.close()
        cached.close()
        process.terminate()
        process.wait(timeout=10)
    print(f"\ntotal {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
