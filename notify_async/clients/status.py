"""``notify.status``: async port of the admin app's ``StatusApiClient``."""

from __future__ import annotations

from collections.abc import Mapping

from notify_async import _constants as C
from notify_async.cache import cached
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.errors import InvalidArgumentError
from notify_async.types import LiveCounts, Status


class StatusApiClient(BaseClient):
    """The API's health check and platform-wide counts.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_status(self, *params: Mapping[str, object]) -> Status:
        """The API's health (``{"status": "ok", ...}``).

        At most one positional argument: a mapping sent as the query (e.g. ``{"simple": True}``
        for the short answer). Raises :class:`~notify_async.errors.InvalidArgumentError` (a
        TypeError) for more than one, before any request.
        """
        if len(params) > 1:
            raise InvalidArgumentError(
                f"get_status takes at most one query mapping, got {len(params)}"
            )
        return expect(await self._get("/_status", params[0] if params else None), Status)

    @cached("live-service-and-organisation-counts", ttl=C.SHORT_CACHE_TTL)
    async def get_count_of_live_services_and_organisations(self) -> LiveCounts:
        """How many live services and organisations there are (cached for an hour)."""
        response = await self._get("/_status/live-service-and-organisation-counts")
        return expect(response, LiveCounts)
