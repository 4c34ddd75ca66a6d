"""``notify.jobs``: async port of the admin app's ``JobApiClient``.

A job is one upload of a spreadsheet of recipients, sent now or scheduled. Listings filter on
job statuses; the original joined Python sets, so the order of the comma-separated ``statuses``
query value changed from process to process. Here it is always sorted (the server splits on
commas, so the order never mattered to it), which makes requests reproducible.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Final

from notify_async._pagination import links_next, next_page, paginate
from notify_async.cache import cached, invalidates
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.types import Job, JobResponse, JobsPage, ScheduledJobStats, Upload, UploadsPage

Statuses = Iterable[str]

_JOBS_PATH = "/service/{service_id}/job"


def join_statuses(statuses: Statuses) -> str:
    """One comma-separated, sorted and de-duplicated ``statuses`` query value.

    A plain string is taken as one status (the original would have split it into letters).
    """
    names = {statuses} if isinstance(statuses, str) else set(statuses)
    return ",".join(sorted(names))


class JobApiClient(BaseClient):
    """Jobs of a service (``app/notify_client/job_api_client.py`` in the original).

    Every method raises :class:`~notify_async.errors.HTTPError` (a status subclass such as
    :class:`~notify_async.errors.NotFoundError`) when the API answers with an error,
    :class:`~notify_async.errors.TransportError` when it cannot be reached, and
    :class:`~notify_async.errors.InvalidArgumentError` before sending when an id is not a valid
    path segment. The cancelling methods also raise
    :class:`~notify_async.errors.CacheInvalidationError` when the cache cannot be cleared.
    """

    SCHEDULED_JOB_STATUS: Final = "scheduled"
    CANCELLED_JOB_STATUS: Final = "cancelled"
    FINISHED_JOB_STATUS: Final = "finished"
    FINISHED_ALL_NOTIFICATIONS_CREATED_JOB_STATUS: Final = "finished all notifications created"
    #: Every job status the API knows.
    JOB_STATUSES: Final = frozenset(
        {
            SCHEDULED_JOB_STATUS,
            "pending",
            "in progress",
            FINISHED_JOB_STATUS,
            FINISHED_ALL_NOTIFICATIONS_CREATED_JOB_STATUS,
            CANCELLED_JOB_STATUS,
            "sending limits exceeded",
            "ready to send",
            "sent to dvla",
        }
    )
    NON_CANCELLED_JOB_STATUSES: Final = JOB_STATUSES - {CANCELLED_JOB_STATUS}
    NON_SCHEDULED_JOB_STATUSES: Final = JOB_STATUSES - {SCHEDULED_JOB_STATUS, CANCELLED_JOB_STATUS}
    FINISHED_JOB_STATUSES: Final = frozenset(
        {FINISHED_JOB_STATUS, FINISHED_ALL_NOTIFICATIONS_CREATED_JOB_STATUS}
    )

    async def get_job(self, service_id: str, job_id: str) -> JobResponse:
        """The job (``{"data": {...}}``, as the API answers)."""
        response = await self._get(
            _JOBS_PATH + "/{job_id}", {}, service_id=service_id, job_id=job_id
        )
        return expect(response, JobResponse)

    async def get_jobs(
        self,
        service_id: str,
        *,
        limit_days: int | None = None,
        contact_list_id: str | None = None,
        statuses: Statuses | None = None,
        page: int = 1,
    ) -> JobsPage:
        """One page of the service's jobs (the API's JSON: ``data``, ``links``, ...);
        :meth:`iter_jobs` follows the pages.

        Filters left as None are not sent; ``statuses`` is sent as one sorted, comma-separated
        value (see :func:`join_statuses`).
        """
        params: dict[str, object] = {
            "page": page,
            "limit_days": limit_days,
            "statuses": None if statuses is None else join_statuses(statuses),
            "contact_list_id": contact_list_id,
        }
        return expect(await self._get(_JOBS_PATH, params, service_id=service_id), JobsPage)

    async def iter_jobs(
        self,
        service_id: str,
        *,
        limit_days: int | None = None,
        contact_list_id: str | None = None,
        statuses: Statuses | None = None,
        max_items: int | None = None,
    ) -> AsyncIterator[Job]:
        """Every job of the service matching the filters (as :meth:`get_jobs`), newest first,
        page after page (at most ``max_items``). Each page is fetched when needed; raises what
        :meth:`get_jobs` raises, after the jobs of the pages before."""
        wanted = None if statuses is None else join_statuses(statuses)
        pages = paginate(
            lambda page: self.get_jobs(
                service_id, limit_days=limit_days, contact_list_id=contact_list_id,
                statuses=None if wanted is None else [wanted], page=page,
            ),
            1, lambda page: page["data"], next_page(links_next), max_items=max_items,
        )
        async for job in pages:
            yield job

    async def get_uploads(
        self, service_id: str, limit_days: int | None = None, page: int = 1
    ) -> UploadsPage:
        """One page of the service's uploads (jobs and uploaded letters);
        :meth:`iter_uploads` follows the pages."""
        response = await self._get(
            "/service/{service_id}/upload",
            {"page": page, "limit_days": limit_days},
            service_id=service_id,
        )
        return expect(response, UploadsPage)

    async def iter_uploads(
        self, service_id: str, limit_days: int | None = None, *, max_items: int | None = None
    ) -> AsyncIterator[Upload]:
        """Every upload of the service, page after page (at most ``max_items``); raises what
        :meth:`get_uploads` raises, after the uploads of the pages before."""
        pages = paginate(
            lambda page: self.get_uploads(service_id, limit_days, page),
            1, lambda page: page["data"], next_page(links_next), max_items=max_items,
        )
        async for upload in pages:
            yield upload

    async def has_sent_previously(
        self,
        service_id: str,
        template_id: str,
        template_version: int,
        original_file_name: str,
    ) -> bool:
        """Whether a job of today (``limit_days=0``) that was not cancelled already used this
        template version and file name (the admin's duplicate-upload warning)."""
        jobs = unwrap(await self.get_jobs(service_id, limit_days=0), "data", list[Job])
        wanted = (template_id, template_version, original_file_name)
        return any(
            (job["template"], job["template_version"], job["original_file_name"]) == wanted
            for job in jobs
            if job["job_status"] != self.CANCELLED_JOB_STATUS
        )

    async def get_page_of_jobs(
        self,
        service_id: str,
        *,
        page: int,
        statuses: Statuses | None = None,
        contact_list_id: str | None = None,
        limit_days: int | None = None,
    ) -> JobsPage:
        """One page of jobs with ``statuses`` (all but scheduled and cancelled ones when
        ``statuses`` is empty or None)."""
        return await self.get_jobs(
            service_id,
            statuses=statuses or self.NON_SCHEDULED_JOB_STATUSES,
            page=page,
            contact_list_id=contact_list_id,
            limit_days=limit_days,
        )

    async def get_immediate_jobs(self, service_id: str) -> list[Job]:
        """The jobs of the last 7 days that were not scheduled or cancelled (a list)."""
        response = await self.get_jobs(
            service_id, limit_days=7, statuses=self.NON_SCHEDULED_JOB_STATUSES
        )
        return unwrap(response, "data", list[Job])

    async def get_scheduled_jobs(self, service_id: str) -> list[Job]:
        """The scheduled jobs, latest ``scheduled_for`` first."""
        response = await self.get_jobs(service_id, statuses=[self.SCHEDULED_JOB_STATUS])
        jobs = unwrap(response, "data", list[Job])
        return sorted(jobs, key=lambda job: job["scheduled_for"] or "", reverse=True)

    async def get_scheduled_job_stats(self, service_id: str) -> ScheduledJobStats:
        """How many jobs are scheduled and when the next one is due."""
        response = await self._get(_JOBS_PATH + "/scheduled-job-stats", service_id=service_id)
        return expect(response, ScheduledJobStats)

    @cached("has_jobs-{service_id}")
    async def has_jobs(self, service_id: str) -> bool:
        """Whether the service has any job; cached (``has_jobs-{service_id}``) as true/false."""
        return bool(unwrap(await self.get_jobs(service_id), "data", list[Job]))

    async def create_job(
        self,
        job_id: str,
        service_id: str,
        scheduled_for: str | None = None,
        contact_list_id: str | None = None,
    ) -> JobResponse:
        """Start (or schedule, with ``scheduled_for``) the job of an uploaded file ``job_id``.

        Needs an acting user (``request_context(user_id=...)``; raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise). After the API accepted
        it, ``has_jobs-<service_id>`` (the id as given, as the original wrote it) is set to true
        in the cache; a cache failure there is only logged. A :meth:`has_jobs` read still in
        flight is fenced first, so it cannot store its older ``false`` over that.
        """
        body = self._with_created_by({"id": job_id})
        if scheduled_for:
            body["scheduled_for"] = scheduled_for
        if contact_list_id:
            body["contact_list_id"] = contact_list_id
        response = expect(await self._post(_JOBS_PATH, body, service_id=service_id), JobResponse)
        key = f"has_jobs-{service_id}"
        await self._cache.delete_quietly([key])
        await self._cache.put(key, True)
        return response

    @invalidates("has_jobs-{service_id}")
    async def cancel_job(self, service_id: str, job_id: str) -> JobResponse:
        """Cancel a scheduled job; returns it."""
        response = await self._post(
            _JOBS_PATH + "/{job_id}/cancel", {}, service_id=service_id, job_id=job_id
        )
        return expect(response, JobResponse)

    @invalidates("has_jobs-{service_id}")
    async def cancel_letter_job(self, service_id: str, job_id: str) -> int:
        """Cancel a letter job that has not been printed yet; returns how many letters were
        cancelled."""
        response = await self._post(
            _JOBS_PATH + "/{job_id}/cancel-letter-job", {}, service_id=service_id, job_id=job_id
        )
        return expect(response, int)
