"""Users, their sign-in credentials and what they belong to (``notify.users``,
``notify.platform_admin``)."""

from __future__ import annotations

from notify_async.types._compat import TypedDict
from notify_async.types.common import IdName, JSONObject


class _UserFields(TypedDict):
    auth_type: str
    can_use_webauthn: bool
    created_at: str
    current_session_id: str | None
    email_access_validated_at: str
    email_address: str
    failed_login_count: int
    id: str
    logged_in_at: str | None
    mobile_number: str | None
    name: str
    organisation_permissions: dict[str, list[str]]
    organisations: list[str]
    password_changed_at: str
    permissions: dict[str, list[str]]
    platform_admin: bool
    receives_new_features_email: bool
    state: str
    take_part_in_research: bool


class User(_UserFields):
    """A user. ``permissions`` maps a service id to the user's permissions there,
    ``organisation_permissions`` an organisation id to theirs; ``services`` are ids."""

    services: list[str]


class UserResponse(TypedDict):
    """``{"data": <user>}``."""

    data: User


class UserWithServiceNames(_UserFields):
    """A user in the platform admin's users list (``services`` name each service)."""

    services: list[IdName]


class UsersListResponse(TypedDict):
    """``{"data": [<user>, ...]}`` (``platform_admin.fetch_users_list``)."""

    data: list[UserWithServiceNames]


class UserSearchResult(TypedDict):
    """A user found by (part of) an e-mail address."""

    email_address: str
    id: str
    mobile_number: str | None
    name: str


class UserSearchResponse(TypedDict):
    """``{"data": [<user search result>, ...]}``."""

    data: list[UserSearchResult]


class OrganisationsAndServices(TypedDict):
    """The organisations and services a user belongs to (items as the API lists them)."""

    organisations: list[JSONObject]
    services: list[JSONObject]


class WebAuthnCredential(TypedDict):
    """A user's security key."""

    created_at: str
    credential_data: str
    id: str
    logged_in_at: str | None
    name: str
    updated_at: str | None
    user_id: str


class WebAuthnCredentialResponse(TypedDict):
    """``{"data": <WebAuthn credential>}``."""

    data: WebAuthnCredential
