"""Behaviour of ``notify.organisations``, ``notify.invites`` and ``notify.org_invites`` beyond the
catalogue checks: manual cache deletes and their order, error translation, the go-live e-mail
body, permission translation and counting, and what needs an acting user or ``admin_base_url``."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient, request_context
from notify_async.clients.invites import (
    invite_has_permission,
    translate_permissions_from_ui_to_db,
)
from notify_async.clients.organisations import default_next_steps_body
from notify_async.errors import (
    BadRequestError,
    ConfigurationError,
    InvalidArgumentError,
    MissingActingUserError,
    ServerError,
)
from tests.client_events import Timeline
from tests.conftest import make_client
from tests.harness import ADMIN_URL, USER_ID, sample_uuid

ORG_ID = sample_uuid("org_id")
SERVICE_ID = sample_uuid("service_id")


def _mock(status: int = 200, body: Any = None) -> respx.MockRouter:
    router = respx.mock(assert_all_called=False)
    router.route().mock(return_value=httpx.Response(status, json={} if body is None else body))
    return router


# --- update_organisation: manual deletes of the cached services ------------------------------

ORG_KEYS = (
    "domains",
    "organisations",
    f"organisation-{ORG_ID}-name",
    f"organisation-{ORG_ID}-email-branding-pool",
    f"organisation-{ORG_ID}-letter-branding-pool",
)


async def test_update_organisation_deletes_cached_services_after_the_post() -> None:
    timeline = Timeline()
    with timeline.router, request_context(user_id=USER_ID):
        await timeline.notify.organisations.update_organisation(
            ORG_ID, ["S-1", "s-2"], name="Renamed"
        )
    assert timeline.events == [
        ("delete", ORG_KEYS, ()),
        ("POST", f"/organisations/{ORG_ID}", {"name": "Renamed"}),
        ("delete", ("service-S-1", "service-s-2"), ()),  # ids as given, not normalised
        ("delete", ORG_KEYS, ()),
    ]


async def test_update_organisation_clears_the_service_entries() -> None:
    timeline = Timeline()
    upper = sample_uuid("s1").upper()
    await timeline.cache.set(f"service-{upper}", b'"stale"', 600)
    await timeline.cache.set("service-other", b'"kept"', 600)
    with timeline.router:
        await timeline.notify.organisations.update_organisation(ORG_ID, [upper])
    assert await timeline.cache.get(f"service-{upper}") is None
    assert await timeline.cache.get("service-other") == b'"kept"'


@pytest.mark.parametrize("cached_service_ids", [None, []])
async def test_update_organisation_without_services_makes_no_manual_delete(
    cached_service_ids: list[str] | None,
) -> None:
    timeline = Timeline()
    with timeline.router:
        await timeline.notify.organisations.update_organisation(ORG_ID, cached_service_ids)
    assert [e[1] for e in timeline.events if e[0] == "delete"] == [ORG_KEYS, ORG_KEYS]


async def test_update_organisation_keeps_service_entries_when_the_post_fails() -> None:
    timeline = Timeline(status=400, answer={"message": {"name": ["taken"]}})
    await timeline.cache.set("service-s1", b'"cached"', 600)
    with timeline.router, pytest.raises(BadRequestError):
        await timeline.notify.organisations.update_organisation(ORG_ID, ["s1"], name="x")
    assert await timeline.cache.get("service-s1") == b'"cached"'
    assert [e[0] for e in timeline.events] == ["delete", "POST", "delete"]


# --- lookups --------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "error"), [(400, BadRequestError), (500, ServerError)])
async def test_get_organisation_by_domain_raises_errors_other_than_404(
    notify: NotifyAdminClient, status: int, error: type[Exception]
) -> None:
    with _mock(status, {"message": "nope"}), pytest.raises(error):
        await notify.organisations.get_organisation_by_domain("example.gov.uk")


async def test_get_domains_reads_cached_organisations_without_a_request() -> None:
    timeline = Timeline()
    organisations = [{"domains": ["a.gov.uk"]}, {"domains": ["b.gov.uk", "c.gov.uk"]}]
    await timeline.cache.set("organisations", json.dumps(organisations).encode(), 600)
    with timeline.router:
        domains = await timeline.notify.organisations.get_domains()
    assert domains == ["a.gov.uk", "b.gov.uk", "c.gov.uk"]
    assert timeline.requests() == []


async def test_get_domains_caches_the_organisations_too() -> None:
    timeline = Timeline(answer=[{"domains": ["a.gov.uk"]}])
    with timeline.router:
        await timeline.notify.organisations.get_domains()
        organisations = await timeline.notify.organisations.get_organisations()
    assert organisations == [{"domains": ["a.gov.uk"]}]
    assert len(timeline.requests()) == 1


# --- the go-live next-steps e-mail ------------------------------------------------------------


def test_default_next_steps_body_names_the_service_and_only_the_flagged_concerns() -> None:
    unique_only = default_next_steps_body(
        service_id="s1", service_name="Bin collections", check_if_unique=True,
        unclear_service_name=False,
    )
    assert "'Bin collections'" in unique_only
    assert "might not be unique" in unique_only
    assert "## Check the service name is unique" in unique_only
    assert "clear to recipients" not in unique_only
    assert "## Make the service name clear" not in unique_only

    unclear_only = default_next_steps_body(
        service_id="s1", service_name="Bins", check_if_unique=False, unclear_service_name=True
    )
    assert "## Make the service name clear" in unclear_only
    assert "unique" not in unclear_only

    neither = default_next_steps_body(
        service_id="s1", service_name="Bins", check_if_unique=False, unclear_service_name=False
    )
    assert "concerns were flagged" not in neither


async def test_next_steps_body_comes_from_the_callers_renderer(notify: NotifyAdminClient) -> None:
    seen: list[dict[str, Any]] = []

    def render(**arguments: Any) -> str:
        seen.append(arguments)
        return "Hello from the app's own template"

    notify.organisations.use_next_steps_renderer(render)
    with _mock() as router:
        await notify.organisations.notify_org_member_about_next_steps_of_go_live_request(
            SERVICE_ID, "Bins", "member@example.gov.uk", True, False
        )
        request = router.calls.last.request
    assert seen == [{"service_id": SERVICE_ID, "service_name": "Bins", "check_if_unique": True,
                     "unclear_service_name": False}]
    assert json.loads(request.content) == {
        "to": "member@example.gov.uk", "service_name": "Bins",
        "body": "Hello from the app's own template",
    }


async def test_a_failing_renderer_sends_nothing(notify: NotifyAdminClient) -> None:
    def render(**_arguments: Any) -> str:
        raise LookupError("no such service in the app")

    notify.organisations.use_next_steps_renderer(render)
    with _mock() as router, pytest.raises(LookupError):
        await notify.organisations.notify_org_member_about_next_steps_of_go_live_request(
            SERVICE_ID, "Bins", "member@example.gov.uk", False, True
        )
    assert not router.calls


def test_use_next_steps_renderer_refuses_a_non_callable(notify: NotifyAdminClient) -> None:
    with pytest.raises(InvalidArgumentError):
        notify.organisations.use_next_steps_renderer("template.md")  # type: ignore[arg-type]


# --- service invites: permissions -------------------------------------------------------------


def test_ui_permissions_translate_to_db_permissions() -> None:
    assert translate_permissions_from_ui_to_db(["manage_service", "manage_templates"]) == {
        "manage_users", "manage_settings", "manage_templates",
    }
    assert translate_permissions_from_ui_to_db(["send_messages", "send_messages", "custom"]) == {
        "send_texts", "send_emails", "send_letters", "custom",
    }
    assert translate_permissions_from_ui_to_db([]) == set()


def _invite(permissions: str | None, status: str = "pending", service: str = SERVICE_ID) -> Any:
    return {"service": service, "status": status, "permissions": permissions}


@pytest.mark.parametrize(
    ("invite", "expected"),
    [
        (_invite("manage_settings,manage_users"), True),
        (_invite("manage_users,manage_settings", "accepted", SERVICE_ID.upper()), True),
        (_invite("manage_users"), False),
        (_invite("manage_settings,manage_users", "cancelled"), False),
        (_invite("manage_settings,manage_users", service=sample_uuid("other")), False),
        (_invite(""), False),
        (_invite(None), False),
    ],
)
def test_invite_has_permission_needs_every_db_permission(
    invite: dict[str, Any], expected: bool
) -> None:
    assert invite_has_permission(invite, SERVICE_ID, "manage_service") is expected


@pytest.mark.parametrize("permission", ["send_texts", "manage_users", "", "SEND_MESSAGES"])
async def test_count_of_invites_refuses_a_non_ui_permission_before_sending(
    notify: NotifyAdminClient, permission: str
) -> None:
    with _mock() as router, pytest.raises(TypeError):  # InvalidArgumentError is a TypeError
        await notify.invites.get_count_of_invites_with_permission(SERVICE_ID, permission)
    assert not router.calls


# --- acting user and admin_base_url -----------------------------------------------------------


async def test_create_invite_needs_an_acting_user(notify: NotifyAdminClient) -> None:
    with _mock() as router, pytest.raises(MissingActingUserError):
        await notify.invites.create_invite(
            USER_ID, SERVICE_ID, "new@example.gov.uk", ["view_activity"], "sms_auth", []
        )
    assert not router.calls


@pytest.mark.parametrize("attr", ["invites", "org_invites"])
async def test_create_invite_needs_admin_base_url(attr: str) -> None:
    notify = make_client(admin_base_url=None)
    client = getattr(notify, attr)
    args: tuple[Any, ...] = (
        (USER_ID, SERVICE_ID, "new@example.gov.uk", ["view_activity"], "sms_auth", [])
        if attr == "invites"
        else (USER_ID, ORG_ID, "new@example.gov.uk", ["can_make_services_live"])
    )
    with _mock() as router, request_context(user_id=USER_ID), pytest.raises(ConfigurationError):
        await client.create_invite(*args)
    assert not router.calls


async def test_org_invite_link_host_is_the_admin_site(notify: NotifyAdminClient) -> None:
    with _mock(body={"data": {"id": "i1"}}) as router, request_context(user_id=USER_ID):
        await notify.org_invites.create_invite(USER_ID, ORG_ID, "new@example.gov.uk", ["p"])
        body = json.loads(router.calls.last.request.content)
    assert body["invite_link_host"] == ADMIN_URL
    assert next(iter(body)) == "created_by"


@pytest.mark.parametrize("attr", ["invites", "org_invites"])
async def test_cancel_needs_an_acting_user_but_accept_does_not(
    notify: NotifyAdminClient, attr: str
) -> None:
    client = getattr(notify, attr)
    with _mock() as router:
        with pytest.raises(MissingActingUserError):
            await client.cancel_invited_user(SERVICE_ID, USER_ID)
        assert not router.calls
        assert await client.accept_invite(SERVICE_ID, USER_ID) is None
        assert json.loads(router.calls.last.request.content) == {"status": "accepted"}


async def test_accept_service_invite_clears_the_service_and_the_user() -> None:
    timeline = Timeline()
    with timeline.router:
        await timeline.notify.invites.accept_invite(SERVICE_ID, USER_ID)
    keys = (f"service-{SERVICE_ID}", f"user-{USER_ID}")
    assert timeline.events == [
        ("delete", keys, ()),
        ("POST", f"/service/{SERVICE_ID}/invite/{USER_ID}", {"status": "accepted"}),
        ("delete", keys, ()),
    ]


async def test_accept_org_invite_has_no_cache_effect() -> None:
    timeline = Timeline()
    with timeline.router:
        await timeline.notify.org_invites.accept_invite(ORG_ID, USER_ID)
    assert [e[0] for e in timeline.events] == ["POST"]
