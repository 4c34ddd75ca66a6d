"""``notify.org_invites``: async port of the admin app's ``OrgInviteApiClient``."""

from __future__ import annotations

from typing import Any

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import unwrap
from notify_async.types import OrgInvite

_INVITE = "/organisation/{org_id}/invite/{invited_user_id}"


class OrgInviteApiClient(BaseClient):
    """Invitations to an organisation's team (``app/notify_client/org_invite_api_client.py``).

    Note the singular ``/organisation/`` in these paths. Every method raises
    :class:`~notify_async.errors.HTTPError` (a status subclass such as
    :class:`~notify_async.errors.NotFoundError`) when the API answers with an error,
    :class:`~notify_async.errors.TransportError` when it cannot be reached, and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is not a valid
    path segment.
    """

    async def create_invite(
        self, invite_from_id: str, org_id: str, email_address: str, permissions: Any
    ) -> OrgInvite:
        """Invite ``email_address`` to the organisation; returns the invite (``response["data"]``).

        ``permissions`` (organisation permission names such as ``can_make_services_live``) are
        sent as given. The invite link points at the configured ``admin_base_url``. Needs an
        acting user (raises :class:`~notify_async.errors.MissingActingUserError` otherwise) and
        raises :class:`~notify_async.errors.ConfigurationError` without ``admin_base_url``.
        """
        body = self._with_created_by(
            {
                "email_address": email_address,
                "invited_by": invite_from_id,
                "invite_link_host": self._admin_base_url(),
                "permissions": permissions,
            }
        )
        response = await self._post("/organisation/{org_id}/invite", body, org_id=org_id)
        return unwrap(response, "data", OrgInvite)

    async def get_invites_for_organisation(self, org_id: str) -> list[OrgInvite]:
        """The organisation's invites (``response["data"]``)."""
        response = await self._get("/organisation/{org_id}/invite", org_id=org_id)
        return unwrap(response, "data", list[OrgInvite])

    async def get_invited_user_for_org(
        self, org_id: str, invited_org_user_id: str
    ) -> OrgInvite:
        """One invite of the organisation (``response["data"]``)."""
        response = await self._get(
            "/organisation/{org_id}/invite/{invited_org_user_id}",
            org_id=org_id,
            invited_org_user_id=invited_org_user_id,
        )
        return unwrap(response, "data", OrgInvite)

    async def get_invited_user(self, invited_user_id: str) -> OrgInvite:
        """One organisation invite by id (``response["data"]``). The id must be a UUID: the
        API routes any other value to its token check instead."""
        response = await self._get(
            "/invite/organisation/{invited_user_id}", invited_user_id=invited_user_id
        )
        return unwrap(response, "data", OrgInvite)

    async def check_token(self, token: str) -> OrgInvite:
        """The organisation invite a token stands for (``response["data"]``). The token is
        never logged or shown in error messages."""
        response = await self._get("/invite/organisation/check/{token}", token=token)
        return unwrap(response, "data", OrgInvite)

    async def cancel_invited_user(self, org_id: str, invited_user_id: str) -> None:
        """Cancel the invite. Needs an acting user (raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise)."""
        await self._post(
            _INVITE,
            self._with_created_by({"status": "cancelled"}),
            org_id=org_id,
            invited_user_id=invited_user_id,
        )

    async def accept_invite(self, org_id: str, invited_user_id: str) -> None:
        """Mark the invite accepted (no acting user needed; no cache effect, as the
        original)."""
        await self._post(
            _INVITE, {"status": "accepted"}, org_id=org_id, invited_user_id=invited_user_id
        )
