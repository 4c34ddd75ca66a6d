"""``notify.uploads``: async port of the admin app's ``UploadApiClient``."""

from __future__ import annotations

from collections.abc import AsyncIterator

from notify_async._pagination import links_next, next_page, paginate
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import Notification, UploadedLettersPage


class UploadApiClient(BaseClient):
    """A service's uploaded letters.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_letters_by_service_and_print_day(
        self, service_id: str, *, letter_print_day: str, page: int = 1
    ) -> UploadedLettersPage:
        """One page of the letters uploaded for printing on ``letter_print_day``
        (``YYYY-MM-DD``). ``page`` is sent as an encoded query parameter (the original
        pasted it into the URL)."""
        response = await self._get(
            "/service/{service_id}/upload/uploaded-letters/{letter_print_day}",
            {"page": page},
            service_id=service_id,
            letter_print_day=letter_print_day,
        )
        return expect(response, UploadedLettersPage)

    async def iter_letters_by_service_and_print_day(
        self, service_id: str, *, letter_print_day: str, max_items: int | None = None
    ) -> AsyncIterator[Notification]:
        """Every letter uploaded for printing on ``letter_print_day``, page after page (at
        most ``max_items``); raises what :meth:`get_letters_by_service_and_print_day` raises,
        after the letters of the pages before."""
        pages = paginate(
            lambda page: self.get_letters_by_service_and_print_day(
                service_id, letter_print_day=letter_print_day, page=page
            ),
            1, lambda page: page["notifications"], next_page(links_next), max_items=max_items,
        )
        async for letter in pages:
            yield letter
