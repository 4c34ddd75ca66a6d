"""A service's senders, callback APIs, inbound SMS, data retention, returned letters and
unsubscribe-request reports (``notify.services``)."""

from __future__ import annotations

from notify_async.types._compat import TypedDict
from notify_async.types.common import JSONObject


class ReplyToEmailAddress(TypedDict):
    """A reply-to e-mail address of a service."""

    archived: bool
    created_at: str
    email_address: str
    id: str
    is_default: bool
    service_id: str
    updated_at: str | None


class ReplyToEmailAddressResponse(TypedDict):
    """``{"data": <reply-to address>}``."""

    data: ReplyToEmailAddress


class LetterContact(TypedDict):
    """A letter contact block of a service."""

    archived: bool
    contact_block: str
    created_at: str
    id: str
    is_default: bool
    service_id: str
    updated_at: str | None


class LetterContactResponse(TypedDict):
    """``{"data": <letter contact>}``."""

    data: LetterContact


class SmsSender(TypedDict):
    """An SMS sender of a service."""

    archived: bool
    created_at: str
    id: str
    inbound_number_id: str | None
    is_default: bool
    service_id: str
    sms_sender: str
    updated_at: str | None


class SmsSenderResponse(TypedDict):
    """``{"data": <SMS sender>}`` (only archiving wraps the sender this way)."""

    data: SmsSender


class CallbackApi(TypedDict):
    """A service's delivery-status or inbound-SMS callback API (its token is never shown)."""

    created_at: str
    id: str
    service_id: str
    updated_at: str | None
    updated_by_id: str
    url: str


class CallbackApiResponse(TypedDict):
    """``{"data": <callback API>}``."""

    data: CallbackApi


class InboundSms(TypedDict):
    """One text message received by a service."""

    content: str
    created_at: str
    id: str
    notify_number: str
    service_id: str
    user_number: str


class InboundSmsResponse(TypedDict):
    """``{"data": [<inbound SMS>, ...]}``."""

    data: list[InboundSms]


class MostRecentInboundSmsPage(TypedDict):
    """One page of the latest message from each number; ``has_next`` says whether another
    page follows."""

    data: list[InboundSms]
    has_next: bool


class InboundSmsSummary(TypedDict):
    """How many messages the service received and when the latest arrived."""

    count: int
    most_recent: str | None


class DataRetention(TypedDict):
    """How long a service keeps notifications of one type."""

    created_at: str
    days_of_retention: int
    id: str
    notification_type: str
    service_id: str
    service_name: str
    updated_at: str | None


class DataRetentionCreated(TypedDict):
    """``{"result": <data retention>}`` (``create_service_data_retention``)."""

    result: DataRetention


class ReturnedLetterStatistics(TypedDict):
    """How many of the service's letters came back, and the latest report's date."""

    most_recent_report: str | None
    returned_letter_count: int


class ReturnedLetterSummary(TypedDict):
    """Returned letters reported on one day."""

    reported_at: str
    returned_letter_count: int


class ReturnedLetters(TypedDict):
    """The letters reported as returned on one day (items as the API lists them)."""

    orphaned_count: int
    returned_letters: list[JSONObject]


class UnsubscribeReportCreated(TypedDict):
    """The answer to ``create_unsubscribe_request_report``."""

    report_id: str
