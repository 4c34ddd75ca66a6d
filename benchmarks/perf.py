"""Throughput and client CPU per request: notify_async against raw httpx, raw aiohttp and the
original synchronous client (prints figures and checks the targets; never part of pass/fail).

One interleaved run: for each repetition, each server latency (0 and 20 ms) and each
concurrency (1, 10, 50, 200, 500), every client in a shuffled order runs a closed loop of
``GET /service/<id>`` (a distinct id for every request in flight) against a loopback API in a
process of its own (``_perf_upstream.py``: JWT checked like the real API, ~3 KB service JSON).
A run is warmed up, then measured over a fixed window: requests completed per second, and the
client process's CPU time per request (``resource.getrusage``, user + system). Figures are the
medians of the repetitions. The original client (``notifications-python-client``, one client per
thread as the admin app uses it) runs with 10 and 50 threads.

    pip install -r requirements/bench.txt
    python benchmarks/perf.py            # about 9 minutes on 2 cores
    python benchmarks/perf.py --quick    # about a minute
    python benchmarks/perf.py --sizing   # connection limit / in-flight cap sweep

Writes ``--out`` (JSON; default docs/benchmarks-perf.json), a Markdown table on stdout and a PNG
chart (``--chart``; default docs/benchmarks-perf.png).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from _perf_clients import ASYNC_CLIENTS, AsyncClientFactory, notify_async, sync_client

HERE = Path(__file__).resolve().parent
SYNC_THREADS = (10, 50)
#: Ids cycled through; far more than the highest concurrency, so requests in flight never share.
IDS = [str(uuid.UUID(int=random.getrandbits(128), version=4)) for _ in range(4096)]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Window:
    """Counts completions; snapshots (count, wall, CPU) at the start and end of the window."""

    def __init__(self) -> None:
        self.done = 0
        self.stop = False
        self.start: tuple[int, float, float] = (0, 0.0, 0.0)
        self.end: tuple[int, float, float] = (0, 0.0, 0.0)

    def snap(self) -> tuple[int, float, float]:
        return self.done, time.perf_counter(), cpu_seconds()

    def result(self) -> dict[str, float]:
        count = self.end[0] - self.start[0]
        wall = self.end[1] - self.start[1]
        cpu = self.end[2] - self.start[2]
        return {
            "ops": count / wall if wall else 0.0,
            "cpu_us": cpu / count * 1e6 if count else float("nan"),
            "requests": count,
        }


async def run_async(factory: AsyncClientFactory, url: str, concurrency: int, warmup: float,
                    window: float) -> dict[str, float]:
    measured = Window()
    ids = itertools.cycle(IDS)

    async with factory(url) as call:

        async def worker() -> None:
            while not measured.stop:
                await call(next(ids))
                measured.done += 1

        tasks = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
        await asyncio.sleep(warmup)
        measured.start = measured.snap()
        await asyncio.sleep(window)
        measured.end = measured.snap()
        measured.stop = True
        await asyncio.gather(*tasks)
    return measured.result()


def run_sync(url: str, threads: int, warmup: float, window: float) -> dict[str, float]:
    measured = Window()
    lock = threading.Lock()
    ids = itertools.cycle(IDS)
    errors: list[BaseException] = []

    def worker() -> None:
        call = sync_client(url)
        try:
            while not measured.stop:
                with lock:
                    service_id = next(ids)
                call(service_id)
                with lock:
                    measured.done += 1
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    time.sleep(warmup)
    measured.start = measured.snap()
    time.sleep(window)
    measured.end = measured.snap()
    measured.stop = True
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return measured.result()


def start_upstream(delay_ms: float) -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_perf_upstream.py"), str(port), str(delay_ms)],
        stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the benchmark API did not start")
    return process, f"http://127.0.0.1:{port}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} x {cpu}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def cells(args: argparse.Namespace) -> list[tuple[str, float, int]]:
    """(client, latency_ms, concurrency) of one repetition."""
    out = [(name, lat, c) for name in args.clients for lat in args.latencies
           for c in args.concurrency]
    out += [(f"sync client, {t} threads", lat, t) for t in SYNC_THREADS for lat in args.latencies
            if not args.no_sync]
    return out


def measure(args: argparse.Namespace, clients: dict[str, AsyncClientFactory],
            urls: dict[float, str]) -> dict[str, list[dict[str, float]]]:
    """Every cell, ``args.repeat`` times, interleaved in a new shuffled order each repetition."""
    runs: dict[str, list[dict[str, float]]] = {}
    todo = cells(args)
    began = time.perf_counter()
    for rep in range(args.repeat):
        random.shuffle(todo)
        for index, (name, latency, concurrency) in enumerate(todo):
            gc.collect()
            url = urls[latency]
            if name.startswith("sync client"):
                result = run_sync(url, concurrency, args.warmup, args.window)
            else:
                result = asyncio.run(
                    run_async(clients[name], url, concurrency, args.warmup, args.window)
                )
            runs.setdefault(f"{name}|{latency:g}|{concurrency}", []).append(result)
            print(f"\r[{rep + 1}/{args.repeat}] {index + 1}/{len(todo)} "
                  f"{time.perf_counter() - began:.0f} s ", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return runs


def medians(runs: dict[str, list[dict[str, float]]]) -> list[dict[str, Any]]:
    """One row per cell with the medians of its repetitions."""
    rows = []
    for key, results in runs.items():
        name, latency, concurrency = key.split("|")
        rows.append({
            "client": name, "latency_ms": float(latency), "concurrency": int(concurrency),
            "ops": statistics.median(r["ops"] for r in results),
            "cpu_us": statistics.median(r["cpu_us"] for r in results),
            "runs": results,
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short repetition")
    parser.add_argument("--sizing", action="store_true",
                        help="sweep the SDK's max_connections / max_in_flight instead")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--window", type=float, default=1.0, help="seconds measured per cell")
    parser.add_argument("--warmup", type=float, default=0.3)
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 20.0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50, 200, 500])
    parser.add_argument("--clients", nargs="+", default=list(ASYNC_CLIENTS),
                        choices=list(ASYNC_CLIENTS), metavar="CLIENT")
    parser.add_argument("--no-sync", action="store_true", help="leave out the original client")
    parser.add_argument("--out", type=Path, default=HERE.parent / "docs" / "benchmarks-perf.json")
    parser.add_argument("--chart", type=Path, default=HERE.parent / "docs" / "benchmarks-perf.png")
    parser.add_argument("--from-json", type=Path, metavar="JSON",
                        help="print the table and targets of a saved run; redraw its chart")
    args = parser.parse_args()
    if args.from_json:
        render(json.loads(args.from_json.read_text()), args.chart)
        return
    clients = dict(ASYNC_CLIENTS)
    if args.quick:
        args.repeat, args.window, args.warmup = 1, 0.5, 0.2
        args.concurrency = [1, 10, 200]
    if args.sizing:
        clients = sizing_clients()
        args.clients, args.no_sync = list(clients), True
        args.latencies, args.concurrency = [0.0, 20.0], [200, 500]

    servers = {latency: start_upstream(latency) for latency in args.latencies}
    try:
        began = time.perf_counter()
        runs = measure(args, clients, {lat: url for lat, (_, url) in servers.items()})
        elapsed = time.perf_counter() - began
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(10)
    rows = medians(runs)
    report = {"machine": machine(), "elapsed_s": round(elapsed), "repeat": args.repeat,
              "window_s": args.window, "rows": rows}
    if args.sizing:
        from _perf_report import table

        print(table(rows))
        return
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    render(report, args.chart)
    print(f"\nwrote {args.out} and {args.chart}")


def render(report: dict[str, Any], chart_path: Path) -> None:
    """Print the table and the targets of ``report``; draw its chart."""
    from _perf_report import chart, table, targets

    rows = report["rows"]
    names = [n for n in ASYNC_CLIENTS if any(r["client"] == n for r in rows)]
    rows.sort(key=lambda r: (names.index(r["client"]) if r["client"] in names else len(names),
                             r["client"], r["latency_ms"], r["concurrency"]))
    print(f"{report['machine']}; medians of {report['repeat']} interleaved repetition(s) of "
          f"{report['window_s']:g} s; {report['elapsed_s']} s in all\n")
    print(table(rows))
    print(targets(rows))
    chart(rows, chart_path, report["machine"])


def sizing_clients() -> dict[str, AsyncClientFactory]:
    out = {}
    for connections, in_flight in [(50, 50), (100, 100), (200, 200), (100, 200), (500, 500)]:
        name = f"notify_async max_connections={connections} max_in_flight={in_flight}"
        out[name] = notify_async(max_connections=connections, max_keepalive_connections=connections,
                                 max_in_flight=in_flight)
    return out


if __name__ == "__main__":
    main()
