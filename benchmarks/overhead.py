"""The SDK's own cost per request, without a network (prints figures; not a test).

``get_service`` through the SDK's own client and through a caller's ``httpx.AsyncClient``,
against raw ``httpx`` (``client.get`` + ``response.json()``), all on an ``httpx.MockTransport``
answering the 3 KB service JSON of ``perf.py``: what is left is the client-side work. Alternates
the three, best of ``--rounds``; ``--profile`` prints a cProfile of the SDK's own client.

    python benchmarks/overhead.py [--requests 5000] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from _perf_clients import headers
from _perf_upstream import CLIENT_ID, SECRET, service_json

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async import _session as session_module

BODY = service_json()
IDS = [str(uuid.uuid4()) for _ in range(1000)]
URL = "http://api.test"


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "application/json"}, content=BODY)


async def raw(count: int) -> float:
    async with httpx.AsyncClient(
        base_url=URL, transport=httpx.MockTransport(answer), headers=headers()
    ) as client:
        began = time.perf_counter()
        for i in range(count):
            response = await client.get(f"/service/{IDS[i % 1000]}")
            response.raise_for_status()
            response.json()
        return time.perf_counter() - began


async def sdk_callers_client(count: int) -> float:
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        notify = NotifyAdminClient(
            URL, CLIENT_ID, SECRET, cache=False, retry=RetryPolicy.disabled(), http_client=http
        )
        began = time.perf_counter()
        for i in range(count):
            await notify.services.get_service(IDS[i % 1000])
        return time.perf_counter() - began


async def sdk_own_client(count: int) -> float:
    own = session_module.HttpSession._make_transport
    session_module.HttpSession._make_transport = lambda self: httpx.MockTransport(answer)
    try:
        notify = NotifyAdminClient(URL, CLIENT_ID, SECRET, cache=False,
                                   retry=RetryPolicy.disabled())
        async with notify:
            began = time.perf_counter()
            for i in range(count):
                await notify.services.get_service(IDS[i % 1000])
            return time.perf_counter() - began
    finally:
        session_module.HttpSession._make_transport = own  # type: ignore[method-assign]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    runs: dict[str, Callable[[int], Awaitable[float]]] = {
        "raw httpx (client.get + json)": raw,
        "notify_async, its own client": sdk_own_client,
        "notify_async, a caller's http_client": sdk_callers_client,
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.rounds):
        for name, run in runs.items():
            best[name] = min(best[name], await run(args.requests) / args.requests)
    print(f"best of {args.rounds} x {args.requests} sequential requests, µs per request:")
    for name, seconds in best.items():
        print(f"  {name:40} {seconds * 1e6:7.1f}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        await sdk_own_client(args.requests)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    asyncio.run(main())
