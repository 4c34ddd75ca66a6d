"""Templates, template folders, template usage, files linked from e-mails and letter
attachments (``notify.services``, ``notify.template_folders``, ``notify.template_statistics``,
``notify.template_email_files``, ``notify.letter_attachments``)."""

from __future__ import annotations

from notify_async.types._compat import TypedDict
from notify_async.types.common import JSONObject, UserRef


class _TemplateFields(TypedDict):
    archived: bool
    content: str
    created_at: str
    email_files: list[JSONObject]
    has_unsubscribe_link: bool
    hidden: bool
    id: str
    is_precompiled_letter: bool
    letter_attachment: JSONObject | None
    letter_languages: str | None
    letter_welsh_content: str | None
    letter_welsh_subject: str | None
    name: str
    postage: str | None
    reply_to: str | None
    reply_to_text: str | None
    service: str
    service_letter_contact: str | None
    subject: str | None
    template_redacted: str
    template_type: str
    updated_at: str | None
    version: int


class Template(_TemplateFields):
    """A template's latest version (``created_by`` is the author's id)."""

    created_by: str
    folder: str | None
    redact_personalisation: bool


class TemplateVersion(_TemplateFields):
    """One stored version of a template (``created_by`` is the author)."""

    created_by: UserRef


class TemplateResponse(TypedDict):
    """``{"data": <template>}``."""

    data: Template


class TemplateVersionResponse(TypedDict):
    """``{"data": <template version>}``."""

    data: TemplateVersion


class TemplateVersionsResponse(TypedDict):
    """``{"data": [<template version>, ...]}``."""

    data: list[TemplateVersion]


class TemplateSummary(TypedDict):
    """A template in the service's list."""

    folder: str | None
    id: str
    is_precompiled_letter: bool
    name: str
    template_type: str


class TemplateSummariesResponse(TypedDict):
    """``{"data": [<template summary>, ...]}``."""

    data: list[TemplateSummary]


class TemplateFolder(TypedDict):
    """A template folder."""

    id: str
    name: str
    parent_id: str | None
    service_id: str
    users_with_permission: list[str]


class RootFolder(TypedDict):
    """The synthetic top-level folder (never sent by the API)."""

    id: None
    name: str
    parent_id: None


class TemplateStatistics(TypedDict):
    """How many notifications of one status a template sent."""

    count: int
    is_precompiled_letter: bool
    status: str
    template_id: str
    template_name: str
    template_type: str


class MonthlyTemplateUsage(TypedDict):
    """How often a template was used in one month."""

    count: int
    is_precompiled_letter: bool
    month: int
    name: str
    template_id: str
    type: str
    year: int


class TemplateEmailFile(TypedDict):
    """A file linked from an e-mail template."""

    archived_at: str | None
    archived_by: str | None
    created_at: str
    created_by: str
    created_by_id: str
    filename: str
    id: str
    link_text: str | None
    pending: bool
    retention_period: int
    template: str
    template_id: str
    template_version: int
    updated_at: str | None
    validate_users_email: bool
    version: int


class TemplateEmailFileResponse(TypedDict):
    """``{"data": <template e-mail file>}``."""

    data: TemplateEmailFile


class LetterAttachment(TypedDict):
    """PDF pages attached to a letter template."""

    archived_at: str | None
    archived_by_id: str | None
    created_at: str
    created_by_id: str
    id: str
    original_filename: str
    page_count: int


class LetterPreview(TypedDict):
    """A letter notification's preview: the PDF or PNG, base64-encoded, in ``content``."""

    content: str
