"""What OpenTelemetry costs per request: the SDK's own work for one cached-miss GET answered
in-process (no network), with OpenTelemetry absent, importable but unconfigured (no-op tracer),
and configured with the SDK and a no-op exporter. Each case runs in its own process; the cases
take turns for several rounds and the medians are printed. Never part of the tests.

    .venv/bin/python benchmarks/telemetry_cost.py [--requests 4000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CASE = r"""
import asyncio, json, sys, time
mode, count = sys.argv[1], int(sys.argv[2])
if mode == "absent":
    sys.modules["opentelemetry"] = None  # import fails as if not installed
elif mode == "sdk":
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
    class Drop(SpanExporter):
        def export(self, spans): return SpanExportResult.SUCCESS
    provider = TracerProvider(); provider.add_span_processor(SimpleSpanProcessor(Drop()))
    trace.set_tracer_provider(provider)
import httpx
from notify_async import NotifyAdminClient, RetryPolicy
body = json.dumps({"data": {"id": "x" * 36, "name": "n" * 2000}}).encode()
def handler(request):
    return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
async def main():
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    notify = NotifyAdminClient("https://api.test", "id", "s" * 32, cache=False, http_client=http,
                               retry=RetryPolicy.disabled())
    for i in range(200):
        await notify.services.get_service(f"{i:08d}-0000-4000-8000-000000000000")
    began = time.process_time()
    for i in range(count):
        await notify.services.get_service(f"{i:08d}-0000-4000-8000-000000000000")
    print(json.dumps((time.process_time() - began) / count * 1e6))
asyncio.run(main())
"""

MODES = ("absent", "noop", "sdk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(args.rounds):
        for mode in MODES:  # interleaved: the machine's load hits every case alike
            done = subprocess.run(
                [sys.executable, "-c", CASE, mode, str(args.requests)],
                capture_output=True, text=True, check=True,
            )
            results[mode].append(float(json.loads(done.stdout)))
    base = statistics.median(results["absent"])
    print(f"client CPU per request, median of {args.rounds} interleaved rounds:")
    for mode in MODES:
        value = statistics.median(results[mode])
        print(f"  {mode:7s} {value:8.1f} us  ({value / base:.2f}x absent)")


if __name__ == "__main__":
    main()
