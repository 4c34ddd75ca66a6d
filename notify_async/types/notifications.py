"""Notifications: one, a page of them, their CSV form and their counts
(``notify.notifications``, ``notify.uploads``)."""

from __future__ import annotations

from notify_async.types._compat import NotRequired, TypedDict
from notify_async.types.common import JSONObject, JSONValue, PageLinks, UserRef


class NotificationTemplate(TypedDict):
    """The template version a notification was sent from."""

    content: str
    has_unsubscribe_link: bool
    id: str
    is_precompiled_letter: bool
    letter_attachment: JSONObject | None
    letter_languages: str | None
    letter_welsh_content: str | None
    letter_welsh_subject: str | None
    name: str
    redact_personalisation: bool
    reply_to_text: str | None
    service: str
    subject: str | None
    template_type: str
    version: int


class NotificationJob(TypedDict):
    """The job a notification was sent by."""

    id: str
    original_file_name: str


class Notification(TypedDict):
    """A notification with its template."""

    api_key: str | None
    billable_units: int
    client_reference: str | None
    created_at: str
    created_by: UserRef | None
    document_download_count: int | None
    id: str
    international: bool
    job: NotificationJob | None
    job_row_number: int | None
    key_name: str | None
    key_type: str
    normalised_to: str | None
    notification_type: str
    personalisation: dict[str, JSONValue]
    phone_prefix: str | None
    postage: str | None
    rate_multiplier: float | None
    reference: str | None
    reply_to_text: str | None
    sent_at: str | None
    sent_by: str | None
    service: str
    status: str
    template: NotificationTemplate
    to: str
    unsubscribe_link: str | None
    updated_at: str | None


class NotificationsPage(TypedDict):
    """One page of notifications. ``links["next"]`` is set when another page follows;
    ``total`` comes only with a job's notifications, ``page_size`` not with a search by
    recipient."""

    links: PageLinks
    notifications: list[Notification]
    page_size: NotRequired[int]
    total: NotRequired[int]


class CsvNotification(TypedDict):
    """A notification as one row of a CSV report."""

    api_key_name: str | None
    client_reference: str | None
    created_at: str
    created_by_email_address: str | None
    created_by_name: str | None
    id: str
    job_name: str | None
    recipient: str
    row_number: int | str
    status: str
    template_name: str
    template_type: str


class CsvNotificationsPage(TypedDict):
    """One page of CSV rows: a job's come with ``links`` and ``total``; the service's are
    paged with ``older_than``."""

    notifications: list[CsvNotification]
    page_size: int
    links: NotRequired[PageLinks]
    total: NotRequired[int]


class NotificationCreated(TypedDict):
    """The new notification's id (``send_notification``, ``send_precompiled_letter``)."""

    id: str


class UploadedLettersPage(TypedDict):
    """One page of the letters uploaded for one print day."""

    links: PageLinks
    notifications: list[Notification]
    page_size: int
    total: int
