"""Seeding and inspection helpers of :class:`~notify_async.testing.FakeNotifyAPI`.

Seeding goes through the same validation as the API routes, so seeded data is data the real API
would have accepted; a refused value raises :class:`ValueError` with the API's message. Every
helper returns a copy of the stored JSON, never the record itself.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from notify_async.testing import (
    _routes_jobs,
    _routes_notifications,
    _routes_services,
    _routes_templates,
    _routes_users,
)
from notify_async.testing._http import FakeError
from notify_async.testing._state import JSON, Store, snapshot

T = TypeVar("T")
_counter = itertools.count(1)


def _seed(action: Callable[[], T]) -> T:
    try:
        return action()
    except FakeError as exc:
        raise ValueError(f"{exc.status}: {json.dumps(exc.message)}") from None


class SeedingMixin:
    """``add_*`` helpers that put data straight into the fake's store, and read-outs."""

    store: Store

    def add_user(
        self,
        name: str = "Test User",
        email_address: str | None = None,
        *,
        mobile_number: str | None = None,
        password: str = "not-a-real-password-123",
        auth_type: str = "email_auth",
        state: str = "active",
    ) -> JSON:
        """Store a user (``state`` ``active`` by default, unlike a registration) and return
        its JSON. ``email_address`` defaults to a unique ``user.<n>@example.gov.uk``."""
        body = {
            "name": name,
            "email_address": email_address or f"user.{next(_counter)}@example.gov.uk",
            "password": password,
            "auth_type": auth_type,
        }
        if mobile_number is not None:
            body["mobile_number"] = mobile_number
        return snapshot(_seed(lambda: _routes_users.create_user(self.store, body, state=state)))

    def add_service(
        self,
        user_id: str,
        name: str | None = None,
        *,
        restricted: bool = True,
        organisation_type: str = "central",
    ) -> JSON:
        """Store a service created by (and with the member) ``user_id``; return its JSON.
        ``restricted=True`` is trial mode: it can only send to its team members."""
        body = {
            "name": name or f"Test service {next(_counter)}",
            "user_id": user_id,
            "created_by": user_id,
            "restricted": restricted,
            "organisation_type": organisation_type,
            "active": True,
        }
        return snapshot(_seed(lambda: _routes_services.create_service(self.store, body)))

    def add_template(
        self,
        service_id: str,
        name: str = "Test template",
        *,
        template_type: str = "email",
        content: str = "Hello ((name))",
        subject: str | None = "Hello",
        created_by: str | None = None,
    ) -> JSON:
        """Store version 1 of a template (by default by the service's first member)."""
        body: dict[str, Any] = {
            "name": name,
            "template_type": template_type,
            "content": content,
            "service": service_id,
            "created_by": created_by or self._first_member(service_id),
        }
        if template_type != "sms":
            body["subject"] = subject
        return snapshot(
            _seed(lambda: _routes_templates.create_template(self.store, service_id, body))
        )

    def add_api_key(self, service_id: str, name: str = "Test key", key_type: str = "normal",
                    created_by: str | None = None) -> tuple[JSON, str]:
        """Store an API key; return its JSON and its secret."""
        body = {"name": name, "key_type": key_type,
                "created_by": created_by or self._first_member(service_id)}
        key, secret = _seed(lambda: _routes_services.create_api_key(self.store, service_id, body))
        return snapshot(key), secret

    def add_notification(
        self,
        service_id: str,
        template_id: str,
        to: str,
        personalisation: dict[str, Any] | None = None,
        *,
        created_by: str | None = None,
    ) -> JSON:
        """Send a one-off notification as the API would (trial-mode and personalisation
        checks included); return its JSON."""
        body = {
            "template_id": template_id,
            "to": to,
            "personalisation": personalisation or {},
            "created_by": created_by or self._first_member(service_id),
        }
        stored = _seed(lambda: _routes_notifications.send_one_off(self.store, service_id, body))
        return _routes_notifications.render(self.store, stored)

    def stage_upload(
        self,
        service_id: str,
        job_id: str,
        *,
        template_id: str,
        original_file_name: str = "upload.csv",
        notification_count: int = 1,
    ) -> None:
        """Stand in for the CSV the admin app uploads before ``jobs.create_job(job_id, ...)``:
        the job will use this template, file name and row count."""
        _seed(lambda: _routes_jobs.stage_upload(
            self.store, service_id, job_id, template_id, original_file_name, notification_count
        ))

    # --- read-outs ----------------------------------------------------------------------------

    def user(self, user_id: str) -> JSON:
        """The stored user's JSON; :class:`KeyError` when unknown."""
        return snapshot(self.store.users[user_id])

    def service(self, service_id: str) -> JSON:
        """The stored service's JSON; :class:`KeyError` when unknown."""
        return snapshot(self.store.services[service_id])

    def notifications_for(self, service_id: str) -> list[JSON]:
        """Every notification of the service, oldest first, as the API shows them now."""
        return [
            _routes_notifications.render(self.store, n)
            for n in self.store.notifications.values() if n["service"] == service_id
        ]

    def _first_member(self, service_id: str) -> str:
        members = _seed(lambda: self.store.members(self.store.service(service_id)["id"]))
        if not members:
            raise ValueError("the service has no members; pass created_by")
        return str(members[0]["id"])
