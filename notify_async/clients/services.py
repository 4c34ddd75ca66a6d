"""``notify.services``: async port of the admin app's ``ServiceAPIClient``.

The original class has 69 methods; they are grouped in mixins so each module stays readable.
"""

from __future__ import annotations

from notify_async.clients._service_core import ServiceCoreMixin
from notify_async.clients._service_reports import ServiceReportsMixin
from notify_async.clients._service_settings import ServiceSettingsMixin
from notify_async.clients._service_templates import ServiceTemplatesMixin


class ServiceAPIClient(
    ServiceCoreMixin, ServiceTemplatesMixin, ServiceSettingsMixin, ServiceReportsMixin
):
    """Methods of the original ``ServiceAPIClient``
    (``app/notify_client/service_api_client.py``)."""
