"""One module per original client; each class is one attribute of the facade."""

from __future__ import annotations

from notify_async.clients.api_keys import ApiKeyApiClient
from notify_async.clients.billing import BillingAPIClient
from notify_async.clients.complaints import ComplaintApiClient
from notify_async.clients.contact_lists import ContactListApiClient
from notify_async.clients.document_download import DocumentDownloadAPIClient
from notify_async.clients.email_branding import EmailBrandingClient
from notify_async.clients.events import EventsApiClient
from notify_async.clients.inbound_numbers import InboundNumberClient
from notify_async.clients.invites import InviteApiClient
from notify_async.clients.jobs import JobApiClient
from notify_async.clients.letter_attachments import LetterAttachmentClient
from notify_async.clients.letter_branding import LetterBrandingClient
from notify_async.clients.letter_jobs import LetterJobsClient
from notify_async.clients.letter_rates import LetterRateApiClient
from notify_async.clients.notifications import NotificationApiClient
from notify_async.clients.org_invites import OrgInviteApiClient
from notify_async.clients.organisations import OrganisationsClient
from notify_async.clients.performance_dashboard import PerformanceDashboardAPIClient
from notify_async.clients.platform_admin import AdminApiClient
from notify_async.clients.protected_sender_ids import ProtectedSenderIDApiClient
from notify_async.clients.providers import ProviderClient
from notify_async.clients.report_requests import ReportRequestClient
from notify_async.clients.services import ServiceAPIClient
from notify_async.clients.sms_rates import SMSRateApiClient
from notify_async.clients.status import StatusApiClient
from notify_async.clients.template_email_files import TemplateEmailFileClient
from notify_async.clients.template_folders import TemplateFolderAPIClient
from notify_async.clients.template_statistics import TemplateStatisticsApiClient
from notify_async.clients.unsubscribe_requests import UnsubscribeApiClient
from notify_async.clients.uploads import UploadApiClient
from notify_async.clients.users import UserApiClient

__all__ = [
    "AdminApiClient",
    "ApiKeyApiClient",
    "BillingAPIClient",
    "ComplaintApiClient",
    "ContactListApiClient",
    "DocumentDownloadAPIClient",
    "EmailBrandingClient",
    "EventsApiClient",
    "InboundNumberClient",
    "InviteApiClient",
    "JobApiClient",
    "LetterAttachmentClient",
    "LetterBrandingClient",
    "LetterJobsClient",
    "LetterRateApiClient",
    "NotificationApiClient",
    "OrgInviteApiClient",
    "OrganisationsClient",
    "PerformanceDashboardAPIClient",
    "ProtectedSenderIDApiClient",
    "ProviderClient",
    "ReportRequestClient",
    "SMSRateApiClient",
    "ServiceAPIClient",
    "StatusApiClient",
    "TemplateEmailFileClient",
    "TemplateFolderAPIClient",
    "TemplateStatisticsApiClient",
    "UnsubscribeApiClient",
    "UploadApiClient",
    "UserApiClient",
]
