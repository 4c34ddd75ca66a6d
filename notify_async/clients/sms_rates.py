"""``notify.sms_rates``: async port of the admin app's ``SMSRateApiClient``."""

from __future__ import annotations

from typing import Any

from notify_async import _constants as C
from notify_async.cache import cached
from notify_async.clients._base import BaseClient


class SMSRateApiClient(BaseClient):
    """The SMS rate.

    Every method raises :class:`~notify_async.errors.HTTPError` (a status subclass) when the API
    answers with an error and :class:`~notify_async.errors.TransportError` when it cannot be
    reached.
    """

    @cached("sms-rate", ttl=C.SHORT_CACHE_TTL)
    async def get_sms_rate(self) -> Any:
        """The current SMS rate (cached for an hour).

        Sent to the canonical ``/sms-rate/``: the original relied on a 308 redirect from
        ``/sms-rate``, which httpx does not follow.
        """
        return await self._get("/sms-rate/")
