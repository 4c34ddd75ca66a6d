"""API keys, complaints, contact lists, events, inbound numbers, providers, report requests,
returned letters, status and the platform admin's look-ups."""

from __future__ import annotations

from notify_async.types._compat import NotRequired, TypedDict
from notify_async.types.common import IdName, JSONObject, NoData, PageLinks, UserRef


class ApiKey(TypedDict):
    """An API key of a service (its secret is shown only when it is created)."""

    created_at: str
    created_by: str
    expiry_date: str | None
    id: str
    key_type: str
    name: str
    updated_at: str | None
    version: int


class ApiKeysResponse(TypedDict):
    """``{"apiKeys": [<API key>, ...]}``."""

    apiKeys: list[ApiKey]


class Complaint(TypedDict):
    """A recipient marked an e-mail as spam."""

    complaint_date: str | None
    complaint_type: str | None
    created_at: str
    id: str
    notification_id: str
    service_id: str
    service_name: str
    ses_feedback_id: str | None


class ComplaintsPage(TypedDict):
    """One page of complaints, newest first; ``links["next"]`` is set when another page
    follows."""

    complaints: list[Complaint]
    links: PageLinks


class ContactList(TypedDict):
    """A saved spreadsheet of recipients (``created_by`` is the uploader's name)."""

    created_at: str
    created_by: str
    has_jobs: bool
    id: str
    original_file_name: str
    recent_job_count: int
    row_count: int
    service_id: str
    template_type: str


class Event(TypedDict):
    """A recorded audit event."""

    created_at: str
    data: JSONObject
    event_type: str
    id: str


class InboundNumber(TypedDict):
    """An inbound SMS number and the service using it, if any."""

    active: bool
    created_at: str
    id: str
    number: str
    provider: str
    service: IdName | None
    updated_at: str | None


class InboundNumbersResponse(TypedDict):
    """``{"data": [<inbound number>, ...]}``."""

    data: list[InboundNumber]


class ServiceInboundNumberResponse(TypedDict):
    """``{"data": <inbound number>}``, or ``{"data": {}}`` when the service has none."""

    data: InboundNumber | NoData


class ReturnedLettersReceived(TypedDict):
    """The references the API recorded as returned."""

    references: list[str]


class FindByUuidResult(TypedDict):
    """What a UUID identifies (``type``, e.g. ``service``) and where it belongs."""

    context: JSONObject
    type: str


class ProviderSummary(TypedDict):
    """A delivery provider in the list of all providers."""

    active: bool
    created_by_name: str | None
    current_month_billable_sms: int
    display_name: str
    id: str
    identifier: str
    notification_type: str
    priority: int
    reason: str | None
    supports_international: bool
    updated_at: str | None


class ProvidersResponse(TypedDict):
    """``{"provider_details": [<provider summary>, ...]}``."""

    provider_details: list[ProviderSummary]


class Provider(TypedDict):
    """One version of a delivery provider's settings."""

    active: bool
    created_by: UserRef | None
    display_name: str
    id: str
    identifier: str
    notification_type: str
    priority: int
    reason: str | None
    supports_international: bool
    updated_at: str | None
    version: int


class ProviderResponse(TypedDict):
    """``{"provider_details": <provider>}``."""

    provider_details: Provider


class ProviderVersionsResponse(TypedDict):
    """``{"data": [<provider version>, ...]}``."""

    data: list[Provider]


class ReportRequest(TypedDict):
    """A report the API builds in the background."""

    created_at: str
    id: str
    parameter: JSONObject
    report_type: str
    service_id: str
    status: str
    updated_at: str | None
    user_id: str


class ReportRequestResponse(TypedDict):
    """``{"data": <report request>}``."""

    data: ReportRequest


class Status(TypedDict):
    """The API's health check (only ``status`` with the ``simple`` query)."""

    build_time: NotRequired[str]
    db_bulk_version: NotRequired[str]
    db_version: NotRequired[str]
    git_commit: NotRequired[str]
    status: str


class LiveCounts(TypedDict):
    """How many live services and organisations there are."""

    organisations: int
    services: int
