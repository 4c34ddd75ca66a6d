"""A minimal loopback API for the benchmarks: every request answered with one fixed JSON body
after a fixed delay (uvicorn, in a process of its own)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


def serve_fixed(port: int, delay: float, body: bytes) -> None:
    """Serve ``body`` (JSON) on ``127.0.0.1:port`` for every request, after ``delay`` seconds,
    until the process is killed."""
    import uvicorn

    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]

    async def app(scope: dict[str, Any], receive: Callable[[], Awaitable[Any]],
                  send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                lifespan="off", backlog=4096)
