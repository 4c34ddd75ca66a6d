"""``notify.sms_rates``: async port of the admin app's ``SMSRateApiClient``."""

from __future__ import annotations

from notify_async import _constants as C
from notify_async.cache import cached
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import SmsRate


class SMSRateApiClient(BaseClient):
    """The SMS rate.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    @cached("sms-rate", ttl=C.SHORT_CACHE_TTL)
    async def get_sms_rate(self) -> SmsRate:
        """The current SMS rate (cached for an hour).

        Sent to the canonical ``/sms-rate/``: the original relied on a 308 redirect from
        ``/sms-rate``, which httpx does not follow.
        """
        return expect(await self._get("/sms-rate/"), SmsRate)
