"""Helpers shared by the tests that drive the SDK against the fake Notify API."""

from __future__ import annotations

from typing import Any

import attrs

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async.cache import MemoryCache
from notify_async.testing import FakeNotifyAPI

TEAM_EMAIL = "ada.lovelace@example.gov.uk"
TEAM_MOBILE = "+447700900123"


@attrs.frozen
class World:
    """A fake with one active user, a trial-mode service they belong to and an e-mail
    template ``Hello ((name))``, plus an SDK client of it."""

    fake: FakeNotifyAPI
    notify: NotifyAdminClient
    user: dict[str, Any]
    service: dict[str, Any]
    template: dict[str, Any]

    @property
    def user_id(self) -> str:
        return str(self.user["id"])

    @property
    def service_id(self) -> str:
        return str(self.service["id"])

    @property
    def template_id(self) -> str:
        return str(self.template["id"])


def client_of(fake: FakeNotifyAPI, **options: Any) -> NotifyAdminClient:
    """An SDK client of ``fake`` with an in-memory cache and no retries (unless overridden)."""
    settings: dict[str, Any] = {"cache": MemoryCache(), "retry": RetryPolicy.disabled()}
    settings.update(options)
    return fake.client(**settings)


def make_world(**fake_options: Any) -> World:
    """A fresh :class:`World`."""
    fake = FakeNotifyAPI(**fake_options)
    user = fake.add_user("Ada Lovelace", TEAM_EMAIL, mobile_number=TEAM_MOBILE)
    service = fake.add_service(user["id"], "Analytical Engines")
    template = fake.add_template(service["id"], "Welcome", content="Hello ((name))")
    return World(fake, client_of(fake), user, service, template)
