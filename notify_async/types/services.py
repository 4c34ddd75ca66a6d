"""A service, its statistics, history, guest list and requests to join it
(``notify.services``)."""

from __future__ import annotations

from notify_async.types._compat import TypedDict
from notify_async.types.common import IdName, JSONObject


class Service(TypedDict):
    """A service as ``GET /service/{id}`` shows it."""

    active: bool
    billing_contact_email_addresses: str | None
    billing_contact_names: str | None
    billing_reference: str | None
    confirmed_email_sender_name: bool | None
    confirmed_unique: bool
    consent_to_research: bool | None
    contact_link: str | None
    count_as_live: bool
    created_by: str
    custom_email_sender_name: str | None
    email_branding: str | None
    email_message_limit: int
    email_sender_local_part: str
    go_live_at: str | None
    go_live_user: str | None
    has_active_go_live_request: bool
    id: str
    international_sms_message_limit: int
    letter_branding: str | None
    letter_message_limit: int
    name: str
    notes: str | None
    organisation: str | None
    organisation_type: str | None
    permissions: list[str]
    prefix_sms: bool
    purchase_order_number: str | None
    rate_limit: int
    restricted: bool
    service_callback_api: list[str]
    sms_message_limit: int
    volume_email: int | None
    volume_letter: int | None
    volume_sms: int | None


class ServiceResponse(TypedDict):
    """``{"data": <service>}``."""

    data: Service


class ServicesResponse(TypedDict):
    """``{"data": [<service>, ...]}`` (``get_services``, ``get_active_services``)."""

    data: list[Service]


class ServiceSummary(TypedDict):
    """A service in a search result or an organisation's list."""

    active: bool
    id: str
    name: str
    restricted: bool


class ServiceSummariesResponse(TypedDict):
    """``{"data": [<service summary>, ...]}``."""

    data: list[ServiceSummary]


class ChannelStatistics(TypedDict):
    """Notification counts of one channel."""

    delivered: int
    failed: int
    requested: int


class ServiceStatistics(TypedDict):
    """Notification counts per channel (``get_service_statistics``)."""

    email: ChannelStatistics
    letter: ChannelStatistics
    sms: ChannelStatistics


class MonthStatistics(TypedDict):
    """One month's counts per channel, each a mapping of notification status to count."""

    email: dict[str, int]
    letter: dict[str, int]
    sms: dict[str, int]


class MonthlyNotificationStatsResponse(TypedDict):
    """``{"data": {"YYYY-MM": <month statistics>, ...}}`` for a financial year."""

    data: dict[str, MonthStatistics]


class ServiceHistoryEntry(TypedDict):
    """One version of a service's settings."""

    active: bool
    created_at: str
    created_by_id: str
    custom_email_sender_name: str | None
    email_message_limit: int
    email_sender_local_part: str
    id: str
    letter_message_limit: int
    name: str
    restricted: bool
    sms_message_limit: int
    updated_at: str | None
    version: int


class ServiceHistory(TypedDict):
    """The service's versions and its API keys' versions (``get_service_history``)."""

    api_key_history: list[JSONObject]
    service_history: list[ServiceHistoryEntry]


class LiveServiceData(TypedDict):
    """One live service with its contact details and yearly totals."""

    consent_to_research: bool | None
    contact_email: str | None
    contact_mobile: str | None
    contact_name: str | None
    email_totals: int
    email_volume_intent: int | None
    free_sms_fragment_limit: int
    letter_totals: int
    letter_volume_intent: int | None
    live_date: str | None
    organisation_name: str | None
    organisation_type: str | None
    service_id: str
    service_name: str
    sms_totals: int
    sms_volume_intent: int | None


class LiveServicesDataResponse(TypedDict):
    """``{"data": [<live service data>, ...]}``."""

    data: list[LiveServiceData]


class GuestList(TypedDict):
    """Who a trial-mode service may send to."""

    email_addresses: list[str]
    phone_numbers: list[str]


class JoinRequester(TypedDict):
    """The user asking to join a service."""

    belongs_to_service: list[str]
    email_address: str
    id: str
    name: str


class ServiceJoinRequest(TypedDict):
    """A request to join a service."""

    contacted_service_users: list[str]
    created_at: str
    id: str
    reason: str | None
    requester: JoinRequester
    service_id: str
    status: str
    status_changed_at: str | None
    status_changed_by: IdName | None


class ServiceJoinRequestCreated(TypedDict):
    """The answer to ``create_service_join_request``."""

    service_join_request_id: str
