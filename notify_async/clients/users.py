"""``notify.users``: async port of the admin app's ``UserApiClient``.

Accounts, their services and organisations, and permissions here; sign-in (passwords, codes,
verification e-mails, WebAuthn) in :mod:`notify_async.clients._user_auth`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from notify_async.cache import cached, invalidates
from notify_async.clients._base import check_allowed
from notify_async.clients._shape import expect, unwrap
from notify_async.clients._user_auth import SerializableCredential, UserAuthMixin
from notify_async.clients.invites import translate_permissions_from_ui_to_db
from notify_async.errors import HTTPError, InvalidArgumentError
from notify_async.types import (
    OrganisationsAndServices,
    User,
    UserResponse,
    UserSearchResponse,
)

__all__ = ["ALLOWED_ATTRIBUTES", "SerializableCredential", "UserApiClient"]

#: The user attributes :meth:`UserApiClient.update_user_attribute` may change.
ALLOWED_ATTRIBUTES: Final = frozenset(
    {
        "name",
        "email_address",
        "mobile_number",
        "auth_type",
        "updated_by",
        "current_session_id",
        "email_access_validated_at",
        "take_part_in_research",
        "receives_new_features_email",
        "platform_admin",
    }
)

_USER = "/user/{user_id}"


def _permission_objects(permissions: Iterable[str]) -> list[dict[str, str]]:
    """``[{"permission": p}, ...]`` in sorted order (the original sent set order)."""
    return [{"permission": p} for p in sorted(permissions)]


class UserApiClient(UserAuthMixin):
    """Users of Notify (``app/notify_client/user_api_client.py`` in the original).

    Every method raises :class:`~notify_async.errors.HTTPError` (a status subclass such as
    :class:`~notify_async.errors.NotFoundError`) when the API answers with an error (unless it
    says otherwise), :class:`~notify_async.errors.TransportError` when it cannot be reached, and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is not a valid
    path segment. Methods that change a cached user also raise
    :class:`~notify_async.errors.CacheInvalidationError` when the cache cannot be cleared.
    Addresses, numbers and passwords never appear in the SDK's logs or error messages.
    """

    async def register_user(
        self,
        name: str,
        email_address: str,
        mobile_number: str | None,
        password: str,
        auth_type: str,
    ) -> User:
        """Create an account; returns the new user (``response["data"]``)."""
        body = {
            "name": name,
            "email_address": email_address,
            "mobile_number": mobile_number,
            "password": password,
            "auth_type": auth_type,
        }
        return unwrap(await self._post("/user", body), "data", User)

    async def get_user(self, user_id: str) -> User:
        """The user (``response["data"]``), read through the ``user-{user_id}`` cache entry."""
        return unwrap(await self._get_user(user_id), "data", User)

    @cached("user-{user_id}")
    async def _get_user(self, user_id: str) -> UserResponse:
        """The API's whole answer for the user (cached as ``user-{user_id}``)."""
        return expect(await self._get(_USER, user_id=user_id), UserResponse)

    async def get_user_by_email(self, email_address: str) -> User:
        """The user with this address (sent in a POST body, never in the URL); raises
        :class:`~notify_async.errors.NotFoundError` when there is none."""
        return unwrap(await self._post("/user/email", {"email": email_address}), "data", User)

    async def get_user_by_email_or_none(self, email_address: str) -> User | None:
        """As :meth:`get_user_by_email`, but None when the API answers 404."""
        try:
            return await self.get_user_by_email(email_address)
        except HTTPError as error:
            if error.status_code == 404:
                return None
            raise

    @invalidates("user-{user_id}")
    async def update_user_attribute(self, user_id: str, **kwargs: Any) -> User:
        """Change the attributes given as keyword arguments; returns the user.

        Only :data:`ALLOWED_ATTRIBUTES` may be given, and ``platform_admin`` only as ``False``
        (this client can revoke platform admin, never grant it); anything else raises
        :class:`~notify_async.errors.InvalidArgumentError` before the request (the cache entry
        has already been cleared by then, as in the original).
        """
        check_allowed(kwargs, ALLOWED_ATTRIBUTES, "user")
        if "platform_admin" in kwargs and kwargs["platform_admin"] is not False:
            raise InvalidArgumentError(
                "update_user_attribute: platform_admin can only be set to False"
            )
        return unwrap(await self._post(_USER, dict(kwargs), user_id=user_id), "data", User)

    @invalidates("user-{user_id}")
    async def archive_user(self, user_id: str) -> None:
        """Archive the user (a POST with no body)."""
        await self._post(_USER + "/archive", None, user_id=user_id)

    @invalidates("user-{user_id}")
    async def activate_user(self, user_id: str) -> UserResponse:
        """Activate a pending user (a POST with no body); returns the user."""
        return expect(await self._post(_USER + "/activate", None, user_id=user_id), UserResponse)

    async def get_users_for_service(self, service_id: str) -> list[User]:
        """The service's team members (``response["data"]``)."""
        response = await self._get("/service/{service_id}/users", service_id=service_id)
        return unwrap(response, "data", list[User])

    async def get_users_for_organisation(self, org_id: str) -> list[User]:
        """The organisation's team members (``response["data"]``)."""
        response = await self._get("/organisations/{org_id}/users", org_id=org_id)
        return unwrap(response, "data", list[User])

    @invalidates("service-{service_id}")
    @invalidates("service-{service_id}-template-folders")
    @invalidates("user-{user_id}")
    async def add_user_to_service(
        self,
        service_id: str,
        user_id: str,
        permissions: Iterable[str],
        folder_permissions: Iterable[str] | None,
    ) -> None:
        """Add the user to the service's team.

        ``permissions`` are UI permission names (``send_messages``, ``manage_service``, ...);
        they are sent as ``[{"permission": <DB name>}, ...]``, sorted.
        """
        body = {
            "permissions": _permission_objects(translate_permissions_from_ui_to_db(permissions)),
            "folder_permissions": folder_permissions,
        }
        await self._post(
            "/service/{service_id}/users/{user_id}", body, service_id=service_id, user_id=user_id
        )

    @invalidates("user-{user_id}")
    async def add_user_to_organisation(
        self, org_id: str, user_id: str, permissions: Iterable[str]
    ) -> User:
        """Add the user to the organisation's team with ``permissions`` (organisation
        permission names, sent as ``[{"permission": ...}, ...]`` in the order given); returns
        the user."""
        body = {"permissions": [{"permission": p} for p in permissions]}
        response = await self._post(
            "/organisations/{org_id}/users/{user_id}", body, org_id=org_id, user_id=user_id
        )
        return unwrap(response, "data", User)

    @invalidates("service-{service_id}-template-folders")
    @invalidates("user-{user_id}")
    async def set_user_permissions(
        self,
        user_id: str,
        service_id: str,
        permissions: Iterable[str],
        folder_permissions: Iterable[str] | None = None,
    ) -> None:
        """Replace the user's permissions on the service (UI names, translated and sorted as
        in :meth:`add_user_to_service`), and the folders they can see when
        ``folder_permissions`` is given."""
        body: dict[str, Any] = {
            "permissions": _permission_objects(translate_permissions_from_ui_to_db(permissions))
        }
        if folder_permissions is not None:
            body["folder_permissions"] = folder_permissions
        await self._post(
            _USER + "/service/{service_id}/permission",
            body,
            user_id=user_id,
            service_id=service_id,
        )

    @invalidates("user-{user_id}")
    async def set_organisation_permissions(
        self, user_id: str, organisation_id: str, permissions: Any
    ) -> None:
        """Replace the user's permissions on the organisation (sent as given)."""
        await self._post(
            _USER + "/organisation/{organisation_id}/permissions",
            {"permissions": permissions},
            user_id=user_id,
            organisation_id=organisation_id,
        )

    async def find_users_by_full_or_partial_email(
        self, email_address: str
    ) -> UserSearchResponse:
        """Users whose address contains ``email_address`` (sent in a POST body, never in the
        URL)."""
        response = await self._post("/user/find-users-by-email", {"email": email_address})
        return expect(response, UserSearchResponse)

    async def get_organisations_and_services_for_user(
        self, user_id: str
    ) -> OrganisationsAndServices:
        """The organisations and services the user belongs to."""
        response = await self._get(_USER + "/organisations-and-services", user_id=user_id)
        return expect(response, OrganisationsAndServices)
