"""The chaos soak's processes and chaos: a ``redis-server`` it starts, kills, stops and
flushes, the upstream process and its fault settings, and the two schedulers.

Every chaos event is recorded as ``{"kind", "t0", "t1"}`` in ``time.monotonic()`` time, the
clock of the op logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import httpx

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def resp(port: int, *args: str, limit: float = 2.0) -> bytes:
    """Send one command to Redis on a fresh connection (closed again) and return the first
    reply line. Keeps the chaos controller's own sockets out of the main process's fd count."""

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            command = f"*{len(args)}\r\n" + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)
            writer.write(command.encode())
            await writer.drain()
            return await reader.readline()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    return await asyncio.wait_for(exchange(), limit)


class RedisServer:
    """A ``redis-server`` on a free loopback port, no persistence; restarts on the same port."""

    def __init__(self, workdir: str) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.stopped = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def spawn(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.workdir, "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    async def ready(self, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                if (await resp(self.port, "PING", limit=0.5)).startswith(b"+PONG"):
                    return
            except (TimeoutError, OSError):
                pass
            await asyncio.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    async def start(self) -> None:
        self.spawn()
        await self.ready()

    def kill9(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.stopped = False

    def sigstop(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.stopped = True

    def sigcont(self) -> None:
        if self.process is not None and self.stopped:
            os.kill(self.process.pid, signal.SIGCONT)
        self.stopped = False

    async def ensure_running(self) -> None:
        """Undo any chaos in progress: resume a stopped server, start a killed one."""
        self.sigcont()
        if self.process is None or self.process.poll() is not None:
            await self.start()

    def stop(self) -> None:
        self.sigcont()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class UpstreamServer:
    """The upstream process (``_soak_upstream.py``) and its control endpoints."""

    def __init__(self, workdir: str, services: list[str], users: list[str], seed: int,
                 client_timeout: float) -> None:
        self.port = free_port()
        self.log_path = os.path.join(workdir, "upstream.jsonl")
        self.stderr_path = os.path.join(workdir, "upstream.stderr")
        self.args = [sys.executable, os.path.join(HERE, "_soak_upstream.py"),
                     "--port", str(self.port), "--log", self.log_path,
                     "--services", ",".join(services), "--users", ",".join(users),
                     "--seed", str(seed), "--client-timeout", str(client_timeout)]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        with open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=stderr)

    async def start(self) -> None:
        self.spawn()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                await self.control("GET", "/_soak/state")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.05)
        raise RuntimeError("the soak upstream did not start")

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        """One control call on a connection of its own (closed again)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            response = await client.request(method, path, json=body)
            response.raise_for_status()
            return response.json()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def redis_event(redis: RedisServer, kind: str, rng: random.Random) -> str:
    """Apply one Redis chaos event; returns a detail string."""
    if kind == "kill9_restart":
        redis.kill9()
        down = rng.uniform(0.1, 2.0)
        await asyncio.sleep(down)
        await redis.start()
        return f"down {down:.2f}s"
    if kind == "sigstop":
        redis.sigstop()
        paused = rng.uniform(0.5, 4.0)
        try:
            await asyncio.sleep(paused)
        finally:
            redis.sigcont()
        return f"paused {paused:.2f}s"
    reply = await resp(redis.port, "FLUSHALL")
    return reply.decode().strip()


async def redis_chaos(redis: RedisServer, rng: random.Random, deadline: float,
                      events: list[dict[str, Any]], gap: tuple[float, float]) -> None:
    """kill -9 + restart, SIGSTOP/SIGCONT and FLUSHALL at random intervals until ``deadline``;
    Redis is left running."""
    try:
        while True:
            wait = rng.uniform(*gap)
            if time.monotonic() + wait > deadline - 1:
                await asyncio.sleep(max(0.0, deadline - time.monotonic()))
                return
            await asyncio.sleep(wait)
            kind = rng.choice(["kill9_restart", "sigstop", "flushall"])
            t0 = time.monotonic()
            try:
                detail = await redis_event(redis, kind, rng)
            except (TimeoutError, OSError, RuntimeError) as exc:
                detail = f"failed: {exc!r}"
            events.append({"kind": kind, "t0": t0, "t1": time.monotonic(), "detail": detail})
    finally:
        await redis.ensure_running()


async def fault_storms(upstream: UpstreamServer, rng: random.Random, deadline: float,
                       events: list[dict[str, Any]], gap: tuple[float, float],
                       base: dict[str, float], storm: float) -> None:
    """Raise the upstream's fault probability to ``storm`` for 1-3 s at random intervals;
    faults are switched off at ``deadline``."""
    try:
        while True:
            wait = rng.uniform(*gap)
            if time.monotonic() + wait + 3 > deadline:
                await asyncio.sleep(max(0.0, deadline - time.monotonic()))
                return
            await asyncio.sleep(wait)
            t0 = time.monotonic()
            await upstream.control("POST", "/_soak/faults", {"p_fault": storm})
            await asyncio.sleep(rng.uniform(1.0, 3.0))
            await upstream.control("POST", "/_soak/faults", {"p_fault": base["p_fault"]})
            events.append({"kind": "fault_storm", "t0": t0, "t1": time.monotonic(),
                           "detail": f"p_fault {storm}"})
    finally:
        await upstream.control("POST", "/_soak/faults", {"p_fault": 0, "p_slow": 0})
