"""Behaviour of ``notify.users`` beyond the catalogue checks: error translation (and the fixed
``verify_password``), attribute checks, the ``user-{id}`` cache entry and the order of cache
effects, what needs ``admin_base_url``, credentials, and PII kept out of URLs and errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient
from notify_async.cache import MemoryCache
from notify_async.errors import (
    BadRequestError,
    ConfigurationError,
    HTTPError,
    InvalidArgumentError,
    NotFoundError,
    ServerError,
    TransportError,
)
from tests.client_events import Timeline
from tests.conftest import make_client
from tests.harness import sample_uuid

USER_ID = sample_uuid("user_id")
SERVICE_ID = sample_uuid("service_id")
EMAIL = "ada.lovelace@example.gov.uk"
USER = {"data": {"id": USER_ID, "name": "Ada"}}

Call = Callable[[NotifyAdminClient], Awaitable[Any]]


def _mock(*responses: httpx.Response | Exception) -> respx.MockRouter:
    router = respx.mock(assert_all_called=False)
    router.route().mock(side_effect=list(responses) or [httpx.Response(200, json=USER)])
    return router


def _error(status: int, message: str = "Something went wrong") -> httpx.Response:
    return httpx.Response(status, json={"result": "error", "message": message})


# --- error translation ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403, 409, 500])
async def test_verify_password_raises_unexpected_errors(status: int) -> None:
    """Fixed: the original swallowed these and returned None."""
    notify = make_client()
    with _mock(_error(status)), pytest.raises(HTTPError) as caught:
        await notify.users.verify_password(USER_ID, "correct horse battery staple")
    assert caught.value.status_code == status
    assert "correct horse" not in str(caught.value)


async def test_verify_password_raises_when_the_api_cannot_be_reached() -> None:
    notify = make_client()
    with _mock(httpx.ConnectError("refused")), pytest.raises(TransportError):
        await notify.users.verify_password(USER_ID, "secret")


TRANSLATING: dict[str, tuple[Call, int]] = {
    # method: (call, a status it does NOT translate)
    "check_verify_code": (lambda n: n.users.check_verify_code(USER_ID, "123456", "sms"), 403),
    "complete_webauthn_login_attempt": (
        lambda n: n.users.complete_webauthn_login_attempt(USER_ID, True, None), 400
    ),
    "get_user_by_email_or_none": (lambda n: n.users.get_user_by_email_or_none(EMAIL), 500),
}


@pytest.mark.parametrize("method", sorted(TRANSLATING))
async def test_statuses_not_translated_are_raised(method: str) -> None:
    call, status = TRANSLATING[method]
    with _mock(_error(status)), pytest.raises(HTTPError) as caught:
        await call(make_client())
    assert caught.value.status_code == status


async def test_check_verify_code_returns_the_servers_field_errors() -> None:
    errors = {"code": ["Code has expired"]}
    notify = make_client()
    with _mock(httpx.Response(400, json={"result": "error", "message": errors})):
        assert await notify.users.check_verify_code(USER_ID, "1", "sms") == (False, errors)


async def test_get_user_by_email_keeps_the_address_out_of_url_and_error() -> None:
    notify = make_client()
    with _mock(_error(404, "Not found")) as router:
        with pytest.raises(NotFoundError) as caught:
            await notify.users.get_user_by_email(EMAIL)
        request = router.calls[0].request
    assert (request.method, request.url.path) == ("POST", "/user/email")
    assert EMAIL not in str(request.url)
    assert EMAIL not in str(caught.value)
    assert EMAIL not in repr(caught.value)


# --- update_user_attribute checks -----------------------------------------------------------


@pytest.mark.parametrize("value", [True, 0, None, "", "False", 1])
async def test_update_user_attribute_refuses_platform_admin_other_than_false(value: Any) -> None:
    notify = make_client()
    with _mock() as router:
        with pytest.raises(InvalidArgumentError, match="platform_admin") as caught:
            await notify.users.update_user_attribute(USER_ID, platform_admin=value)
        assert not router.calls
    assert isinstance(caught.value, TypeError)


async def test_update_user_attribute_refuses_unknown_attributes_naming_only_the_names() -> None:
    notify = make_client()
    with _mock() as router:
        with pytest.raises(InvalidArgumentError) as caught:
            await notify.users.update_user_attribute(
                USER_ID, name="Ada", password="hunter2", state="active"
            )
        assert not router.calls
    assert caught.value.args == ("Not allowed to update user attributes: password, state",)
    assert "hunter2" not in str(caught.value)


async def test_update_user_attribute_may_revoke_platform_admin() -> None:
    notify = make_client()
    with _mock() as router:
        assert await notify.users.update_user_attribute(USER_ID, platform_admin=False) == USER[
            "data"
        ]
        assert json.loads(router.calls[0].request.content) == {"platform_admin": False}


async def test_refused_update_leaves_the_cached_user_alone() -> None:
    """Unlike the original, whose check ran after the first cache delete: nothing was sent."""
    cache = MemoryCache()
    notify = make_client(cache)
    await cache.set(f"user-{USER_ID}", json.dumps(USER).encode(), 600)
    with _mock(), pytest.raises(InvalidArgumentError):
        await notify.users.update_user_attribute(USER_ID, platform_admin=True)
    assert await cache.get(f"user-{USER_ID}") == json.dumps(USER).encode()


# --- the user-{id} cache entry --------------------------------------------------------------


async def test_get_user_reads_through_one_normalised_entry() -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    with _mock(httpx.Response(200, json=USER)) as router:
        assert await notify.users.get_user(USER_ID.upper()) == USER["data"]
        assert await notify.users.get_user(USER_ID) == USER["data"]
        assert len(router.calls) == 1
    assert json.loads(await cache.get(f"user-{USER_ID}") or b"null") == USER  # whole answer


WRITES: dict[str, Call] = {
    "update_password": lambda n: n.users.update_password(USER_ID, "new secret"),
    "verify_password": lambda n: n.users.verify_password(USER_ID, "secret"),
    "reset_failed_login_count": lambda n: n.users.reset_failed_login_count(USER_ID),
    "archive_user": lambda n: n.users.archive_user(USER_ID),
    "activate_user": lambda n: n.users.activate_user(USER_ID),
    "set_organisation_permissions": lambda n: n.users.set_organisation_permissions(
        USER_ID, sample_uuid("org"), []
    ),
}


@pytest.mark.parametrize("method", sorted(WRITES))
async def test_writes_make_get_user_ask_again(method: str) -> None:
    notify = make_client()
    with _mock(*[httpx.Response(200, json=USER)] * 3) as router:
        await notify.users.get_user(USER_ID)
        await WRITES[method](notify)
        await notify.users.get_user(USER_ID)
        assert [c.request.method for c in router.calls] == ["GET", "POST", "GET"]


async def test_add_user_to_service_cache_effects_nest_around_the_post() -> None:
    timeline = Timeline()
    with timeline.router:
        await timeline.notify.users.add_user_to_service(
            SERVICE_ID, USER_ID, ["send_messages"], []
        )
    service, folders, user = (
        f"service-{SERVICE_ID}", f"service-{SERVICE_ID}-template-folders", f"user-{USER_ID}"
    )
    assert timeline.events == [
        ("delete", (service,), ()),
        ("delete", (folders,), ()),
        ("delete", (user,), ()),
        ("POST", f"/service/{SERVICE_ID}/users/{USER_ID}", {
            "permissions": [
                {"permission": p} for p in ("send_emails", "send_letters", "send_texts")
            ],
            "folder_permissions": [],
        }),
        ("delete", (user,), ()),
        ("delete", (folders,), ()),
        ("delete", (service,), ()),
    ]


async def test_failed_check_still_runs_the_second_cache_delete() -> None:
    timeline = Timeline(status=500)
    with timeline.router, pytest.raises(ServerError):
        await timeline.notify.users.check_verify_code(USER_ID, "123456", "sms")
    assert [e[0] for e in timeline.events] == ["delete", "POST", "delete"]


# --- admin_base_url -------------------------------------------------------------------------

NEEDS_ADMIN_URL: dict[str, Call] = {
    "send_verify_code-email": lambda n: n.users.send_verify_code(USER_ID, "email", EMAIL),
    "send_verify_email": lambda n: n.users.send_verify_email(USER_ID, EMAIL),
    "send_reset_password_url": lambda n: n.users.send_reset_password_url(EMAIL),
}


@pytest.mark.parametrize("case", sorted(NEEDS_ADMIN_URL))
async def test_links_need_admin_base_url(case: str) -> None:
    notify = make_client(admin_base_url=None)
    with _mock() as router:
        with pytest.raises(ConfigurationError) as caught:
            await NEEDS_ADMIN_URL[case](notify)
        assert not router.calls
    assert EMAIL not in str(caught.value)


async def test_sms_code_needs_no_admin_base_url() -> None:
    notify = make_client(admin_base_url=None)
    with _mock(httpx.Response(204)) as router:
        await notify.users.send_verify_code(USER_ID, "sms", "07700900123")
        assert json.loads(router.calls[0].request.content) == {"to": "07700900123"}


# --- WebAuthn credentials -------------------------------------------------------------------


class _Credential:
    def serialize(self) -> dict[str, str]:
        return {"name": "Key", "credential_data": "ZGF0YQ==", "registration_response": "cmVn"}


@pytest.mark.parametrize("credential", [_Credential(), _Credential().serialize()],
                         ids=["serialize", "mapping"])
async def test_credential_body(credential: Any) -> None:
    notify = make_client()
    with _mock() as router:
        await notify.users.create_webauthn_credential_for_user(USER_ID, credential)
        assert json.loads(router.calls[0].request.content) == _Credential().serialize()


@pytest.mark.parametrize("credential", ["name", None, ["name", "data"]])
async def test_credential_of_another_kind_is_refused(credential: Any) -> None:
    notify = make_client()
    with _mock() as router:
        with pytest.raises(InvalidArgumentError, match="serialize"):
            await notify.users.create_webauthn_credential_for_user(USER_ID, credential)
        assert not router.calls


async def test_register_user_refusal_is_raised() -> None:
    notify = make_client()
    errors = {"email_address": ["Not a valid email address"]}
    with (
        _mock(httpx.Response(400, json={"result": "error", "message": errors})),
        pytest.raises(BadRequestError) as caught,
    ):
        await notify.users.register_user("Ada", EMAIL, None, "secret", "email_auth")
    assert caught.value.message == errors
