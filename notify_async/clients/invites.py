"""``notify.invites``: async port of the admin app's ``InviteApiClient``.

Invitations to join a service's team. The admin site speaks of *UI permissions*
(``send_messages``, ``manage_service``, ...); the API stores *DB permissions* (``send_texts``,
``manage_users``, ...). :data:`UI_TO_DB_PERMISSIONS` is the translation between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient, check_one_of
from notify_async.clients._shape import unwrap
from notify_async.types import Invite

#: Each UI permission and the DB permissions it stands for.
UI_TO_DB_PERMISSIONS: Mapping[str, tuple[str, ...]] = {
    "send_messages": ("send_texts", "send_emails", "send_letters"),
    "manage_templates": ("manage_templates",),
    "manage_service": ("manage_users", "manage_settings"),
    "manage_api_keys": ("manage_api_keys",),
    "view_activity": ("view_activity",),
}


def translate_permissions_from_ui_to_db(permissions: Iterable[str]) -> set[str]:
    """The DB permissions for UI ``permissions`` (unknown names pass through unchanged)."""
    return {db for ui in permissions for db in UI_TO_DB_PERMISSIONS.get(ui, (ui,))}


def invite_has_permission(invite: Mapping[str, Any], service_id: str, permission: str) -> bool:
    """Whether ``invite`` (the API's JSON) grants UI ``permission`` on the service.

    An invite's ``permissions`` is a comma-separated string of DB permissions; a UI permission
    is held when all of its DB permissions are present. A cancelled invite, or one for another
    service, grants nothing (as the admin app's ``InvitedUser`` model decides).
    """
    if invite.get("status") == "cancelled":
        return False
    owner = invite.get("service")
    if owner is not None and str(owner).lower() != str(service_id).lower():
        return False
    held = set(filter(None, str(invite.get("permissions") or "").split(",")))
    return set(UI_TO_DB_PERMISSIONS[permission]) <= held


class InviteApiClient(BaseClient):
    """Invitations to a service's team (``app/notify_client/invite_api_client.py``).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def create_invite(
        self,
        invite_from_id: str,
        service_id: str,
        email_address: str,
        permissions: Iterable[str],
        auth_type: str,
        folder_permissions: Any,
    ) -> Invite:
        """Invite ``email_address`` to the service and return the invite (``response["data"]``).

        ``permissions`` are UI permission names; they are sent as one comma-separated, sorted
        string of DB permission names. The invite link points at the configured
        ``admin_base_url``. Needs an acting user (``request_context(user_id=...)``; raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise) and raises
        :class:`~notify_async.errors.ConfigurationError` without ``admin_base_url``.
        """
        body = self._with_created_by(
            {
                "service": service_id,
                "email_address": email_address,
                "from_user": invite_from_id,
                "permissions": ",".join(sorted(translate_permissions_from_ui_to_db(permissions))),
                "auth_type": auth_type,
                "invite_link_host": self._admin_base_url(),
                "folder_permissions": folder_permissions,
            }
        )
        response = await self._post("/service/{service_id}/invite", body, service_id=service_id)
        return unwrap(response, "data", Invite)

    async def update_invite(self, *, service_id: str, invite_id: str, auth_type: str) -> Invite:
        """Change the invite's sign-in method (``auth_type``); returns ``response["data"]``."""
        response = await self._post(
            "/service/{service_id}/invite/{invite_id}",
            {"auth_type": auth_type},
            service_id=service_id,
            invite_id=invite_id,
        )
        return unwrap(response, "data", Invite)

    async def get_invites_for_service(self, service_id: str) -> list[Invite]:
        """The service's invites (``response["data"]``)."""
        response = await self._get("/service/{service_id}/invite", service_id=service_id)
        return unwrap(response, "data", list[Invite])

    async def get_invited_user(self, invited_user_id: str) -> Invite:
        """One invite by id (``response["data"]``). The id must be a UUID: the API routes any
        other value to its token check instead."""
        response = await self._get(
            "/invite/service/{invited_user_id}", invited_user_id=invited_user_id
        )
        return unwrap(response, "data", Invite)

    async def get_invited_user_for_service(
        self, service_id: str, invited_user_id: str
    ) -> Invite:
        """One invite of the service (``response["data"]``)."""
        response = await self._get(
            "/service/{service_id}/invite/{invited_user_id}",
            service_id=service_id,
            invited_user_id=invited_user_id,
        )
        return unwrap(response, "data", Invite)

    async def get_count_of_invites_with_permission(self, service_id: str, permission: str) -> int:
        """How many of the service's invites grant UI ``permission``
        (see :func:`invite_has_permission`).

        Raises :class:`~notify_async.errors.InvalidArgumentError` (a TypeError) before any
        request when ``permission`` is not a UI permission. The original called a model method
        on the plain JSON and failed for any non-empty list; the check is now made on the JSON.
        """
        check_one_of("permission", permission, tuple(UI_TO_DB_PERMISSIONS))
        invites = await self.get_invites_for_service(service_id)
        return sum(1 for invite in invites if invite_has_permission(invite, service_id, permission))

    async def check_token(self, token: str) -> Invite:
        """The invite an invitation token stands for (``response["data"]``). The token is
        never logged or shown in error messages."""
        response = await self._get("/invite/service/check/{token}", token=token)
        return unwrap(response, "data", Invite)

    async def cancel_invited_user(self, service_id: str, invited_user_id: str) -> None:
        """Cancel the invite. Needs an acting user (raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise)."""
        await self._post(
            "/service/{service_id}/invite/{invited_user_id}",
            self._with_created_by({"status": "cancelled"}),
            service_id=service_id,
            invited_user_id=invited_user_id,
        )

    @invalidates("service-{service_id}", "user-{invited_user_id}")
    async def accept_invite(self, service_id: str, invited_user_id: str) -> None:
        """Mark the invite accepted (no acting user needed: the invitee may not be signed in
        yet). Clears the cached service and user; raises
        :class:`~notify_async.errors.CacheInvalidationError` when that fails."""
        await self._post(
            "/service/{service_id}/invite/{invited_user_id}",
            {"status": "accepted"},
            service_id=service_id,
            invited_user_id=invited_user_id,
        )
