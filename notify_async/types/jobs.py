"""Jobs (spreadsheet sends) and uploads (``notify.jobs``)."""

from __future__ import annotations

from notify_async.types._compat import NotRequired, TypedDict
from notify_async.types.common import PageLinks


class JobStatistic(TypedDict):
    """How many of a job's notifications have one status."""

    count: int
    status: str


class JobCreator(TypedDict):
    """The user who started a job."""

    id: str
    name: str | None


class JobServiceName(TypedDict):
    """The name of the job's service."""

    name: str


class Job(TypedDict):
    """One upload of a spreadsheet of recipients, sent now or scheduled."""

    archived: NotRequired[bool]
    contact_list_id: str | None
    created_at: str
    created_by: JobCreator
    id: str
    job_status: str
    notification_count: int
    notifications_delivered: NotRequired[int]
    notifications_failed: NotRequired[int]
    notifications_requested: NotRequired[int]
    original_file_name: str
    processing_finished: str | None
    processing_started: str | None
    scheduled_for: str | None
    service: str
    service_name: JobServiceName
    statistics: list[JobStatistic]
    template: str
    template_name: str
    template_type: str
    template_version: int
    updated_at: str | None


class JobResponse(TypedDict):
    """``{"data": <job>}``."""

    data: Job


class JobsPage(TypedDict):
    """One page of a service's jobs; ``links["next"]`` is set when another page follows."""

    data: list[Job]
    links: PageLinks
    page_size: int
    total: int


class ScheduledJobStats(TypedDict):
    """How many jobs are scheduled and when the next one is due."""

    count: int
    soonest_scheduled_for: str | None


class Upload(TypedDict):
    """A job or a day's uploaded letters, as the uploads list shows them (``id`` is None for a
    day of letters)."""

    created_at: str
    id: str | None
    notification_count: int
    original_file_name: str
    recipient: NotRequired[str | None]
    statistics: list[JobStatistic]
    template_type: NotRequired[str | None]
    upload_type: str


class UploadsPage(TypedDict):
    """One page of a service's uploads; ``links["next"]`` is set when another page follows."""

    data: list[Upload]
    links: PageLinks
    page_size: int
    total: int
