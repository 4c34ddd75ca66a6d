"""The fake API's in-memory store and its controllable clock.

Records are kept in the JSON shapes the real API answers with (see the samples in the spec), so
the route modules mostly copy them out. Anything that changes with time (a notification's status,
a job's status) is derived from the record's timestamps and :class:`FakeClock` when it is read,
so moving the clock forward moves every record along without a background task.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from notify_async.testing._http import FakeError, not_found

JSON = dict[str, Any]
V = TypeVar("V")


class FakeClock:
    """The fake's idea of "now": the wall clock plus an offset that tests can move.

    ``advance(seconds)`` moves it forward (or back, with a negative value). The same clock
    checks the JWT ``iat`` (a client whose clock is more than 30 s away from it is refused, as
    the real API does) and drives notification and job statuses.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self.offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch, as the fake sees them."""
        return self._source() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock by ``seconds`` (negative values move it back)."""
        self.offset += seconds


def iso(ts: float | None) -> str | None:
    """A timestamp as the API writes most of them: ``2026-11-26T15:54:33.092674Z``."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain(ts: float) -> str:
    """A timestamp as the API writes ``password_changed_at``: ``2026-11-26 15:54:32.653244``."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def parse_time(value: object, field: str) -> float:
    """An ISO-8601 timestamp from a request body (naive means UTC); 400 when unreadable."""
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise FakeError(400, {field: ["Not a valid datetime."]}) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def midnight_days_ago(now: float, days: int) -> float:
    """UTC midnight ``days`` days before ``now`` (0: today's), where ``limit_days`` counts from."""
    today = dt.datetime.fromtimestamp(now, dt.UTC).replace(hour=0, minute=0, second=0,
                                                             microsecond=0)
    return (today - dt.timedelta(days=days)).timestamp()


def new_id() -> str:
    """A fresh random UUID as text."""
    return str(uuid.uuid4())


class Store:
    """Everything the fake API knows, kept in memory.

    Args:
        clock: the :class:`FakeClock`.
        sending_after: seconds after creation when a notification (or a job) starts sending.
        delivered_after: seconds after creation when it is delivered (a job: finished).
        page_size: the page size of paged lists (the real API's default is 50).
    """

    def __init__(
        self,
        clock: FakeClock,
        *,
        sending_after: float,
        delivered_after: float,
        page_size: int,
    ) -> None:
        self.clock = clock
        self.sending_after = sending_after
        self.delivered_after = delivered_after
        self.page_size = page_size
        self.users: dict[str, JSON] = {}
        self.passwords: dict[str, str] = {}
        self.services: dict[str, JSON] = {}
        self.templates: dict[str, list[JSON]] = {}
        self.api_keys: dict[str, list[JSON]] = {}
        self.notifications: dict[str, JSON] = {}
        self.jobs: dict[str, JSON] = {}
        self.uploads: dict[str, JSON] = {}
        #: Every version of each service and of each service's API keys, oldest first.
        self.service_history: dict[str, list[JSON]] = {}
        self.api_key_history: dict[str, list[JSON]] = {}
        #: Each service's guest list: who a trial-mode service may send to beside its team.
        self.guest_lists: dict[str, JSON] = {}

    def now(self) -> float:
        """The clock's current time."""
        return self.clock.now()

    def stage(self, created: float) -> int:
        """How far along something created at ``created`` is: 0 new, 1 sending, 2 done."""
        age = self.now() - created
        if age < self.sending_after:
            return 0
        return 1 if age < self.delivered_after else 2

    # --- lookups (404 "No result found" for anything unknown, as the real API) ---------------

    def user(self, user_id: str) -> JSON:
        """The stored user record (mutable); 404 when unknown."""
        return _lookup(self.users, user_id)

    def service(self, service_id: str) -> JSON:
        """The stored service record (mutable); 404 when unknown."""
        return _lookup(self.services, service_id)

    def template_versions(self, service_id: str, template_id: str) -> list[JSON]:
        """Every version of one of the service's templates, oldest first; 404 when unknown."""
        self.service(service_id)
        versions = _lookup(self.templates, template_id)
        if versions[-1]["service"] != service_id:
            raise not_found()
        return versions

    def job(self, service_id: str, job_id: str) -> JSON:
        """The stored job record of the service; 404 when unknown."""
        self.service(service_id)
        job = _lookup(self.jobs, job_id)
        if job["service"] != service_id:
            raise not_found()
        return job

    def members(self, service_id: str) -> list[JSON]:
        """The users who belong to the service, in creation order."""
        return [user for user in self.users.values() if service_id in user["services"]]

    def user_summary(self, user_id: str | None) -> JSON | None:
        """``{"email_address", "id", "name"}`` of a user, as notifications and versions show it."""
        user = self.users.get(user_id or "")
        if user is None:
            return None
        return {"email_address": user["email_address"], "id": user["id"], "name": user["name"]}


def _lookup(table: dict[str, V], key: str) -> V:
    try:
        return table[key]
    except KeyError:
        raise not_found() from None


def snapshot(value: V) -> V:
    """A deep copy, so callers can never change the store through what they were given."""
    return copy.deepcopy(value)
