"""``notify.email_branding``: async port of the admin app's ``EmailBrandingClient``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from notify_async.cache import cached, invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.types import (
    BrandingUsersResponse,
    EmailBranding,
    EmailBrandingDataResponse,
    EmailBrandingResponse,
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _clears_email_branding(
    method: Callable[_P, Awaitable[_R]],
) -> Callable[_P, Coroutine[Any, Any, _R]]:
    """A change to one branding clears the list, that branding and every organisation's
    e-mail branding pool (the original's three stacked decorators, outermost first)."""
    inner = invalidates(patterns=("organisation-*-email-branding-pool",))(method)
    return invalidates("email_branding", "email_branding-{branding_id}")(inner)


class EmailBrandingClient(BaseClient):
    """E-mail brandings (``app/notify_client/email_branding_client.py`` in the original).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    @cached("email_branding-{branding_id}")
    async def get_email_branding(self, branding_id: str) -> EmailBrandingResponse:
        """One e-mail branding (cached under ``email_branding-{branding_id}``)."""
        response = await self._get("/email-branding/{branding_id}", branding_id=branding_id)
        return expect(response, EmailBrandingResponse)

    @cached("email_branding")
    async def get_all_email_branding(self) -> list[EmailBranding]:
        """Every e-mail branding (``response["email_branding"]``, cached under
        ``email_branding``)."""
        response = await self._get("/email-branding")
        return unwrap(response, "email_branding", list[EmailBranding])

    async def get_email_branding_name_for_alt_text(self, alt_text: str) -> str:
        """A branding name the API derives from ``alt_text`` (``response["name"]``).

        Sent by POST so the text stays out of the URL, to the canonical
        ``/email-branding/get-name-for-alt-text/``: the original relied on a 308 redirect from
        the path without the slash, which httpx does not follow.
        """
        response = await self._post(
            "/email-branding/get-name-for-alt-text/", {"alt_text": alt_text}
        )
        return unwrap(response, "name", str)

    @invalidates("email_branding")
    async def create_email_branding(
        self,
        *,
        logo: str | None,
        name: str,
        alt_text: str | None,
        text: str | None,
        colour: str | None,
        brand_type: str,
        created_by_id: str,
    ) -> EmailBranding:
        """Create an e-mail branding and return it (``response["data"]``).

        An empty ``logo``, ``alt_text``, ``text`` or ``colour`` is sent as null.
        """
        body = {
            "logo": logo or None,
            "name": name,
            "alt_text": alt_text or None,
            "text": text or None,
            "colour": colour or None,
            "brand_type": brand_type,
            "created_by": created_by_id,
        }
        response = await self._post("/email-branding", body)
        return unwrap(response, "data", EmailBranding)

    @_clears_email_branding
    async def update_email_branding(
        self,
        *,
        branding_id: str,
        logo: str | None,
        name: str,
        alt_text: str | None,
        text: str | None,
        colour: str | None,
        brand_type: str,
        updated_by_id: str,
    ) -> EmailBrandingDataResponse:
        """Change an e-mail branding.

        An empty ``logo``, ``text`` or ``colour`` is sent as null; ``alt_text`` is sent as
        given (an empty string stays empty, as the original).
        """
        body = {
            "logo": logo or None,
            "name": name,
            "alt_text": alt_text,
            "text": text or None,
            "colour": colour or None,
            "brand_type": brand_type,
            "updated_by": updated_by_id,
        }
        response = await self._post(
            "/email-branding/{branding_id}", body, branding_id=branding_id
        )
        return expect(response, EmailBrandingDataResponse)

    @_clears_email_branding
    async def archive_email_branding(self, branding_id: str) -> None:
        """Archive an e-mail branding."""
        await self._post(
            "/email-branding/{branding_id}/archive", None, branding_id=branding_id
        )

    async def get_orgs_and_services_associated_with_branding(
        self, branding_id: str
    ) -> BrandingUsersResponse:
        """The organisations and services that use the e-mail branding."""
        response = await self._get(
            "/email-branding/{branding_id}/orgs_and_services", branding_id=branding_id
        )
        return expect(response, BrandingUsersResponse)
