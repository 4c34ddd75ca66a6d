"""``notify.organisations``: async port of the admin app's ``OrganisationsClient``.

Organisations, their domains and services, their e-mail and letter branding pools, and the
e-mails sent around a service's request to go live.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notify_async._transport import Transport
from notify_async.cache import RequestCache, cached, invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._go_live import NextStepsRenderer, default_next_steps_body
from notify_async.clients._shape import expect, unwrap
from notify_async.config import ClientConfig
from notify_async.errors import HTTPError, InvalidArgumentError
from notify_async.types import (
    EmailBranding,
    LetterBranding,
    Organisation,
    OrganisationSearchResponse,
    OrganisationSummary,
    ServicesAndUsage,
    ServiceSummary,
)

__all__ = ["NextStepsRenderer", "OrganisationsClient", "default_next_steps_body"]

# The two branding pools share one shape: /organisations/{org_id}/<kind>-branding-pool[/{id}].
_EMAIL = "email"
_LETTER = "letter"


def _pool_path(kind: str, item: bool = False) -> str:
    return "/organisations/{org_id}/" + kind + "-branding-pool" + ("/{branding_id}" if item else "")


class OrganisationsClient(BaseClient):
    """Organisations (``app/notify_client/organisations_api_client.py`` in the original).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    def __init__(self, transport: Transport, cache: RequestCache, config: ClientConfig) -> None:
        super().__init__(transport, cache, config)
        self._next_steps_renderer: NextStepsRenderer = default_next_steps_body

    def use_next_steps_renderer(self, renderer: NextStepsRenderer) -> None:
        """Render the body of :meth:`notify_org_member_about_next_steps_of_go_live_request`
        with ``renderer`` (called with the keyword arguments ``service_id``, ``service_name``,
        ``check_if_unique`` and ``unclear_service_name``; returns the markdown text).

        The original admin app rendered a Jinja template that also read the logged-in user, the
        service's go-live requester and an absolute admin link; a renderer is where an
        application puts those. Raises :class:`InvalidArgumentError` if it is not callable.
        """
        if not callable(renderer):
            raise InvalidArgumentError("renderer must be callable")
        self._next_steps_renderer = renderer

    # --- organisations ------------------------------------------------------------------------

    @cached("organisations")
    async def get_organisations(self) -> list[OrganisationSummary]:
        """Every organisation (cached under ``organisations``)."""
        return expect(await self._get("/organisations"), list[OrganisationSummary])

    @cached("domains")
    async def get_domains(self) -> list[str]:
        """Every organisation's domains in one flat list, in organisation order (cached under
        ``domains``; reads the organisations through :meth:`get_organisations`, itself cached)."""
        organisations = await self.get_organisations()
        return [domain for organisation in organisations for domain in organisation["domains"]]

    async def get_organisation(self, org_id: str) -> Organisation:
        """One organisation."""
        return expect(await self._get("/organisations/{org_id}", org_id=org_id), Organisation)

    @cached("organisation-{org_id}-name")
    async def get_organisation_name(self, org_id: str) -> str:
        """The organisation's name (cached under ``organisation-{org_id}-name``)."""
        organisation = await self.get_organisation(org_id)
        return unwrap(organisation, "name", str)

    async def get_organisation_by_domain(self, domain: str) -> Organisation | None:
        """The organisation that owns e-mail ``domain``, or None when the API answers 404.

        The domain is sent as an encoded query parameter (the original pasted it into the URL
        unencoded). Other error statuses are raised.
        """
        try:
            response = await self._get("/organisations/by-domain", {"domain": domain})
        except HTTPError as error:
            if error.status_code == 404:
                return None
            raise
        return expect(response, Organisation)

    async def search(self, name: str) -> OrganisationSearchResponse:
        """Organisations whose name matches ``name`` (sent as an encoded query parameter; the
        original pasted it into the URL unencoded)."""
        response = await self._get("/organisations/search", {"name": name})
        return expect(response, OrganisationSearchResponse)

    @invalidates("organisations")
    async def create_organisation(
        self, name: str, crown: bool | None, organisation_type: str, agreement_signed: bool | None
    ) -> Organisation:
        """Create an organisation and return the API's answer."""
        body = {
            "name": name,
            "crown": crown,
            "organisation_type": organisation_type,
            "agreement_signed": agreement_signed,
        }
        return expect(await self._post("/organisations", body), Organisation)

    @invalidates(
        "domains",
        "organisations",
        "organisation-{org_id}-name",
        "organisation-{org_id}-email-branding-pool",
        "organisation-{org_id}-letter-branding-pool",
    )
    async def update_organisation(
        self, org_id: str, cached_service_ids: Iterable[str] | None = None, **kwargs: Any
    ) -> None:
        """Change the organisation's fields: every extra keyword argument is sent as the body.

        ``cached_service_ids`` is never sent: after the change, the cached ``service-<id>`` of
        each of these services is deleted (ids used as given; a cache error is only logged).
        """
        await self._post("/organisations/{org_id}", kwargs, org_id=org_id)
        if cached_service_ids:
            await self._cache.delete_quietly([f"service-{sid}" for sid in cached_service_ids])

    @invalidates("service-{service_id}", "live-service-and-organisation-counts", "organisations")
    async def update_service_organisation(self, service_id: str, org_id: str) -> None:
        """Move the service into the organisation (note the argument order)."""
        await self._post(
            "/organisations/{org_id}/service", {"service_id": service_id}, org_id=org_id
        )

    async def get_organisation_services(self, org_id: str) -> list[ServiceSummary]:
        """The organisation's services."""
        response = await self._get("/organisations/{org_id}/services", org_id=org_id)
        return expect(response, list[ServiceSummary])

    @invalidates("user-{user_id}")
    async def remove_user_from_organisation(self, org_id: str, user_id: str) -> None:
        """Remove the user from the organisation's team."""
        await self._delete(
            "/organisations/{org_id}/users/{user_id}", org_id=org_id, user_id=user_id
        )

    async def get_services_and_usage(self, org_id: str, year: int | str) -> ServicesAndUsage:
        """The organisation's services with their usage in financial ``year``."""
        response = await self._get(
            "/organisations/{org_id}/services-with-usage", {"year": str(year)}, org_id=org_id
        )
        return expect(response, ServicesAndUsage)

    @invalidates("organisations", "organisation-{org_id}-name", "domains")
    async def archive_organisation(self, org_id: str) -> None:
        """Archive the organisation."""
        await self._post("/organisations/{org_id}/archive", None, org_id=org_id)

    # --- branding pools -----------------------------------------------------------------------

    async def _add_to_pool(self, kind: str, org_id: str, branding_ids: Any) -> None:
        await self._post(_pool_path(kind), {"branding_ids": branding_ids}, org_id=org_id)

    async def _remove_from_pool(self, kind: str, org_id: str, branding_id: str) -> None:
        await self._delete(_pool_path(kind, item=True), org_id=org_id, branding_id=branding_id)

    @invalidates("organisation-{org_id}-email-branding-pool")
    async def add_brandings_to_email_branding_pool(self, org_id: str, branding_ids: Any) -> None:
        """Add e-mail brandings (a list of ids) to the organisation's pool."""
        await self._add_to_pool(_EMAIL, org_id, branding_ids)

    @invalidates("organisation-{org_id}-letter-branding-pool")
    async def add_brandings_to_letter_branding_pool(self, org_id: str, branding_ids: Any) -> None:
        """Add letter brandings (a list of ids) to the organisation's pool."""
        await self._add_to_pool(_LETTER, org_id, branding_ids)

    @cached("organisation-{org_id}-email-branding-pool")
    async def get_email_branding_pool(self, org_id: str) -> list[EmailBranding]:
        """The organisation's e-mail branding pool (``response["data"]``, cached)."""
        response = await self._get(_pool_path(_EMAIL), org_id=org_id)
        return unwrap(response, "data", list[EmailBranding])

    @cached("organisation-{org_id}-letter-branding-pool")
    async def get_letter_branding_pool(self, org_id: str) -> list[LetterBranding]:
        """The organisation's letter branding pool (``response["data"]``, cached)."""
        response = await self._get(_pool_path(_LETTER), org_id=org_id)
        return unwrap(response, "data", list[LetterBranding])

    @invalidates("organisation-{org_id}-email-branding-pool")
    async def remove_email_branding_from_pool(self, org_id: str, branding_id: str) -> None:
        """Remove one e-mail branding from the organisation's pool."""
        await self._remove_from_pool(_EMAIL, org_id, branding_id)

    @invalidates("organisation-{org_id}-letter-branding-pool")
    async def remove_letter_branding_from_pool(self, org_id: str, branding_id: str) -> None:
        """Remove one letter branding from the organisation's pool."""
        await self._remove_from_pool(_LETTER, org_id, branding_id)

    # --- going live ---------------------------------------------------------------------------

    async def notify_users_of_request_to_go_live_for_service(self, service_id: str) -> None:
        """Ask the API to e-mail the organisation's team about the service's go-live request."""
        await self._post(
            "/organisations/notify-users-of-request-to-go-live/{service_id}",
            None,
            service_id=service_id,
        )

    async def notify_org_member_about_next_steps_of_go_live_request(
        self,
        service_id: str,
        service_name: str,
        to: str,
        check_if_unique: bool,
        unclear_service_name: bool,
    ) -> None:
        """E-mail organisation member ``to`` about the next steps of the service's go-live
        request.

        The body text comes from the renderer set with :meth:`use_next_steps_renderer`
        (default: :func:`default_next_steps_body`), given the service and the two concerns
        flagged; the original rendered an admin Jinja template here. Whatever the renderer
        raises propagates before any request is sent.
        """
        body_text = self._next_steps_renderer(
            service_id=service_id,
            service_name=service_name,
            check_if_unique=check_if_unique,
            unclear_service_name=unclear_service_name,
        )
        await self._post(
            "/organisations/notify-org-member-about-next-steps-of-go-live-request/{service_id}",
            {"to": to, "service_name": service_name, "body": body_text},
            service_id=service_id,
        )

    async def notify_service_member_of_rejected_go_live_request(
        self,
        service_id: str,
        service_member_name: str,
        service_name: str,
        organisation_name: str,
        rejection_reason: str,
        organisation_team_member_name: str,
        organisation_team_member_email: str,
    ) -> None:
        """E-mail the service member who asked to go live that the request was rejected, with
        ``rejection_reason`` and the organisation team member to contact."""
        body = {
            "name": service_member_name,
            "service_name": service_name,
            "organisation_name": organisation_name,
            "reason": rejection_reason,
            "organisation_team_member_name": organisation_team_member_name,
            "organisation_team_member_email": organisation_team_member_email,
        }
        await self._post(
            "/organisations/notify-service-member-of-rejected-go-live-request/{service_id}",
            body,
            service_id=service_id,
        )
