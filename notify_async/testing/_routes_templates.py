"""Templates: create, get (current or one version), list, update (new versions), versions."""

from __future__ import annotations

import re
from typing import Any

from notify_async.testing._http import (
    Call,
    FakeError,
    Reply,
    RouteTable,
    check_choice,
    field_error,
    not_found,
    refuse_unknown,
    require,
)
from notify_async.testing._state import JSON, Store, iso, new_id, snapshot

ROUTES = RouteTable()

TEMPLATE_TYPES = ("email", "sms", "letter")
SMS_CHAR_LIMIT = 918
_CREATE_FIELDS = (
    "name", "template_type", "content", "service", "created_by", "subject", "parent_folder_id",
    "has_unsubscribe_link", "letter_languages", "letter_welsh_subject", "letter_welsh_content",
    "postage",
)
#: Changes that make a new version (anything else updates the current one in place).
_VERSIONED = (
    "name", "content", "subject", "postage", "letter_languages", "letter_welsh_subject",
    "letter_welsh_content", "has_unsubscribe_link", "archived", "reply_to",
)
_UPDATE_FIELDS = (*_VERSIONED, "created_by", "redact_personalisation", "archive_email_file_ids")
_SUMMARY_FIELDS = ("folder", "id", "is_precompiled_letter", "name", "template_type")
_PLACEHOLDERS = re.compile(r"\(\(([^()]+?)\)\)")


def placeholders(template: JSON) -> list[str]:
    """The ``((name))`` placeholders of a template's subject and content, in order, once each."""
    text = f"{template.get('subject') or ''} {template['content']}"
    names: list[str] = []
    for name in _PLACEHOLDERS.findall(text):
        name = name.split("??")[0].strip()
        if name and name not in names:
            names.append(name)
    return names


def _check_content(data: dict[str, Any], template_type: str) -> None:
    if "content" in data and not str(data["content"] or "").strip():
        raise field_error("content", "Can't be empty")
    if template_type == "sms" and len(str(data.get("content", ""))) > SMS_CHAR_LIMIT:
        raise field_error(
            "content", f"Content has a character count greater than the limit of {SMS_CHAR_LIMIT}"
        )
    if template_type in ("email", "letter") and "subject" in data and not data["subject"]:
        raise field_error("subject", "Can't be empty")


def create_template(store: Store, service_id: str, data: dict[str, Any]) -> JSON:
    """Validate a create-template body and store version 1 of the template."""
    service = store.service(service_id)
    require(data, "name", "template_type", "content", "service", "created_by")
    refuse_unknown(data, _CREATE_FIELDS)
    check_choice(data, "template_type", TEMPLATE_TYPES)
    template_type = data["template_type"]
    if template_type in ("email", "letter"):
        require(data, "subject")
    _check_content(data, template_type)
    if data["service"] != service_id:
        raise field_error("service", "Does not match the service in the URL")
    if template_type not in service["permissions"]:
        raise field_error("template_type", f"Creating {template_type} messages is not allowed")
    store.user(str(data["created_by"]))
    template_id = new_id()
    template: JSON = {
        "archived": False,
        "content": data["content"],
        "created_at": iso(store.now()),
        "created_by": data["created_by"],
        "email_files": [],
        "folder": data.get("parent_folder_id"),
        "has_unsubscribe_link": bool(data.get("has_unsubscribe_link")),
        "hidden": False,
        "id": template_id,
        "is_precompiled_letter": False,
        "letter_attachment": None,
        "letter_languages": data.get("letter_languages"),
        "letter_welsh_content": data.get("letter_welsh_content"),
        "letter_welsh_subject": data.get("letter_welsh_subject"),
        "name": data["name"],
        "postage": data.get("postage") or ("second" if template_type == "letter" else None),
        "redact_personalisation": False,
        "reply_to": None,
        "reply_to_text": None,
        "service": service_id,
        "service_letter_contact": None,
        "subject": data.get("subject") if template_type != "sms" else None,
        "template_redacted": template_id,
        "template_type": template_type,
        "updated_at": None,
        "version": 1,
    }
    store.templates[template_id] = [template]
    return template


@ROUTES.add("POST", "/service/{service_id}/template")
def post_template(store: Store, call: Call) -> Reply:
    """POST /service/{id}/template: 201 ``{"data": template}``."""
    return Reply(201, {"data": snapshot(create_template(store, call.ids["service_id"],
                                                        call.data()))})


@ROUTES.add("GET", "/service/{service_id}/template")
def list_templates(store: Store, call: Call) -> Reply:
    """GET /service/{id}/template: ``{"data": [summary, ...]}`` of the unarchived templates
    (full templates with ``detailed=True``)."""
    service_id = call.ids["service_id"]
    store.service(service_id)
    current = [
        versions[-1] for versions in store.templates.values()
        if versions[-1]["service"] == service_id and not versions[-1]["archived"]
    ]
    if not call.flag("detailed"):
        current = [{field: t[field] for field in _SUMMARY_FIELDS} for t in current]
    return Reply(200, {"data": snapshot(current)})


@ROUTES.add("GET", "/service/{service_id}/template/{template_id}")
def get_template(store: Store, call: Call) -> Reply:
    """GET /service/{id}/template/{tid}: ``{"data": template}`` (its current version)."""
    versions = store.template_versions(call.ids["service_id"], call.ids["template_id"])
    return Reply(200, {"data": snapshot(versions[-1])})


@ROUTES.add("GET", "/service/{service_id}/template/{template_id}/version/{version}")
def get_template_version(store: Store, call: Call) -> Reply:
    """GET /service/{id}/template/{tid}/version/{v}: ``{"data": template}`` at version v, as
    the versions list shows it."""
    versions = store.template_versions(call.ids["service_id"], call.ids["template_id"])
    for template in versions:
        if str(template["version"]) == call.ids["version"]:
            return Reply(200, {"data": snapshot(_as_version(store, template))})
    raise not_found()


def _as_version(store: Store, template: JSON) -> JSON:
    """A template as its history shows it: without ``folder`` and ``redact_personalisation``,
    ``created_by`` expanded to the user's id, name and e-mail address."""
    entry = {k: v for k, v in template.items() if k not in ("folder", "redact_personalisation")}
    entry["created_by"] = store.user_summary(template["created_by"])
    return entry


@ROUTES.add("GET", "/service/{service_id}/template/{template_id}/versions")
def get_template_versions(store: Store, call: Call) -> Reply:
    """GET /service/{id}/template/{tid}/versions: ``{"data": [...]}`` newest first, each
    with ``created_by`` expanded to the user's id, name and e-mail address."""
    versions = store.template_versions(call.ids["service_id"], call.ids["template_id"])
    shown = [_as_version(store, template) for template in reversed(versions)]
    return Reply(200, {"data": snapshot(shown)})


@ROUTES.add("POST", "/service/{service_id}/template/{template_id}")
def update_template(store: Store, call: Call) -> Reply:
    """POST /service/{id}/template/{tid}: ``{"data": template}``. A change of content, name,
    subject (and the like) or archiving adds a version; ``redact_personalisation`` and an
    unchanged body do not. Redacting answers a JSON ``null``, as the real API does."""
    versions = store.template_versions(call.ids["service_id"], call.ids["template_id"])
    current = versions[-1]
    data = call.data()
    refuse_unknown(data, _UPDATE_FIELDS)
    require(data, "created_by")
    store.user(str(data["created_by"]))
    if current["archived"]:
        raise FakeError(400, "Template has been deleted")
    _check_content(data, current["template_type"])
    if data.get("redact_personalisation"):
        current["redact_personalisation"] = True
        return Reply(200, None)
    changes = {k: v for k, v in data.items() if k in _VERSIONED and current.get(k) != v}
    if changes:
        updated = {**current, **changes, "version": current["version"] + 1,
                   "created_by": data["created_by"], "updated_at": iso(store.now())}
        versions.append(updated)
    return Reply(200, {"data": snapshot(versions[-1])})
