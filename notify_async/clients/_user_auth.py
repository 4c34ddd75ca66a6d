"""Sign-in of ``notify.users``: passwords, verification codes and e-mails, WebAuthn keys.

A mixin of :class:`~notify_async.clients.users.UserApiClient`; split out so each module stays
readable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, Mapping
from typing import Any, Protocol, runtime_checkable

from notify_async.cache import invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.errors import HTTPError, InvalidArgumentError
from notify_async.types import JSONValue, User, WebAuthnCredential, WebAuthnCredentialResponse

_USER = "/user/{user_id}"


@runtime_checkable
class SerializableCredential(Protocol):
    """A WebAuthn credential as the admin app models it: ``serialize()`` gives the JSON body
    ``{"name": ..., "credential_data": ..., "registration_response": ...}``."""

    def serialize(self) -> Mapping[str, Any]:
        """The credential's JSON body."""
        ...


async def refused_or_ok(
    request: Awaitable[object], refusals: Collection[int]
) -> tuple[bool, JSONValue]:
    """``(True, "")`` when ``request`` succeeds, ``(False, error.message)`` when the API
    answers with a status in ``refusals``; any other error is raised."""
    try:
        await request
    except HTTPError as error:
        if error.status_code in refusals:
            message: JSONValue = error.message
            return False, message
        raise
    return True, ""


def credential_body(credential: SerializableCredential | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of ``credential``: its ``serialize()``, or a copy of a mapping.

    Raises :class:`InvalidArgumentError` for anything else.
    """
    if isinstance(credential, SerializableCredential):
        return dict(credential.serialize())
    if isinstance(credential, Mapping):
        return dict(credential)
    raise InvalidArgumentError(
        f"credential must have a serialize() method or be a mapping, "
        f"got {type(credential).__name__}"
    )


class UserAuthMixin(BaseClient):
    """Passwords, verification codes, verification e-mails and WebAuthn credentials."""

    @invalidates("user-{user_id}")
    async def reset_failed_login_count(self, user_id: str) -> User:
        """Set the user's failed sign-in count back to zero; returns the user
        (``response["data"]``)."""
        response = await self._post(_USER + "/reset-failed-login-count", {}, user_id=user_id)
        return unwrap(response, "data", User)

    @invalidates("user-{user_id}")
    async def update_password(self, user_id: str, password: str) -> User:
        """Set a new password (sent as ``_password``); returns the user."""
        response = await self._post(
            _USER + "/update-password", {"_password": password}, user_id=user_id
        )
        return unwrap(response, "data", User)

    @invalidates("user-{user_id}")
    async def verify_password(self, user_id: str, password: str) -> bool:
        """Whether ``password`` is the user's: True, or False when the API answers 400 or 404.

        Any other error is raised (:class:`~notify_async.errors.HTTPError`,
        :class:`~notify_async.errors.TransportError`); the original swallowed those and
        returned None. The user's cache entry is cleared, as the API counts failed attempts.
        """
        request = self._post(_USER + "/verify/password", {"password": password}, user_id=user_id)
        verified, _ = await refused_or_ok(request, (400, 404))
        return verified

    async def send_verify_code(
        self, user_id: str, code_type: str, to: str, next_string: str | None = None
    ) -> None:
        """Send a sign-in code by ``code_type`` (``sms`` or ``email``) to ``to``.

        ``next_string`` (the page to return to) is sent as ``next`` when given; an e-mail code's
        link points at the configured ``admin_base_url`` (raises
        :class:`~notify_async.errors.ConfigurationError` when it is not set).
        """
        body: dict[str, Any] = {"to": to}
        if next_string:
            body["next"] = next_string
        if code_type == "email":
            body["email_auth_link_host"] = self._admin_base_url()
        await self._post(
            _USER + "/{code_type}-code", body, user_id=user_id, code_type=code_type
        )

    async def send_verify_email(self, user_id: str, to: str) -> None:
        """Send the e-mail that confirms a new account's address, linking to the configured
        ``admin_base_url`` (raises :class:`~notify_async.errors.ConfigurationError` when
        unset)."""
        body = {"to": to, "admin_base_url": self._admin_base_url()}
        await self._post(_USER + "/email-verification", body, user_id=user_id)

    async def send_already_registered_email(self, user_id: str, to: str) -> None:
        """Tell ``to`` (sent as ``email``) that it already has an account."""
        await self._post(_USER + "/email-already-registered", {"email": to}, user_id=user_id)

    @invalidates("user-{user_id}")
    async def check_verify_code(
        self, user_id: str, code: str, code_type: str
    ) -> tuple[bool, JSONValue]:
        """Check a sign-in code: ``(True, "")``, or ``(False, message)`` with the API's message
        when it answers 400 or 404 (wrong, used or expired code). Other errors are raised."""
        request = self._post(
            _USER + "/verify/code", {"code_type": code_type, "code": code}, user_id=user_id
        )
        return await refused_or_ok(request, (400, 404))

    @invalidates("user-{user_id}")
    async def complete_webauthn_login_attempt(
        self, user_id: str, is_successful: bool, webauthn_credential_id: str | None
    ) -> tuple[bool, JSONValue]:
        """Record a WebAuthn sign-in attempt (``is_successful`` sent as ``successful``):
        ``(True, "")``, or ``(False, message)`` when the API answers 403 (the user may not sign
        in, e.g. too many failed attempts). Other errors are raised."""
        body = {"successful": is_successful, "webauthn_credential_id": webauthn_credential_id}
        request = self._post(_USER + "/complete/webauthn-login", body, user_id=user_id)
        return await refused_or_ok(request, (403,))

    async def send_reset_password_url(
        self, email_address: str, next_string: str | None = None
    ) -> None:
        """E-mail a password reset link (to the configured ``admin_base_url``; raises
        :class:`~notify_async.errors.ConfigurationError` when unset), with ``next`` when
        ``next_string`` is given."""
        body: dict[str, Any] = {"email": email_address, "admin_base_url": self._admin_base_url()}
        if next_string:
            body["next"] = next_string
        await self._post("/user/reset-password", body)

    async def send_change_email_verification(self, user_id: str, new_email: str) -> None:
        """E-mail ``new_email`` a link that confirms the user's change of address."""
        await self._post(
            _USER + "/change-email-verification", {"email": new_email}, user_id=user_id
        )

    async def get_webauthn_credentials_for_user(self, user_id: str) -> list[WebAuthnCredential]:
        """The user's WebAuthn credentials (``response["data"]``, a list)."""
        response = await self._get(_USER + "/webauthn", user_id=user_id)
        return unwrap(response, "data", list[WebAuthnCredential])

    async def create_webauthn_credential_for_user(
        self, user_id: str, credential: SerializableCredential | Mapping[str, Any]
    ) -> WebAuthnCredentialResponse:
        """Register a WebAuthn credential; the body is ``credential.serialize()`` (any object
        with that method) or the mapping itself. Raises
        :class:`~notify_async.errors.InvalidArgumentError` for anything else."""
        response = await self._post(
            _USER + "/webauthn", credential_body(credential), user_id=user_id
        )
        return expect(response, WebAuthnCredentialResponse)

    async def update_webauthn_credential_name_for_user(
        self, *, user_id: str, credential_id: str, new_name_for_credential: str
    ) -> WebAuthnCredentialResponse:
        """Rename one of the user's WebAuthn credentials."""
        response = await self._post(
            _USER + "/webauthn/{credential_id}",
            {"name": new_name_for_credential},
            user_id=user_id,
            credential_id=credential_id,
        )
        return expect(response, WebAuthnCredentialResponse)

    async def delete_webauthn_credential_for_user(
        self, *, user_id: str, credential_id: str
    ) -> JSONValue:
        """Delete one of the user's WebAuthn credentials (the API refuses the last one);
        returns the API's answer as it is."""
        response: JSONValue = await self._delete(
            _USER + "/webauthn/{credential_id}", user_id=user_id, credential_id=credential_id
        )
        return response
