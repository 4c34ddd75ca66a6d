"""``notify.complaints``: async port of the admin app's ``ComplaintApiClient``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notify_async.clients._base import BaseClient


class ComplaintApiClient(BaseClient):
    """E-mail complaints (recipients marking a message as spam).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_all_complaints(self, page: int = 1) -> Any:
        """One page of complaints, newest first (``{"complaints": [...], "links": {...}}``)."""
        return await self._get("/complaint", {"page": page})

    async def get_complaint_count(self, params_dict: Mapping[str, object] | None = None) -> Any:
        """The number of complaints in a date range.

        ``params_dict`` is sent as the query as it is; the server reads ``start_date`` and
        ``end_date`` (``YYYY-MM-DD``) from it. None sends no query string.
        """
        return await self._get("/complaint/count-by-date-range", params_dict)
