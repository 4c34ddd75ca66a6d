"""Tables, target checks and the chart of ``benchmarks/perf.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEFAULT = "notify_async default"
SAME_TRANSPORT = {
    DEFAULT: "raw httpx + notify_async's aiohttp transport",
    "notify_async transport=httpcore": "raw httpx, sharded pools",
}
#: "no slower than today" at c=1, within this much of the run-to-run noise.
NOISE = 0.05

Rows = list[dict[str, Any]]


def _index(rows: Rows) -> dict[tuple[str, float, int], dict[str, Any]]:
    return {(r["client"], r["latency_ms"], r["concurrency"]): r for r in rows}


def table(rows: Rows) -> str:
    """One Markdown table per latency: requests/s and client CPU µs per request."""
    cell = _index(rows)
    out = []
    for latency in sorted({r["latency_ms"] for r in rows}):
        levels = sorted({r["concurrency"] for r in rows if r["latency_ms"] == latency
                         and not r["client"].startswith("sync")})
        names = list(dict.fromkeys(r["client"] for r in rows if r["latency_ms"] == latency))
        out.append(f"Server latency {latency:g} ms: requests/s (client CPU µs per request)\n")
        out.append("| client | " + " | ".join(f"c={c}" for c in levels) + " |")
        out.append("|---|" + "---:|" * len(levels))
        for name in names:
            if name.startswith("sync"):
                threads = next(r["concurrency"] for r in rows if r["client"] == name)
                values = [
                    _fmt(cell[(name, latency, threads)]) if c == threads else ""
                    for c in levels
                ]
                if threads not in levels:
                    values.append(f"c={threads}: {_fmt(cell[(name, latency, threads)])}")
            else:
                values = [_fmt(cell[(name, latency, c)]) if (name, latency, c) in cell else ""
                          for c in levels]
            out.append(f"| {name} | " + " | ".join(values) + " |")
        out.append("")
    return "\n".join(out)


def _fmt(row: dict[str, Any]) -> str:
    return f"{row['ops']:,.0f} ({row['cpu_us']:,.0f})"


def targets(rows: Rows) -> str:
    """The issue's targets, each with its ratio and PASS / MISS."""
    cell = _index(rows)
    lines = ["Targets:"]

    def check(label: str, ratio: float, ok: bool) -> None:
        lines.append(f"  {'PASS' if ok else 'MISS'}  {label}: {ratio:.2f}")

    syncs = [r for r in rows if r["client"].startswith("sync") and r["latency_ms"] == 20]
    mine = cell.get((DEFAULT, 20.0, 200))
    if syncs and mine:
        best = max(syncs, key=lambda r: r["ops"])
        check(f"20 ms, c=200: default ops/s vs the sync client's best ({best['client']}), >= 2",
              mine["ops"] / best["ops"], mine["ops"] >= 2 * best["ops"])
        check("20 ms, c=200: default CPU/request vs the sync client's, <= 0.5",
              mine["cpu_us"] / best["cpu_us"], mine["cpu_us"] <= 0.5 * best["cpu_us"])
    for sdk, raw in SAME_TRANSPORT.items():
        for (name, latency, concurrency), row in sorted(cell.items()):
            other = cell.get((raw, latency, concurrency))
            if name != sdk or other is None:
                continue
            where = f"{latency:g} ms, c={concurrency}: {sdk} vs {raw}"
            ops, cpu = row["ops"] / other["ops"], row["cpu_us"] / other["cpu_us"]
            check(f"{where}, ops/s >= 0.85", ops, ops >= 0.85)
            check(f"{where}, CPU <= 1.15", cpu, cpu <= 1.15)
    for latency in sorted({r["latency_ms"] for r in rows}):
        now, today = cell.get((DEFAULT, latency, 1)), cell.get(
            ("notify_async transport=httpcore", latency, 1))
        if now and today:
            ratio = now["ops"] / today["ops"]
            check(f"{latency:g} ms, c=1: default vs the httpcore transport (today's), "
                  f">= {1 - NOISE:.2f}", ratio, ratio >= 1 - NOISE)
    return "\n".join(lines)


def chart(rows: Rows, path: Path, machine: str) -> None:
    """Throughput against concurrency, one line per client, one panel per latency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latencies = sorted({r["latency_ms"] for r in rows})
    fig, axes = plt.subplots(2, len(latencies), figsize=(7 * len(latencies), 10), squeeze=False)
    names = list(dict.fromkeys(r["client"] for r in rows))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for column, latency in enumerate(latencies):
        for index, name in enumerate(names):
            points = sorted((r["concurrency"], r["ops"], r["cpu_us"]) for r in rows
                            if r["client"] == name and r["latency_ms"] == latency)
            if not points:
                continue
            xs, ops, cpu = zip(*points, strict=True)
            style: dict[str, Any] = {"color": colours[index % len(colours)], "label": name}
            if name.startswith("sync"):
                style.update(marker="s", markersize=9, linestyle="none")
            else:
                style.update(marker="o", linewidth=3 if name == DEFAULT else 1.2)
            axes[0][column].plot(xs, ops, **style)
            axes[1][column].plot(xs, cpu, **style)
        for row, label in ((0, "requests/s"), (1, "client CPU µs per request (log)")):
            ax = axes[row][column]
            ax.set_xscale("log")
            ax.set_xticks([1, 10, 50, 200, 500], labels=["1", "10", "50", "200", "500"])
            ax.set_xlabel("concurrency (requests in flight; threads for the sync client)")
            ax.set_ylabel(label)
            ax.set_title(f"server latency {latency:g} ms: {label.split(' (')[0]}")
            ax.grid(True, alpha=0.3)
        axes[1][column].set_yscale("log")
    axes[0][0].legend(fontsize=8, loc="upper left")
    fig.suptitle(f"GET /service/<id>, ~3 KB JSON, JWT checked; {machine}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
