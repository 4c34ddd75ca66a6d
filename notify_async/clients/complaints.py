"""``notify.complaints``: async port of the admin app's ``ComplaintApiClient``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from notify_async._pagination import links_next, next_page, paginate
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import Complaint, ComplaintsPage


class ComplaintApiClient(BaseClient):
    """E-mail complaints (recipients marking a message as spam).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_all_complaints(self, page: int = 1) -> ComplaintsPage:
        """One page of complaints, newest first (``{"complaints": [...], "links": {...}}``);
        :meth:`iter_all_complaints` follows the pages."""
        return expect(await self._get("/complaint", {"page": page}), ComplaintsPage)

    async def iter_all_complaints(
        self, *, max_items: int | None = None
    ) -> AsyncIterator[Complaint]:
        """Every complaint, newest first, page after page (at most ``max_items``). Each page
        is fetched when needed; raises what :meth:`get_all_complaints` raises, after the
        complaints of the pages before."""
        pages = paginate(
            self.get_all_complaints, 1, lambda page: page["complaints"], next_page(links_next),
            max_items=max_items,
        )
        async for complaint in pages:
            yield complaint

    async def get_complaint_count(self, params_dict: Mapping[str, object] | None = None) -> int:
        """The number of complaints in a date range.

        ``params_dict`` is sent as the query as it is; the server reads ``start_date`` and
        ``end_date`` (``YYYY-MM-DD``) from it. None sends no query string.
        """
        return expect(await self._get("/complaint/count-by-date-range", params_dict), int)
