"""The chaos soak's upstream: a stateful loopback imitation of the few Notify admin API routes
the soak uses, with fault injection. It runs in its own OS process (raw asyncio HTTP/1.1 with
keep-alive, so a fault can close a socket at any point of a request).

Routes (the real API's shapes; JWTs are not checked)::

    GET  /service/{id}   -> 200 {"data": {"id", "name", ..., "version": n}}
    POST /service/{id}   -> 200 {"data": {...}}   (fields applied, version + 1; needs created_by)
    GET  /user/{id}      -> 200 {"data": {...}}   (the soak adds "version" to users)
    POST /user/{id}      -> 200 {"data": {...}}

Control (never faulted): ``GET /_soak/state`` (current versions; flushes the log) and
``POST /_soak/faults`` (``p_fault``, ``p_slow``, ``slow_max``, ``weights``, ``force``: a list
of fault names used, in order, by the next data requests).

Faults, picked per data request with probability ``p_fault`` by weight:

* ``http_500`` / ``http_502`` / ``http_503``: an error status, the write not applied;
* ``error_after_apply``: the write is applied, then 503;
* ``reset_before`` / ``reset_after``: the socket is closed (half the time with an RST) without
  an answer, before or after the write is applied;
* ``stall``: the answer is sent after ``stall`` seconds (longer than the client's timeout);
  a write is applied first;
* ``trickle``: the state is read (a write applied), then the answer is sent in small chunks,
  each gap shorter than the client's read timeout, so an old answer arrives late.

Independently, ``p_slow`` of requests wait up to ``slow_max`` seconds between reading the state
and answering. A write is applied, if at all, as soon as its request has been read: never late,
after a stall, when its client may already have given up.

Every data request is logged as one JSON line: ``t`` received, ``te`` finished, ``m`` method,
``k`` record key (``service-<id>``), ``tr`` the ``X-B3-TraceId``, ``f`` fault, ``v`` version
served or produced, ``ta`` when a write was applied. All times are ``time.monotonic()``, which
on Linux is one clock for every process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import socket
import struct
import time
from collections import Counter
from typing import Any

ROUTE = re.compile(r"^/(service|user)/([0-9a-f-]{36})$")
FAULT_WEIGHTS = {
    "http_500": 1.0, "http_502": 1.0, "http_503": 1.0, "error_after_apply": 1.0,
    "reset_before": 1.0, "reset_after": 1.0, "stall": 0.5, "trickle": 1.0,
}
REASONS = {200: "OK", 400: "BAD REQUEST", 404: "NOT FOUND", 500: "INTERNAL SERVER ERROR",
           502: "BAD GATEWAY", 503: "SERVICE UNAVAILABLE"}


def service_json(service_id: str, n: int) -> dict[str, Any]:
    """A service as ``GET /service/{id}`` answers it (the fields the admin app reads)."""
    return {
        "id": service_id, "name": f"Soak service {n}", "active": True, "restricted": True,
        "email_from": f"soak.service.{n}", "organisation_type": "central", "organisation": None,
        "go_live_at": None, "go_live_user": None, "count_as_live": True, "prefix_sms": True,
        "research_mode": False, "rate_limit": 3000, "email_message_limit": 1000,
        "sms_message_limit": 1000, "letter_message_limit": 1000,
        "international_sms_message_limit": 100, "permissions": ["email", "sms", "letter"],
        "notes": None, "billing_contact_names": None, "email_branding": None,
        "letter_branding": None, "created_by": None, "version": 1,
    }


def user_json(user_id: str, n: int) -> dict[str, Any]:
    """A user as ``GET /user/{id}`` answers it, plus a ``version`` the soak needs."""
    return {
        "id": user_id, "name": f"Soak user {n}", "email_address": f"soak.user.{n}@example.gov.uk",
        "mobile_number": None, "auth_type": "email_auth", "state": "active",
        "platform_admin": False, "permissions": {}, "organisation_permissions": {},
        "services": [], "organisations": [], "logged_in_at": None, "failed_login_count": 0,
        "current_session_id": None, "take_part_in_research": True, "version": 1,
    }


class Upstream:
    """State, fault choice and the request loop of one connection."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        for n, sid in enumerate(filter(None, args.services.split(","))):
            self.records[f"service-{sid}"] = service_json(sid, n)
        for n, uid in enumerate(filter(None, args.users.split(","))):
            self.records[f"user-{uid}"] = user_json(uid, n)
        self.rng = random.Random(args.seed)
        self.timeout = args.client_timeout
        self.p_fault = 0.0
        self.p_slow = 0.0
        self.slow_max = 0.05
        self.weights = dict(FAULT_WEIGHTS)
        self.forced: list[str] = []
        self.counts: Counter[str] = Counter()
        self.log = open(args.log, "w", buffering=1 << 16)  # noqa: SIM115 - closed in main

    def pick_fault(self) -> str | None:
        if self.forced:
            return self.forced.pop(0)
        if self.p_fault > 0 and self.rng.random() < self.p_fault:
            names = list(self.weights)
            return self.rng.choices(names, [self.weights[n] for n in names])[0]
        return None

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        keep = True
        try:
            while keep:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                keep = await self.dispatch(method, target.split("?", 1)[0], headers, body, writer)
                keep = keep and headers.get("connection", "").lower() != "close"
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                ValueError):
            pass
        finally:
            if not writer.transport.is_closing():
                writer.close()

    @staticmethod
    def frame(status: int, payload: bytes) -> bytes:
        return (
            f"HTTP/1.1 {status} {REASONS.get(status, 'ERROR')}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n"
        ).encode() + payload

    def reset(self, writer: asyncio.StreamWriter) -> None:
        """Close without answering; half the time with an RST (SO_LINGER 0)."""
        sock = writer.get_extra_info("socket")
        if sock is not None and self.rng.random() < 0.5:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async def dispatch(self, method: str, path: str, headers: dict[str, str], body: bytes,
                       writer: asyncio.StreamWriter) -> bool:
        if path.startswith("/_soak/"):
            return await self.control(method, path, body, writer)
        match = ROUTE.match(path)
        record = self.records.get(f"{match[1]}-{match[2]}") if match else None
        if match is None or record is None or method not in ("GET", "POST"):
            writer.write(self.frame(404, b'{"result":"error","message":"No result found"}'))
            await writer.drain()
            return True
        key = f"{match[1]}-{match[2]}"
        fault = self.pick_fault()
        entry: dict[str, Any] = {"t": time.monotonic(), "m": method, "k": key,
                                 "tr": headers.get("x-b3-traceid"), "f": fault}
        self.counts[f"{method} {fault or 'ok'}"] += 1
        try:
            return await self.answer(method, key, record, body, fault, entry, writer)
        finally:
            entry["te"] = time.monotonic()
            self.log.write(json.dumps(entry, separators=(",", ":")) + "\n")

    async def answer(self, method: str, key: str, record: dict[str, Any], body: bytes,
                     fault: str | None, entry: dict[str, Any],
                     writer: asyncio.StreamWriter) -> bool:
        if fault in ("http_500", "http_502", "http_503"):
            status = int(fault[-3:])
            writer.write(self.frame(status, b'{"result":"error","message":"soak fault"}'))
            await writer.drain()
            return True
        if fault == "reset_before":
            self.reset(writer)
            return False
        if method == "POST":
            try:
                changes = json.loads(body or b"{}")
            except ValueError:
                changes = None
            if not isinstance(changes, dict) or (
                key.startswith("service-") and not changes.get("created_by")
            ):
                writer.write(self.frame(400, b'{"result":"error","message":"bad body"}'))
                await writer.drain()
                return True
            for name, value in changes.items():
                if name in record and name not in ("id", "version"):
                    record[name] = value
            record["version"] += 1
            entry["ta"] = time.monotonic()
        entry["v"] = record["version"]
        payload = json.dumps({"data": record}, separators=(",", ":")).encode()
        if fault == "error_after_apply":
            writer.write(self.frame(503, b'{"result":"error","message":"soak fault"}'))
            await writer.drain()
            return True
        if fault == "reset_after":
            self.reset(writer)
            return False
        if self.p_slow and self.rng.random() < self.p_slow:
            await asyncio.sleep(self.rng.uniform(0, self.slow_max))
        if fault == "stall":
            await asyncio.sleep(self.timeout * self.rng.uniform(1.3, 2.5))
        frame = self.frame(200, payload)
        if fault != "trickle":
            writer.write(frame)
            await writer.drain()
            return True
        pieces = self.rng.randint(5, 12)
        size = -(-len(frame) // pieces)
        for start in range(0, len(frame), size):
            writer.write(frame[start:start + size])
            await writer.drain()
            await asyncio.sleep(self.timeout * self.rng.uniform(0.05, 0.4))
        return True

    async def control(self, method: str, path: str, body: bytes,
                      writer: asyncio.StreamWriter) -> bool:
        if path == "/_soak/faults" and method == "POST":
            settings = json.loads(body or b"{}")
            self.p_fault = float(settings.get("p_fault", self.p_fault))
            self.p_slow = float(settings.get("p_slow", self.p_slow))
            self.slow_max = float(settings.get("slow_max", self.slow_max))
            self.weights.update(settings.get("weights", {}))
            self.forced.extend(settings.get("force", []))
            answer: dict[str, Any] = {"ok": True}
        else:
            self.log.flush()
            answer = {"versions": {k: r["version"] for k, r in self.records.items()},
                      "counts": dict(self.counts)}
        writer.write(self.frame(200, json.dumps(answer).encode()))
        await writer.drain()
        return True


async def serve(args: argparse.Namespace) -> None:
    upstream = Upstream(args)
    server = await asyncio.start_server(upstream.connection, "127.0.0.1", args.port,
                                        backlog=1024, limit=1 << 20)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def flusher() -> None:
        while True:
            await asyncio.sleep(1)
            upstream.log.flush()

    flushing = asyncio.create_task(flusher())
    try:
        await stop.wait()
    finally:
        flushing.cancel()
        server.close()
        upstream.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--services", default="")
    parser.add_argument("--users", default="")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--client-timeout", type=float, default=1.5)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
