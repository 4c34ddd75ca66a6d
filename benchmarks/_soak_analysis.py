"""The chaos soak's verdicts, computed from the logs every process left behind.

* **Stale reads after a completed write**: a read that *started* after a write to the same record
  *completed successfully* (in any process) and returned a lower version than that write's.
  A write that raised is not a completed write, whatever the upstream did with it.
* **Stale entries at the end**: a cached ``service-<id>`` / ``user-<id>`` whose version is lower
  than the upstream's once everything has stopped, each explained by the client-side outcome of
  the writes it misses (joined on the trace id the upstream logged).
* Errors by type (the documented ``notify_async.errors`` types apart from anything else), leaked
  fds, ResourceWarnings, log records, loop errors, RSS.
"""

from __future__ import annotations

import bisect
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

DOCUMENTED = "notify_async.errors."


class Op(NamedTuple):
    kind: str
    key: str
    version: int | None
    t0: float
    t1: float
    outcome: str
    trace: str
    noted: int
    proc: str


def load_ops(paths: dict[str, str]) -> list[Op]:
    """Every operation of every client (``paths``: client name -> op log)."""
    ops = []
    for proc, path in paths.items():
        try:
            with open(path) as lines:
                for line in lines:
                    try:
                        ops.append(Op(*json.loads(line), proc))
                    except (ValueError, TypeError):
                        continue  # a line cut short by a killed process
        except OSError:
            continue
    return ops


def load_upstream(path: str) -> list[dict[str, Any]]:
    entries = []
    try:
        with open(path) as lines:
            for line in lines:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue
    except OSError:
        pass
    return entries


def _events_between(events: list[dict[str, Any]], start: float, end: float) -> list[str]:
    return [f"{e['kind']} at {e['t0'] - end:+.2f}s" for e in events
            if e["t0"] <= end and e["t1"] >= start]


def stale_reads(ops: list[Op], upstream: list[dict[str, Any]], events: list[dict[str, Any]],
                limit: int = 15) -> dict[str, Any]:
    """Reads that started after a completed write of their record and saw an older version."""
    writes: dict[str, list[Op]] = defaultdict(list)
    for op in ops:
        if op.kind == "W" and op.outcome == "ok" and op.version is not None:
            writes[op.key].append(op)
    index: dict[str, tuple[list[float], list[Op]]] = {}
    for key, done in writes.items():
        done.sort(key=lambda w: w.t1)
        best: list[Op] = []
        for w in done:
            best.append(w if not best or w.version > best[-1].version else best[-1])  # type: ignore[operator]
        index[key] = ([w.t1 for w in done], best)
    gets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    api_traces = set()
    for entry in upstream:
        if entry.get("m") == "GET":
            gets[entry["k"]].append(entry)
            api_traces.add(str(entry.get("tr")))
    for listed in gets.values():
        listed.sort(key=lambda g: g["t"])
    received = {key: [g["t"] for g in listed] for key, listed in gets.items()}
    reads = {op.trace: op for op in ops if op.kind == "R"}
    checked = 0
    found: list[dict[str, Any]] = []
    causes: Counter[str] = Counter()
    for op in ops:
        if op.kind != "R" or op.outcome != "ok" or op.key not in index:
            continue
        times, best = index[op.key]
        i = bisect.bisect_left(times, op.t0)
        if i == 0:
            continue
        checked += 1
        write = best[i - 1]
        if op.version is None or op.version >= write.version:  # type: ignore[operator]
            continue
        # The API answers of that version received in the 30 s before the read started; a
        # read of the same process still running when this one started may have led a
        # single-flight fetch this read joined.
        start = bisect.bisect_left(received.get(op.key, []), op.t0 - 30)
        end = bisect.bisect_right(received.get(op.key, []), op.t0)
        same = [g for g in gets[op.key][start:end] if g.get("v") == op.version]
        prefix = op.proc + "-"
        leaders = []
        for g in same:
            leader = reads.get(str(g.get("tr")))
            if str(g.get("tr")).startswith(prefix) and leader and leader.t1 >= op.t0:
                leaders.append((g, leader))
        served = ("api" if op.trace in api_traces else
                  "shared flight" if leaders else "cache")
        last = max((e for e in events if e["t0"] <= op.t0), key=lambda e: e["t0"], default=None)
        causes[served] += 1
        if causes[served] <= limit:  # the first ``limit`` of each source
            found.append({
                "read": {"client": op.proc, "trace": op.trace, "key": op.key,
                         "version_seen": op.version, "started": op.t0,
                         "took_ms": round((op.t1 - op.t0) * 1000, 1)},
                "write": {"client": write.proc, "trace": write.trace, "version": write.version,
                          "started": write.t0, "completed": write.t1,
                          "read_started_after_ms": round((op.t0 - write.t1) * 1000, 1)},
                "served_by": served,
                "leaders": [{"trace": g.get("tr"), "api_received": g["t"],
                             "api_answered": g.get("te"), "fault": g.get("f"),
                             "leader_started": leader.t0, "leader_returned": leader.t1,
                             "leader_outcome": leader.outcome}
                            for g, leader in leaders[:3]],
                "api_answers_of_that_version": [
                    {"trace": g.get("tr"), "received": g["t"], "answered": g.get("te"),
                     "fault": g.get("f"),
                     "client_outcome": reads[g["tr"]].outcome if g.get("tr") in reads else None,
                     "client_returned": reads[g["tr"]].t1 if g.get("tr") in reads else None}
                    for g in same[-3:]],
                "last_redis_or_storm_event": (
                    f"{last['kind']} {op.t0 - last['t0']:.2f}s before the read" if last else None),
                "events_from_write_start_to_read": _events_between(events, write.t0 - 5, op.t0),
            })
    return {"checked": checked, "stale": sum(causes.values()), "by_source": dict(causes),
            "details": found}


def stale_entries(cached: dict[str, int | None], versions: dict[str, int], ops: list[Op],
                  upstream: list[dict[str, Any]]) -> dict[str, Any]:
    """Cached entries older than the upstream, each with the writes it misses and their
    client-side outcomes."""
    by_trace = {op.trace: op for op in ops if op.kind == "W"}
    posts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in upstream:
        if entry.get("m") == "POST" and entry.get("ta") is not None:
            posts[entry["k"]].append(entry)
    found, verdicts = [], Counter()
    for key, version in sorted(cached.items()):
        current = versions.get(key)
        if version is not None and current is not None and version >= current:
            continue
        missed = []
        for entry in posts[key]:
            if version is not None and entry["v"] <= version:
                continue
            op = by_trace.get(str(entry.get("tr")))
            missed.append({
                "trace": entry.get("tr"), "version": entry["v"], "fault": entry.get("f"),
                "applied": entry["ta"],
                "client_outcome": op.outcome if op else "no client record",
                "client_finished": op.t1 if op else None,
                "applied_after_client_gave_up": bool(op and entry["ta"] > op.t1),
                "exception_had_note": bool(op and op.noted),
            })
        outcomes = {m["client_outcome"] for m in missed}
        if version is None:
            verdict = "not a readable entry"
        elif "ok" in outcomes:
            verdict = "contradicts a completed write"
        elif any(o.startswith(DOCUMENTED + "CacheInvalidationError:sent") for o in outcomes) or any(
                m["exception_had_note"] for m in missed):
            verdict = "documented: the write's invalidation failed"
        elif any(m["applied_after_client_gave_up"] for m in missed):
            verdict = "write applied after its client gave up"
        else:
            verdict = "missed writes ended: " + ", ".join(sorted(outcomes))
        verdicts[verdict] += 1
        found.append({"key": key, "cached_version": version, "upstream_version": current,
                      "verdict": verdict, "missed_writes": missed[-5:]})
    return {"entries_checked": len(cached), "stale": len(found), "by_verdict": dict(verdicts),
            "details": found}


def merge_clients(summaries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Ops and errors of every client, summed."""
    ops: dict[str, Counter[str]] = {"R": Counter(), "W": Counter()}
    chains: dict[str, Counter[str]] = defaultdict(Counter)
    samples: dict[str, str] = {}
    notes: Counter[str] = Counter()
    for summary in summaries:
        for kind, counts in summary.get("ops", {}).items():
            ops[kind].update(counts)
        for outcome, counts in summary.get("chains", {}).items():
            chains[outcome].update(counts)
        for outcome, text in summary.get("error_samples", {}).items():
            samples.setdefault(outcome, text)
        notes.update(summary.get("notes", {}))
    errors: Counter[str] = Counter()
    for counts in ops.values():
        for outcome, n in counts.items():
            if outcome not in ("ok", "cancelled", "cancel_swallowed"):
                errors[outcome.removeprefix("cancel_raised:")] += n
    undocumented = {o: n for o, n in errors.items() if not o.startswith(DOCUMENTED)}
    sites: Counter[str] = Counter()
    for summary in summaries:
        sites.update(summary.get("cancel_sites", {}))
    return {
        "ops": {k: dict(v) for k, v in ops.items()}, "errors": dict(errors.most_common()),
        "undocumented_errors": undocumented,
        "error_chains": {k: dict(v.most_common(8)) for k, v in chains.items()},
        "exceptions_with_notes": dict(notes), "error_samples": samples,
        "cancel_sites": dict(sites.most_common(15)),
    }


def latencies(ops: list[Op]) -> dict[str, dict[str, float]]:
    out = {}
    for kind in ("R", "W"):
        took = sorted(op.t1 - op.t0 for op in ops if op.kind == kind and op.outcome == "ok")
        if took:
            out[kind] = {"p50_ms": round(statistics.median(took) * 1000, 2),
                         "p99_ms": round(took[int(0.99 * (len(took) - 1))] * 1000, 2),
                         "max_ms": round(took[-1] * 1000, 2)}
    return out


def short(outcome: str) -> str:
    return outcome.removeprefix(DOCUMENTED)


def render(report: dict[str, Any]) -> str:
    """The human-readable summary printed at the end."""
    out = []
    cfg = report["config"]
    out.append(f"chaos soak: {cfg['seconds']:.0f} s, {len(report['clients'])} clients "
               f"({cfg['processes']} processes + 1 shared in the main process), "
               f"{cfg['records']} records, seed {cfg['seed']}")
    out.append(f"  library: {cfg.get('library')}")
    merged = report["merged"]
    for kind, label in (("R", "reads"), ("W", "writes")):
        counts = merged["ops"].get(kind, {})
        lat = report["latency"].get(kind, {})
        out.append(f"  {label}: {sum(counts.values())} total, {counts.get('ok', 0)} ok, "
                   f"{counts.get('cancelled', 0)} cancelled, "
                   f"{counts.get('cancel_swallowed', 0)} cancelled but returned normally, "
                   f"{sum(n for o, n in counts.items() if o.startswith('cancel_raised:'))} "
                   "cancelled but raised another exception; ok latency p50 "
                   f"{lat.get('p50_ms', 0)} ms, p99 {lat.get('p99_ms', 0)} ms, "
                   f"max {lat.get('max_ms', 0)} ms")
    events = Counter(e["kind"] for e in report["chaos_events"])
    out.append("  chaos: " + ", ".join(f"{k} x{n}" for k, n in sorted(events.items())))
    up = report["upstream_counts"]
    faults = Counter()
    for name, n in up.items():
        faults[name.split(" ", 1)[1]] += n
    out.append("  upstream requests by fault: " + ", ".join(
        f"{k} {n}" for k, n in faults.most_common()))
    out.append("errors by type (R+W):")
    for outcome, n in merged["errors"].items():
        flag = "" if outcome.startswith(DOCUMENTED) else "   <-- not a documented SDK error"
        out.append(f"  {n:7d}  {short(outcome)}{flag}")
        for chain, m in list(merged["error_chains"].get(outcome, {}).items())[:3]:
            out.append(f"           {m:6d}  {chain}")
    sr = report["stale_reads"]
    out.append(f"stale reads after a completed write: {sr['stale']} "
               f"(of {sr['checked']} reads that followed a completed write of their record)"
               + (f"; served by {sr['by_source']}" if sr["stale"] else ""))
    se = report["stale_entries"]
    out.append(f"stale entries left in Redis: {se['stale']} of {se['entries_checked']} cached"
               + (f"; {se['by_verdict']}" if se["stale"] else ""))
    for item in se["details"][:10]:
        out.append(f"  {item['key']}: cached v{item['cached_version']}, upstream "
                   f"v{item['upstream_version']} - {item['verdict']}")
    if merged["cancel_sites"]:
        out.append("where cancellations were swallowed or turned into another exception:")
        for site, n in merged["cancel_sites"].items():
            out.append(f"  {n:6d}  {site}")
    out.append("clients (fds/sockets new after close in the loop [after the loop ended], "
               "ResourceWarnings, RSS warm->end MB):")
    for c in report["clients"]:
        fds = c.get("fds_in_loop", {})
        after = c.get("fds", {})
        rss = c.get("rss_kb", {})
        out.append(
            f"  {c['name']:6s} new fds {fds.get('new_fds', '?')} [{after.get('new_fds', '-')}], "
            f"new sockets {fds.get('new_sockets', '?')} [{after.get('new_sockets', '-')}], "
            "ResourceWarning "
            f"{c.get('warnings', {}).get('ResourceWarning', 0)}, other warnings "
            f"{sum(v for k, v in c.get('warnings', {}).items() if k != 'ResourceWarning')}, "
            f"loop errors {sum(c.get('loop_errors', {}).values())}, hung ops "
            f"{len(c.get('hung_ops', []))}, RSS {rss.get('warm', 0) / 1024:.1f}->"
            f"{rss.get('end', 0) / 1024:.1f} (max {rss.get('max', 0) / 1024:.1f}), "
            f"peak sockets {c.get('sockets_peak', '?')}"
            + (f", EXIT {c['exit']}" if c.get("exit") not in (None, 0) else ""))
    for finding in report["findings"]:
        out.append(f"FINDING: {finding}")
    return "\n".join(out)
