"""Scale-out benchmark (prints figures; not a test): many processes sharing one Redis.

1. Cross-process single-flight: N spawned processes x M concurrent cold reads of one id each
   (every process misses while the first fetch is in flight: the upstream answers after
   100 ms). Upstream requests made, and the cold reads' latency, with the lease (the default)
   and without it (``lease_seconds=0``), on a single Redis and on a Redis Cluster.
2. Stale reads across processes: 4 processes, each 6 readers and 1 writer of the same 3
   records for a few seconds, on a single Redis, a Redis Cluster and a Sentinel-managed
   primary, the last two also with a failover (``CLUSTER FAILOVER`` / ``SENTINEL FAILOVER``)
   in the middle. A read is stale if it started after a write of its record returned and
   answered an older version; an entry is stale if it differs from the upstream at the end.

Starts its own servers (``redis-server`` on free loopback ports, the topologies of the test
suite, ``tests/redis_topologies.py``) and a stateful loopback upstream. Run::

    .venv/bin/python benchmarks/scale_out.py            # about a minute on 2 cores
    .venv/bin/python benchmarks/scale_out.py --quick    # smaller, for a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test suite's helpers

from tests.process_workers import (
    Job,
    StatefulUpstream,
    Team,
    describe,
    stale_entries,
    stale_reads,
)
from tests.redis_server import RedisServer
from tests.redis_topologies import ClusterTopology, SentinelTopology

SERVICES = ["svc-a", "svc-b", "svc-c"]
START_DELAY = 0.5
READ_DELAY = 0.1


def cold_reads(
    team: Team, url: str, processes: int, reads: int, lease_seconds: float, round_: int
) -> dict[str, Any]:
    """One round: ``processes`` x ``reads`` concurrent cold reads of a fresh id."""
    service_id = f"cold-{round_}-{lease_seconds}-{processes}"
    with StatefulUpstream(READ_DELAY, jitter=False) as upstream:
        start_at = time.monotonic() + START_DELAY
        jobs = [
            Job(upstream.url, url, [service_id], start_at, seed=n, cold_reads=reads,
                lease_seconds=lease_seconds)
            for n in range(processes)
        ]
        results = team.run(jobs)
        latencies = sorted(op[4] - op[3] for ops, _ in results for op in ops)
        return {
            "requests": upstream.reads_of(service_id),
            "p50": statistics.median(latencies) * 1000,
            "max": latencies[-1] * 1000,
            "shared": describe([stats for _, stats in results])["from_other_processes"],
        }


def single_flight(team: Team, urls: dict[str, str], quick: bool) -> None:
    print("\n## Cross-process single-flight: N processes x M cold reads of one id\n")
    print(f"The upstream answers after {READ_DELAY * 1000:.0f} ms. Mean of the rounds; latency of"
          " every cold read.\n")
    print("| Redis | N x M | lease | upstream requests | misses answered by another process | "
          "read ms p50 / max |")
    print("|---|---|---|---:|---:|---:|")
    counts = (2, 4) if quick else (2, 4, 8)
    rounds = 1 if quick else 3
    for name, url in urls.items():
        for processes in counts:
            for lease in (5.0, 0.0):
                runs = [cold_reads(team, url, processes, 50, lease, r) for r in range(rounds)]
                requests = statistics.mean(r["requests"] for r in runs)
                shared = statistics.mean(r["shared"] for r in runs)
                p50 = statistics.mean(r["p50"] for r in runs)
                worst = max(r["max"] for r in runs)
                print(f"| {name} | {processes} x 50 | {'on' if lease else 'off'} | "
                      f"{requests:.1f} | {shared:.1f} | {p50:.0f} / {worst:.0f} |")


def stale_run(
    team: Team, url: str, seconds: float, failover: Callable[[], object] | None
) -> dict[str, Any]:
    with StatefulUpstream() as upstream:
        start_at = time.monotonic() + START_DELAY
        jobs = [Job(upstream.url, url, SERVICES, start_at, seed=n, duration=seconds)
                for n in range(4)]
        timer = None
        if failover is not None:
            delay = START_DELAY + seconds / 4
            timer = threading.Timer(delay, failover)
            timer.start()
        results = team.run(jobs)
        if timer is not None:
            timer.join()
        log = [op for ops, _ in results for op in ops]
        stats = describe([stats for _, stats in results])
        entries = asyncio.run(stale_entries(url, upstream, log))
        return {
            "reads": sum(op[0] == "R" for op in log),
            "writes": sum(op[0] == "W" and op[5] == "ok" for op in log),
            "unconfirmed": sum(op[0] == "W" and op[5] != "ok" for op in log),
            "stale_reads": len(stale_reads(log)),
            "stale_entries": len(entries),
            "hit_rate": stats["hits"] / max(1, stats["hits"] + stats["misses"]),
            "shared": stats["shared"], "fenced": stats["fenced"], "errors": stats["errors"],
        }


def stale_reads_table(team: Team, topologies: dict[str, Any], seconds: float) -> None:
    print(f"\n## Stale reads: 4 processes x (6 readers + 1 writer), {seconds:.0f} s per run\n")
    print("| Redis | failover | reads | writes (unconfirmed) | stale reads | stale entries | "
          "hit rate | shared | fenced | cache errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, topology in topologies.items():
        runs = [("-", None)]
        if hasattr(topology, "failover"):
            runs.append(("during the run", topology.failover))
        for label, failover in runs:
            topology.flush()
            r = stale_run(team, topology.url, seconds, failover)
            print(f"| {name} | {label} | {r['reads']} | {r['writes']} ({r['unconfirmed']}) | "
                  f"{r['stale_reads']} | {r['stale_entries']} | {r['hit_rate']:.0%} | "
                  f"{r['shared']} | {r['fenced']} | {r['errors']} |")


class Single:
    """A single redis-server with the topologies' interface."""

    def __init__(self) -> None:
        self.server = RedisServer()
        self.url = self.server.url

    def flush(self) -> None:
        with self.server.client() as client:
            client.flushall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, shorter runs")
    parser.add_argument("--stale-only", action="store_true", help="only the stale-read runs")
    args = parser.parse_args()
    single, cluster, sentinel = Single(), ClusterTopology(), SentinelTopology()
    team = Team(8)
    try:
        single.server.start()
        cluster.start()
        sentinel.start()
        print("# Scale-out figures (benchmarks/scale_out.py)")
        if not args.stale_only:
            single_flight(team, {"single": single.url, "cluster": cluster.url}, args.quick)
        topologies = {"single": single, "cluster": cluster, "sentinel": sentinel}
        stale_reads_table(team, topologies, 3.0 if args.quick else 6.0)
    finally:
        team.close()
        sentinel.close()
        cluster.close()
        single.server.close()


if __name__ == "__main__":
    main()
