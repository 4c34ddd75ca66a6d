"""``notify.letter_jobs``: async port of the admin app's ``LetterJobsClient``."""

from __future__ import annotations

from collections.abc import Sequence

from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import ReturnedLettersReceived

# Every service's returned-letter figures (the "?" globs are shaped like a UUID).
_ANY_SERVICE = "service-????????-????-????-????-????????????"


class LetterJobsClient(BaseClient):
    """Letters returned by the post (platform admin).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    @invalidates(
        patterns=(
            f"{_ANY_SERVICE}-returned-letters-statistics",
            f"{_ANY_SERVICE}-returned-letters-summary",
        )
    )
    async def submit_returned_letters(self, references: Sequence[str]) -> ReturnedLettersReceived:
        """Mark the letters with these references as returned.

        Clears every service's cached returned-letter statistics and summary; raises
        :class:`~notify_async.errors.CacheInvalidationError` if they cannot be cleared.
        """
        response = await self._post("/letters/returned", {"references": references})
        return expect(response, ReturnedLettersReceived)
