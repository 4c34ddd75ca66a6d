"""``notify.notifications``: async port of the admin app's ``NotificationApiClient``."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from notify_async._pagination import links_next, next_page, paginate
from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, optional, unwrap
from notify_async.errors import InvalidArgumentError
from notify_async.types import (
    CsvNotification,
    CsvNotificationsPage,
    JSONObject,
    LetterPreview,
    Notification,
    NotificationCreated,
    NotificationsPage,
)

_SERVICE_NOTIFICATIONS = "/service/{service_id}/notifications"
_JOB_NOTIFICATIONS = "/service/{service_id}/job/{job_id}/notifications"


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class NotificationApiClient(BaseClient):
    """Notifications of a service: listing, sending one-off messages, letter previews
    (``app/notify_client/notification_api_client.py`` in the original).

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_notifications_for_service(
        self,
        service_id: str,
        job_id: str | None = None,
        template_type: str | list[str] | None = None,
        status: str | list[str] | None = None,
        page: int | None = None,
        page_size: int | None = None,
        count_pages: bool | None = None,
        limit_days: int | None = None,
        include_jobs: bool | None = None,
        include_from_test_key: bool | None = None,
        to: str | None = None,
        include_one_off: bool | None = None,
    ) -> NotificationsPage:
        """One page of the service's notifications (or of one job's, with ``job_id``);
        :meth:`iter_notifications_for_service` follows the pages.

        Filters left as None are not sent; a list filter becomes repeated query keys (an array
        in a JSON body). ``limit_days`` applies only without ``job_id``. When ``to`` (a search
        for a recipient, i.e. an e-mail address or phone number) is set, the filters go as a
        JSON body of a POST so the recipient stays out of URLs and logs.

        Both ``job_id`` and ``to`` raise :class:`~notify_async.errors.InvalidArgumentError`
        before sending: the original sent a POST to the job's notifications, a route the API
        serves only for GET (it answers 405), and searching within one job is not something the
        API offers (sending the recipient in a GET query instead would put PII in the URL).
        """
        if job_id and to:
            raise InvalidArgumentError(
                "get_notifications_for_service: the API cannot search a job's notifications for "
                "a recipient; pass either job_id or to, not both"
            )
        filters = _without_none(
            {
                "page": page,
                "page_size": page_size,
                "template_type": template_type,
                "status": status,
                "include_jobs": include_jobs,
                "include_from_test_key": include_from_test_key,
                "to": to,
                "include_one_off": include_one_off,
                "count_pages": count_pages,
            }
        )
        path = _JOB_NOTIFICATIONS if job_id else _SERVICE_NOTIFICATIONS
        if not job_id and limit_days is not None:
            filters["limit_days"] = limit_days
        if to:
            response = await self._post(path, filters, service_id=service_id, job_id=job_id)
        else:
            response = await self._get(path, filters, service_id=service_id, job_id=job_id)
        return expect(response, NotificationsPage)

    async def iter_notifications_for_service(
        self,
        service_id: str,
        job_id: str | None = None,
        template_type: str | list[str] | None = None,
        status: str | list[str] | None = None,
        page_size: int | None = None,
        limit_days: int | None = None,
        include_jobs: bool | None = None,
        include_from_test_key: bool | None = None,
        include_one_off: bool | None = None,
        *,
        max_items: int | None = None,
    ) -> AsyncIterator[Notification]:
        """Every notification of the service (or of one job) matching the filters of
        :meth:`get_notifications_for_service`, newest first, page after page (at most
        ``max_items``).

        There is no ``to``: the API answers a search by recipient with its first page only, so
        use :meth:`get_notifications_for_service` for that. Each page is fetched when needed;
        raises what :meth:`get_notifications_for_service` raises, after the notifications of
        the pages before.
        """
        pages = paginate(
            lambda page: self.get_notifications_for_service(
                service_id, job_id, template_type, status, page, page_size,
                limit_days=limit_days, include_jobs=include_jobs,
                include_from_test_key=include_from_test_key, include_one_off=include_one_off,
            ),
            1, lambda page: page["notifications"], next_page(links_next), max_items=max_items,
        )
        async for notification in pages:
            yield notification

    async def get_notifications_for_service_for_csv(
        self,
        service_id: str,
        job_id: str | None = None,
        template_type: str | list[str] | None = None,
        status: str | list[str] | None = None,
        older_than: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
        limit_days: int | None = None,
    ) -> CsvNotificationsPage:
        """One page of notifications formatted for a CSV report, of one job (``job_id``) or of
        the whole service (then limited to ``limit_days``); filters left as None are not
        sent."""
        params: dict[str, Any] = {
            "older_than": older_than,
            "page": page,
            "page_size": page_size,
            "template_type": template_type,
            "status": status,
        }
        if job_id:
            params["format_for_csv"] = True
            response = await self._get(
                _JOB_NOTIFICATIONS, params, service_id=service_id, job_id=job_id
            )
        else:
            params["limit_days"] = limit_days
            response = await self._get(
                _SERVICE_NOTIFICATIONS + "/csv", params, service_id=service_id
            )
        return expect(response, CsvNotificationsPage)

    async def iter_notifications_for_service_for_csv(
        self,
        service_id: str,
        job_id: str | None = None,
        template_type: str | list[str] | None = None,
        status: str | list[str] | None = None,
        page_size: int | None = None,
        limit_days: int | None = None,
        *,
        max_items: int | None = None,
    ) -> AsyncIterator[CsvNotification]:
        """Every CSV row of :meth:`get_notifications_for_service_for_csv`, page after page (at
        most ``max_items``): a job's pages by number while ``links`` names a next one, the
        service's by asking for the rows ``older_than`` the last one seen until a page comes
        back short. Raises what :meth:`get_notifications_for_service_for_csv` raises, after the
        rows of the pages before."""

        def fetch(cursor: tuple[int, str | None]) -> Awaitable[CsvNotificationsPage]:
            page, older = cursor
            return self.get_notifications_for_service_for_csv(
                service_id, job_id, template_type, status, older_than=older,
                page=page if job_id else None, page_size=page_size, limit_days=limit_days,
            )

        def following(
            page: CsvNotificationsPage, cursor: tuple[int, str | None]
        ) -> tuple[int, str | None] | None:
            rows = page["notifications"]
            if job_id:
                return (cursor[0] + 1, None) if links_next(page) else None
            return (cursor[0], rows[-1]["id"]) if len(rows) >= page["page_size"] else None

        first: tuple[int, str | None] = (1, None)
        pages = paginate(fetch, first, lambda page: page["notifications"], following,
                         max_items=max_items)
        async for row in pages:
            yield row

    async def send_notification(
        self,
        service_id: str,
        *,
        template_id: str,
        recipient: str,
        personalisation: dict[str, Any] | None,
        sender_id: str | None,
    ) -> NotificationCreated:
        """Send a one-off message from a template to ``recipient`` (sent as ``to``), with the
        e-mail reply-to or SMS sender ``sender_id`` when given.

        Needs an acting user (``request_context(user_id=...)``; raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise).
        """
        body = self._with_created_by(
            {"template_id": template_id, "to": recipient, "personalisation": personalisation}
        )
        if sender_id:
            body["sender_id"] = sender_id
        response = await self._post(
            "/service/{service_id}/send-notification", body, service_id=service_id
        )
        return expect(response, NotificationCreated)

    async def send_precompiled_letter(
        self,
        service_id: str,
        filename: str,
        file_id: str,
        postage: str,
        recipient_address: str,
    ) -> NotificationCreated:
        """Send an uploaded PDF letter (``file_id``). Needs an acting user (raises
        :class:`~notify_async.errors.MissingActingUserError` otherwise)."""
        body = self._with_created_by(
            {
                "filename": filename,
                "file_id": file_id,
                "postage": postage,
                "recipient_address": recipient_address,
            }
        )
        response = await self._post(
            "/service/{service_id}/send-pdf-letter", body, service_id=service_id
        )
        return expect(response, NotificationCreated)

    async def get_notification(self, service_id: str, notification_id: str) -> Notification:
        """One notification of the service."""
        response = await self._get(
            _SERVICE_NOTIFICATIONS + "/{notification_id}",
            service_id=service_id,
            notification_id=notification_id,
        )
        return expect(response, Notification)

    async def get_notification_letter_preview(
        self, service_id: str, notification_id: str, file_type: str, page: int | None = None
    ) -> LetterPreview:
        """A letter notification's preview (``file_type`` ``pdf`` or ``png``; for a PNG, the
        1-based ``page``). ``page`` is sent as an encoded query parameter (the original pasted
        it into the URL); a falsy page is not sent."""
        response = await self._get(
            "/service/{service_id}/template/preview/{notification_id}/{file_type}",
            {"page": page} if page else None,
            service_id=service_id,
            notification_id=notification_id,
            file_type=file_type,
        )
        return expect(response, LetterPreview)

    async def update_notification_to_cancelled(
        self, service_id: str, notification_id: str
    ) -> Notification:
        """Cancel a letter that has not been printed yet; returns the notification."""
        response = await self._post(
            _SERVICE_NOTIFICATIONS + "/{notification_id}/cancel",
            {},
            service_id=service_id,
            notification_id=notification_id,
        )
        return expect(response, Notification)

    async def get_notification_status_by_service(
        self, start_date: dt.date | str, end_date: dt.date | str
    ) -> list[JSONObject]:
        """Monthly notification counts per service between the two dates (platform admin).

        The original's path had no leading slash; both resolve below the base URL's path.
        """
        response = await self._get(
            "/service/monthly-data-by-service",
            {"start_date": str(start_date), "end_date": str(end_date)},
        )
        return expect(response, list[JSONObject])

    async def get_notification_count_for_job_id(self, *, service_id: str, job_id: str) -> int:
        """How many notifications the job has created so far (``response["count"]``)."""
        response = await self._get(
            "/service/{service_id}/job/{job_id}/notification_count",
            service_id=service_id,
            job_id=job_id,
        )
        return unwrap(response, "count", int)

    async def get_notifications_count_for_service(
        self, service_id: str, template_type: str | None, limit_days: int | None
    ) -> int | None:
        """How many notifications of ``template_type`` the service sent in the last
        ``limit_days`` days (None when the API's answer has no count)."""
        response = await self._get(
            _SERVICE_NOTIFICATIONS + "/count",
            {"template_type": template_type, "limit_days": limit_days},
            service_id=service_id,
        )
        return optional(response, "notifications_sent_count", int)
