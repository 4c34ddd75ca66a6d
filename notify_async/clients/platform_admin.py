"""``notify.platform_admin``: async port of the admin app's ``AdminApiClient``."""

from __future__ import annotations

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect
from notify_async.types import FindByUuidResult, UsersListResponse


class AdminApiClient(BaseClient):
    """Platform-admin look-ups. Both use POST so that filters stay out of URLs and logs.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def find_by_uuid(self, uuid_: str) -> FindByUuidResult:
        """What the UUID identifies (a service, user, template, notification, ...)."""
        response = await self._post("/platform-admin/find-by-uuid", {"uuid": uuid_})
        return expect(response, FindByUuidResult)

    async def fetch_users_list(
        self,
        created_from_date: str | None = None,
        created_to_date: str | None = None,
        logged_from_date: str | None = None,
        logged_to_date: str | None = None,
        take_part_in_research: bool | None = None,
    ) -> UsersListResponse:
        """Users matching the filters; every filter is sent, unset ones as null."""
        body = {
            "created_start": created_from_date,
            "created_end": created_to_date,
            "logged_in_start": logged_from_date,
            "logged_in_end": logged_to_date,
            "take_part_in_research": take_part_in_research,
        }
        return expect(await self._post("/platform-admin/users-list", body), UsersListResponse)
