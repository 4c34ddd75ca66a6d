"""The loopback API that ``benchmarks/perf.py`` measures against, run in a process of its own.

A small HTTP/1.1 keep-alive server on asyncio (no framework, so it is not the bottleneck). Every
request's admin JWT is checked as the real API checks it (PyJWT, HS256, the ``iss`` must be the
known client, ``iat`` within 30 s of now); ``GET /service/<id>`` answers a realistic service of
about 3 KB carrying the requested id, after ``delay`` seconds. Anything else is a 404; a bad
token a 403.

    python benchmarks/_perf_upstream.py PORT DELAY_MS     # prints "ready" once listening
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import jwt

CLIENT_ID = "notify-admin"
SECRET = "benchmark-secret-long-enough-for-hs256-signing-0123456789"
#: Stands for the requested id in the answer template.
MARK = "00000000-0000-4000-8000-0000000000ff"


def service_json() -> bytes:
    """The real API's ``get_service`` answer (its keys from spec/samples/real/services.json),
    filled in as a live service has it: about 3 KB."""
    service: dict[str, Any] = {
        "active": True,
        "billing_contact_email_addresses": "finance.team@example.gov.uk, billing@example.gov.uk",
        "billing_contact_names": "Finance Team, Accounts Payable",
        "billing_reference": "PO-2024-000123",
        "confirmed_email_sender_name": True,
        "confirmed_unique": True,
        "consent_to_research": True,
        "contact_link": "https://www.example.gov.uk/contact-us/notifications-support",
        "count_as_live": True,
        "created_by": "6ce466d0-fd6a-11e5-82f5-e0accb9d11a6",
        "custom_email_sender_name": "Department for Example Services notifications",
        "email_branding": "a5f3c1e2-7b9d-4c8e-9f0a-1b2c3d4e5f60",
        "email_message_limit": 250000,
        "email_sender_local_part": "department.for.example.services.notifications",
        "go_live_at": "2021-03-15T10:24:31.000000Z",
        "go_live_user": "0d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6",
        "has_active_go_live_request": False,
        "id": MARK,
        "international_sms_message_limit": 100,
        "letter_branding": "b6e4d2f3-8c0e-4d9f-a01b-2c3d4e5f6a71",
        "letter_message_limit": 20000,
        "name": "Department for Example Services: renewals and reminders",
        "notes": (
            "Sends renewal reminders, appointment confirmations and payment receipts for the "
            "department's online services. Volumes peak in March and September. Contact the "
            "service team via the shared mailbox before changing limits or sender names. "
        ) * 6,
        "organisation": "c7f5e3a4-9d1f-4ea0-b12c-3d4e5f6a7b82",
        "organisation_type": "central",
        "permissions": [
            "sms", "email", "letter", "international_sms", "international_letters",
            "inbound_sms", "upload_letters", "edit_folder_permissions", "email_auth",
        ],
        "prefix_sms": True,
        "purchase_order_number": "PO-2024-000123-NOTIFY",
        "rate_limit": 3000,
        "restricted": False,
        "service_callback_api": [
            "d8a6f4b5-ae20-4fb1-8c23-4e5f6a7b8c93", "e9b7a5c6-bf31-40c2-9d34-5f6a7b8c9da4",
        ],
        "sms_message_limit": 250000,
        "volume_email": 1200000,
        "volume_letter": 40000,
        "volume_sms": 800000,
    }
    return json.dumps({"data": service}, separators=(", ", ": ")).encode()


class Api(asyncio.Protocol):
    """One client connection: parses requests, answers each after the delay, in order."""

    body_head, _, body_tail = service_json().partition(MARK.encode())
    delay = 0.0

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            answer = self.answer(head[0], headers)
            if self.delay:
                self.loop.call_later(self.delay, self.send, answer)
            else:
                self.send(answer)

    def send(self, answer: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(answer)

    def answer(self, request_line: str, headers: dict[str, str]) -> bytes:
        method, target, _ = request_line.split(" ", 2)
        if not authorised(headers.get("authorization", "")):
            return response(b"403 Forbidden", b'{"result": "error", "message": "invalid token"}')
        path = target.split("?", 1)[0]
        if method == "GET" and path.startswith("/service/") and path.count("/") == 2:
            return response(b"200 OK", self.body_head + path[9:].encode() + self.body_tail)
        return response(b"404 Not Found", b'{"result": "error", "message": "not found"}')

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def authorised(header: str) -> bool:
    """The real API's check: a bearer HS256 JWT from the known issuer, ``iat`` within 30 s."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    try:
        claims = jwt.decode(
            token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]}
        )
    except jwt.PyJWTError:
        return False
    return claims["iss"] == CLIENT_ID and abs(time.time() - claims["iat"]) <= 30


def response(status: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode() + b"\r\n\r\n" + body
    )


async def serve(port: int, delay: float) -> None:
    Api.delay = delay
    server = await asyncio.get_running_loop().create_server(
        Api, "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), float(sys.argv[2]) / 1000))
