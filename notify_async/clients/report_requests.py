"""``notify.report_requests``: async port of the admin app's ``ReportRequestClient``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notify_async.clients._base import BaseClient
from notify_async.clients._shape import expect, unwrap
from notify_async.types import IdOnly, ReportRequestResponse


class ReportRequestClient(BaseClient):
    """Reports that the API builds in the background for a service.

    Errors: as every sub-client (see :class:`~notify_async.clients._base.BaseClient`).
    """

    async def get_report_request(
        self, service_id: str, report_request_id: str
    ) -> ReportRequestResponse:
        """One report request and its status."""
        response = await self._get(
            "/service/{service_id}/report-request/{report_request_id}",
            service_id=service_id,
            report_request_id=report_request_id,
        )
        return expect(response, ReportRequestResponse)

    async def create_report_request(
        self, service_id: str, report_type: str, data: Mapping[str, Any]
    ) -> str:
        """Ask for a report; ``data`` (its parameters) is the JSON body as given. Returns the
        new request's id (``response["data"]["id"]``).

        ``report_type`` is sent as an encoded query parameter (the original pasted it into the
        URL unencoded); the server currently decides the type itself.
        """
        response = await self._post(
            "/service/{service_id}/report-request", data,
            params={"report_type": report_type}, service_id=service_id,
        )
        return unwrap(unwrap(response, "data", IdOnly), "id", str)
