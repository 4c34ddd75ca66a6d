"""Organisations and the invitations to their teams and to services' teams
(``notify.organisations``, ``notify.invites``, ``notify.org_invites``)."""

from __future__ import annotations

from notify_async.types._compat import TypedDict
from notify_async.types.common import JSONObject


class Organisation(TypedDict):
    """An organisation as ``GET /organisations/{id}`` shows it."""

    active: bool
    agreement_signed: bool | None
    agreement_signed_at: str | None
    agreement_signed_by_id: str | None
    agreement_signed_on_behalf_of_email_address: str | None
    agreement_signed_on_behalf_of_name: str | None
    agreement_signed_version: float | None
    billing_contact_email_addresses: str | None
    billing_contact_names: str | None
    billing_reference: str | None
    can_approve_own_go_live_requests: bool
    count_of_live_services: int
    crown: bool | None
    domains: list[str]
    email_branding_id: str | None
    id: str
    letter_branding_id: str | None
    name: str
    notes: str | None
    organisation_type: str | None
    permissions: list[str]
    purchase_order_number: str | None
    request_to_go_live_notes: str | None


class OrganisationSummary(TypedDict):
    """An organisation in the list of all organisations or a search result."""

    active: bool
    count_of_live_services: int
    domains: list[str]
    id: str
    name: str
    organisation_type: str | None


class OrganisationSearchResponse(TypedDict):
    """``{"data": [<organisation summary>, ...]}``."""

    data: list[OrganisationSummary]


class ServicesAndUsage(TypedDict):
    """An organisation's services with their usage in a financial year (items as the API
    lists them)."""

    services: list[JSONObject]
    updated_at: str | None


class Invite(TypedDict):
    """An invitation to a service's team (``permissions`` is one comma-separated string)."""

    auth_type: str
    created_at: str
    email_address: str
    folder_permissions: list[str]
    from_user: str
    id: str
    permissions: str
    service: str
    status: str


class OrgInvite(TypedDict):
    """An invitation to an organisation's team."""

    created_at: str
    email_address: str
    id: str
    invited_by: str
    organisation: str
    permissions: list[str]
    status: str
