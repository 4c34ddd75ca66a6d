"""``notify.complaints``: async port of the admin app's ``ComplaintApiClient``."""

from __future__ import annotations

from collections.abc import Mapping

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import ComplaintsPage


class ComplaintApiClient(BaseClient):
    """E-mail complaints (recipients marking a message as spam).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_all_complaints(self, page: int = 1) -> ComplaintsPage:
        """One page of complaints, newest first (``{"complaints": [...], "links": {...}}``);
        :meth:`iter_all_complaints` follows the pages."""
        return expect(await self._get("/complaint", {"page": page}), ComplaintsPage)

    async def get_complaint_count(self, params_dict: Mapping[str, object] | None = None) -> int:
        """The number of complaints in a date range.

        ``params_dict`` is sent as the query as it is; the server reads ``start_date`` and
        ``end_date`` (``YYYY-MM-DD``) from it. None sends no query string.
        """
        return expect(await self._get("/complaint/count-by-date-range", params_dict), int)
