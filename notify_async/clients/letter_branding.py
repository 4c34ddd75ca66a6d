"""``notify.letter_branding``: async port of the admin app's ``LetterBrandingClient``."""

from __future__ import annotations

from notify_async.cache import cached, invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.types import BrandingUsersResponse, LetterBranding


class LetterBrandingClient(BaseClient):
    """Letter brandings (``app/notify_client/letter_branding_client.py`` in the original).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    @cached("letter_branding-{branding_id}")
    async def get_letter_branding(self, branding_id: str) -> LetterBranding:
        """One letter branding (cached under ``letter_branding-{branding_id}``)."""
        response = await self._get("/letter-branding/{branding_id}", branding_id=branding_id)
        return expect(response, LetterBranding)

    @cached("letter_branding")
    async def get_all_letter_branding(self) -> list[LetterBranding]:
        """Every letter branding (the whole response, cached under ``letter_branding``)."""
        return expect(await self._get("/letter-branding"), list[LetterBranding])

    async def get_unique_name_for_letter_branding(self, name: str) -> str:
        """A branding name, based on ``name``, that no other letter branding uses
        (``response["name"]``).

        Sent to the canonical ``/letter-branding/get-unique-name/``: the original relied on a
        308 redirect from the path without the slash, which httpx does not follow.
        """
        response = await self._post("/letter-branding/get-unique-name/", {"name": name})
        return unwrap(response, "name", str)

    @invalidates("letter_branding")
    async def create_letter_branding(
        self, *, filename: str, name: str, created_by_id: str
    ) -> LetterBranding:
        """Create a letter branding from an uploaded logo ``filename``."""
        body = {"filename": filename, "name": name, "created_by_id": created_by_id}
        return expect(await self._post("/letter-branding", body), LetterBranding)

    @invalidates("letter_branding", "letter_branding-{branding_id}")
    @invalidates(patterns=("organisation-*-letter-branding-pool",))
    async def update_letter_branding(
        self, *, branding_id: str, filename: str, name: str, updated_by_id: str
    ) -> LetterBranding:
        """Change a letter branding; clears the list, the branding and every organisation's
        letter branding pool from the cache."""
        body = {"filename": filename, "name": name, "updated_by_id": updated_by_id}
        response = await self._post(
            "/letter-branding/{branding_id}", body, branding_id=branding_id
        )
        return expect(response, LetterBranding)

    async def get_orgs_and_services_associated_with_branding(
        self, branding_id: str
    ) -> BrandingUsersResponse:
        """The organisations and services that use the letter branding."""
        response = await self._get(
            "/letter-branding/{branding_id}/orgs_and_services", branding_id=branding_id
        )
        return expect(response, BrandingUsersResponse)
