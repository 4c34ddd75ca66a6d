"""``notify.letter_rates``: async port of the admin app's ``LetterRateApiClient``."""

from __future__ import annotations

from notify_async import _constants as C
from notify_async.cache import cached
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import LetterRate


class LetterRateApiClient(BaseClient):
    """Letter postage rates.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    @cached("letter-rates", ttl=C.SHORT_CACHE_TTL)
    async def get_letter_rates(self) -> list[LetterRate]:
        """The current letter rates (cached for an hour).

        Sent to the canonical ``/letter-rates/``: the original relied on a 308 redirect from
        ``/letter-rates``, which httpx does not follow.
        """
        return expect(await self._get("/letter-rates/"), list[LetterRate])
