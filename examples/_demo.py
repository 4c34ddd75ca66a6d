"""Shared set-up of the examples: which API to talk to, and a demo user, service and template.

By default the examples run against the embedded fake Notify API (no server, no Redis; an
in-memory cache). Set ``NOTIFY_API_URL``, ``NOTIFY_ADMIN_CLIENT_ID`` and
``NOTIFY_ADMIN_CLIENT_SECRET`` to run them against a real Notify API instead
(``NotifyAdminClient.from_env()``), plus ``REDIS_URL`` to cache in Redis (needs the ``redis``
extra).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from notify_async import NotifyAdminClient, request_context

if TYPE_CHECKING:
    from notify_async.testing import FakeNotifyAPI


def make_client(**options: Any) -> tuple[NotifyAdminClient, FakeNotifyAPI | None]:
    """A client of the real API when ``NOTIFY_API_URL`` is set, else of a new embedded fake
    (returned too, so an example can look at what it received)."""
    if os.environ.get("NOTIFY_API_URL"):
        return NotifyAdminClient.from_env(**options), None  # a RedisCache too if REDIS_URL is set
    from notify_async.testing import FakeNotifyAPI

    fake = FakeNotifyAPI()
    return fake.client(**options), fake


def target(notify: NotifyAdminClient, fake: FakeNotifyAPI | None) -> str:
    """What the example talks to, for its first line of output."""
    return "the embedded fake Notify API" if fake else f"the Notify API at {notify.config.base_url}"


@dataclass(frozen=True)
class Demo:
    """What :func:`create_demo_service` made."""

    user_id: str
    email_address: str
    service_id: str
    service_name: str
    template_id: str


async def create_demo_service(
    notify: NotifyAdminClient,
    name: str,
    *,
    restricted: bool = True,
    report: Callable[[str], None] = lambda _: None,
) -> Demo:
    """Register a user, create a service they belong to and an e-mail template in it.

    ``restricted=True`` keeps the service in trial mode (it can only send to its team);
    ``report`` is called with one line per step. Raises the SDK's errors unchanged.
    """
    suffix = secrets.token_hex(3)
    email_address = f"{name.lower().replace(' ', '.')}.{suffix}@example.gov.uk"
    user = await notify.users.register_user(
        f"{name} User", email_address, "+447700900123", f"demo-passphrase-{secrets.token_hex(8)}",
        "email_auth",
    )
    report(f"registered user {user['id']} ({user['name']})")
    with request_context(user_id=user["id"]):
        service_name = f"{name} service {suffix}"
        service_id = await notify.services.create_service(
            service_name, "central", 1000, 100, 1000, 1000, restricted, user["id"]
        )
        report(f"created service {service_id} ({service_name!r})")
        template = await notify.services.create_service_template(
            name="Welcome", type_="email", content="Hello ((name)), welcome aboard.",
            service_id=service_id, subject="Welcome",
        )
        report(f"created e-mail template {template['data']['id']} ('Welcome')")
    return Demo(user["id"], email_address, service_id, service_name, template["data"]["id"])
