"""E-mail and letter brandings (``notify.email_branding``, ``notify.letter_branding``, the
organisations' branding pools)."""

from __future__ import annotations

from notify_async.types._compat import TypedDict
from notify_async.types.common import JSONObject


class EmailBranding(TypedDict):
    """An e-mail branding (the brandings that came with the database have no creator)."""

    alt_text: str | None
    brand_type: str
    colour: str | None
    created_at: str | None
    created_by: str | None
    id: str
    logo: str | None
    name: str
    text: str | None
    updated_at: str | None


class EmailBrandingResponse(TypedDict):
    """``{"email_branding": <e-mail branding>}`` (``get_email_branding``)."""

    email_branding: EmailBranding


class EmailBrandingDataResponse(TypedDict):
    """``{"data": <e-mail branding>}`` (``update_email_branding``)."""

    data: EmailBranding


class LetterBranding(TypedDict):
    """A letter branding."""

    created_at: str | None
    created_by: str | None
    filename: str
    id: str
    name: str
    updated_at: str | None


class BrandingUsers(TypedDict):
    """The organisations and services that use a branding (items as the API lists them)."""

    organisations: list[JSONObject]
    services: list[JSONObject]


class BrandingUsersResponse(TypedDict):
    """``{"data": <branding users>}``."""

    data: BrandingUsers
