"""The fake Notify API driven through the SDK: auth, routing, errors, the request log, fault
injection, users, services and API keys. (Templates, notifications and jobs:
``test_fake_api_messages.py``.)"""

from __future__ import annotations

import json
import time

import httpx
import jwt
import pytest

from notify_async import request_context
from notify_async.errors import (
    BadRequestError,
    HTTP503Error,
    HTTPError,
    NotFoundError,
    PermissionDeniedError,
)
from notify_async.testing import DEFAULT_SECRET, FakeNotifyAPI
from tests.fake_support import TEAM_EMAIL, World, client_of, make_world

CLOCK = "Error: Your system clock must be accurate to within 30 seconds"
KEY_NOT_FOUND = "Invalid token: API key not found"


@pytest.fixture
def world() -> World:
    return make_world()


async def raw(fake: FakeNotifyAPI, method: str, path: str, *, token: str | None = None,
              **kwargs: object) -> httpx.Response:
    """One request straight to the fake, with a valid admin token unless ``token`` is given."""
    if token is None:
        token = jwt.encode({"iss": fake.client_id, "iat": int(time.time())}, fake.secret,
                           algorithm="HS256")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake),
                                 base_url="http://fake") as http:
        return await http.request(method, path, headers={"Authorization": f"Bearer {token}"},
                                  **kwargs)  # type: ignore[arg-type]


# --- auth -------------------------------------------------------------------------------------


async def test_iat_older_than_30_seconds_is_refused_with_the_clock_message(world: World) -> None:
    world.fake.advance(40)
    with pytest.raises(PermissionDeniedError) as caught:
        await world.notify.services.get_service(world.service_id)
    assert caught.value.status_code == 403
    assert caught.value.message == {"token": [CLOCK]}


async def test_iat_ahead_of_the_server_clock_is_refused(world: World) -> None:
    world.fake.advance(-40)
    with pytest.raises(PermissionDeniedError) as caught:
        await world.notify.api_keys.get_api_keys(world.service_id)
    assert caught.value.message == {"token": [CLOCK]}


async def test_clock_skew_within_30_seconds_is_accepted(world: World) -> None:
    world.fake.advance(20)
    assert await world.notify.api_keys.get_api_keys(world.service_id) == {"apiKeys": []}


async def test_wrong_secret_is_refused_like_the_real_api(world: World) -> None:
    notify = client_of(world.fake, secret="another-secret-that-is-long-enough-for-hs256")
    with pytest.raises(PermissionDeniedError) as caught:
        await notify.services.get_service(world.service_id)
    assert caught.value.message == {"token": [KEY_NOT_FOUND]}
    assert world.fake.requests[-1].status == 403


async def test_wrong_issuer_is_refused(world: World) -> None:
    notify = client_of(world.fake, client_id="someone-else")
    with pytest.raises(PermissionDeniedError):
        await notify.api_keys.get_api_keys(world.service_id)


async def test_missing_or_non_bearer_authorization_is_a_401(world: World) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.fake),
                                 base_url="http://fake") as http:
        missing = await http.get("/service")
        basic = await http.get("/service", headers={"Authorization": "Basic abc"})
    assert missing.status_code == basic.status_code == 401
    assert missing.json()["message"] == {
        "token": ["Unauthorized: authentication token must be provided"]
    }


async def test_a_token_not_signed_with_hs256_is_refused(world: World) -> None:
    token = jwt.encode({"iss": world.fake.client_id, "iat": int(time.time())},
                       DEFAULT_SECRET + "-with-more-bytes-for-hs512-keys-to-be-long-enough",
                       algorithm="HS512")
    answer = await raw(world.fake, "GET", "/service", token=token)
    assert answer.status_code == 403
    assert answer.json() == {"result": "error",
                             "message": {"token": ["Invalid token: algorithm used is not HS256"]}}


async def test_the_fake_uses_its_own_credentials() -> None:
    fake = FakeNotifyAPI("my-admin", "my-own-secret-that-is-long-enough-for-hs256")
    user = fake.add_user()
    assert (await client_of(fake).users.get_user(user["id"]))["id"] == user["id"]


# --- routing, errors, the request log -------------------------------------------------------


async def test_unimplemented_routes_answer_501_naming_the_route(world: World) -> None:
    with pytest.raises(HTTPError) as caught:
        await world.notify.services.get_service_data_retention(world.service_id)
    assert caught.value.status_code == 501
    assert caught.value.message == (
        f"FakeNotifyAPI does not implement GET /service/{world.service_id}/data-retention"
    )
    assert world.fake.requests[-1].route is None


async def test_unknown_ids_are_404_no_result_found(world: World) -> None:
    unknown = "1e3d196d-bc69-4c0f-b4b4-72fb6fd3de2d"
    for call in (
        world.notify.services.get_service(unknown),
        world.notify.users.get_user(unknown),
        world.notify.services.get_service_template(world.service_id, unknown),
        world.notify.notifications.get_notification(world.service_id, unknown),
        world.notify.jobs.get_job(world.service_id, unknown),
    ):
        with pytest.raises(NotFoundError) as caught:
            await call
        assert caught.value.response_body == {"result": "error", "message": "No result found"}


async def test_a_body_missing_fields_is_400_with_the_real_apis_messages(world: World) -> None:
    answer = await raw(world.fake, "POST", "/user", json={"name": "x"})
    assert answer.status_code == 400
    assert answer.json() == {"result": "error", "message": {
        "email_address": ["Missing data for required field."],
        "password": ["Missing data for required field."],
    }}


async def test_a_body_that_is_not_json_is_400(world: World) -> None:
    answer = await raw(world.fake, "POST", "/user", content=b"{not json")
    assert answer.status_code == 400


async def test_requests_are_recorded_with_headers_body_and_route(world: World) -> None:
    with request_context(user_id=world.user_id, trace_id="trace-1"):
        await world.notify.services.update_service(world.service_id, name="Difference Engines")
    (seen,) = world.fake.find_requests("POST", route="/service/{service_id}")
    assert seen.path == f"/service/{world.service_id}"
    assert seen.body == {"created_by": world.user_id, "name": "Difference Engines"}
    assert seen.status == 200
    assert seen.header("x-notify-user-id") == world.user_id
    assert seen.header("X-B3-TraceId") == "trace-1"
    assert (seen.header("Authorization") or "").startswith("Bearer ")
    assert "Bearer" not in repr(seen)
    assert world.user_id not in repr(seen)
    world.fake.clear_requests()
    assert world.fake.requests == []


async def test_fail_next_answers_the_next_requests_with_the_given_status(world: World) -> None:
    world.fake.fail_next("GET", "/service/{service_id}/api-keys", times=2,
                         headers={"Retry-After": "7"})
    for _ in range(2):
        with pytest.raises(HTTP503Error):
            await world.notify.api_keys.get_api_keys(world.service_id)
    assert await world.notify.api_keys.get_api_keys(world.service_id) == {"apiKeys": []}
    assert [r.status for r in world.fake.requests] == [503, 503, 200]


async def test_the_sdk_retries_a_get_the_fake_failed_once(world: World) -> None:
    from notify_async import RetryPolicy

    notify = client_of(world.fake, retry=RetryPolicy(backoff_base=0.001, backoff_max=0.001))
    world.fake.fail_next(None, f"/service/{world.service_id}/api-keys", status=502)
    assert await notify.api_keys.get_api_keys(world.service_id) == {"apiKeys": []}
    assert [r.status for r in world.fake.requests] == [502, 200]


# --- users ------------------------------------------------------------------------------------


async def test_register_then_read_a_user_by_id_and_by_email(world: World) -> None:
    notify = world.notify
    user = await notify.users.register_user(
        "Grace Hopper", "grace@example.gov.uk", "+447700900456", "a-long-passphrase", "sms_auth"
    )
    assert user["state"] == "pending"
    assert user["auth_type"] == "sms_auth"
    assert "password" not in user
    assert await notify.users.get_user(user["id"]) == user
    assert (await notify.users.get_user_by_email("GRACE@example.gov.uk"))["id"] == user["id"]
    assert await notify.users.get_user_by_email_or_none("nobody@example.gov.uk") is None


async def test_register_refuses_a_bad_or_duplicate_email(world: World) -> None:
    with pytest.raises(BadRequestError) as caught:
        await world.notify.users.register_user("X", "bad-email", None, "passphrase", "email_auth")
    assert caught.value.message == {"email_address": ["Not a valid email address"]}
    with pytest.raises(BadRequestError):
        await world.notify.users.register_user("X", TEAM_EMAIL, None, "passphrase", "email_auth")


async def test_update_user_attribute_changes_the_user(world: World) -> None:
    updated = await world.notify.users.update_user_attribute(world.user_id, name="Ada King")
    assert updated["name"] == "Ada King"
    assert world.fake.user(world.user_id)["name"] == "Ada King"


async def test_archive_user_makes_them_inactive_and_removes_them_from_services(
    world: World,
) -> None:
    assert await world.notify.users.archive_user(world.user_id) is None
    user = world.fake.user(world.user_id)
    assert user["state"] == "inactive"
    assert user["services"] == []
    assert await world.notify.users.get_users_for_service(world.service_id) == []


# --- services ---------------------------------------------------------------------------------


async def test_create_service_makes_the_user_a_member(world: World) -> None:
    with request_context(user_id=world.user_id):
        service_id = await world.notify.services.create_service(
            "Jacquard Looms", "central", 1000, 100, 1000, 1000, True, world.user_id
        )
    service = (await world.notify.services.get_service(service_id))["data"]
    assert service["name"] == "Jacquard Looms"
    assert service["restricted"] is True
    assert service["email_sender_local_part"] == "jacquard.looms"
    members = await world.notify.users.get_users_for_service(service_id)
    assert [m["id"] for m in members] == [world.user_id]
    assert service_id in (await world.notify.users.get_user(world.user_id))["services"]


async def test_create_service_refuses_a_duplicate_name(world: World) -> None:
    with request_context(user_id=world.user_id), pytest.raises(BadRequestError) as caught:
        await world.notify.services.create_service(
            "analytical engines", "central", 1, 1, 1, 1, True, world.user_id
        )
    assert caught.value.message == {"name": ["Duplicate service name 'analytical engines'"]}


async def test_update_service_is_seen_by_the_next_read(world: World) -> None:
    notify = world.notify
    await notify.services.get_service(world.service_id)  # cached now
    with request_context(user_id=world.user_id):
        await notify.services.update_service(world.service_id, name="Difference Engines",
                                             restricted=False)
    service = (await notify.services.get_service(world.service_id))["data"]
    assert (service["name"], service["restricted"]) == ("Difference Engines", False)
    assert len(world.fake.find_requests("GET", route="/service/{service_id}")) == 2


async def test_get_services_filters_by_user_and_by_active(world: World) -> None:
    other = world.fake.add_user("Other")
    world.fake.add_service(other["id"], "Other service")
    mine = await world.notify.services.get_services({"user_id": world.user_id})
    assert [s["id"] for s in mine["data"]] == [world.service_id]
    assert len((await world.notify.services.get_services())["data"]) == 2
    await world.notify.services.archive_service(world.service_id, [])
    active = await world.notify.services.get_active_services({})
    assert [s["name"] for s in active["data"]] == ["Other service"]
    assert world.fake.requests[-1].query == (("only_active", "True"),)


async def test_archive_service_deactivates_renames_and_revokes_keys(world: World) -> None:
    key, _ = world.fake.add_api_key(world.service_id)
    assert await world.notify.services.archive_service(world.service_id, [world.user_id]) is None
    service = world.fake.service(world.service_id)
    assert service["active"] is False
    assert service["name"].startswith("_archived_")
    assert service["name"].endswith("Engines")
    keys = (await world.notify.api_keys.get_api_keys(world.service_id))["apiKeys"]
    assert keys[0]["id"] == key["id"]
    assert keys[0]["expiry_date"] is not None


# --- API keys ---------------------------------------------------------------------------------


async def test_api_keys_create_list_and_revoke(world: World) -> None:
    notify = world.notify
    with request_context(user_id=world.user_id):
        secret = await notify.api_keys.create_api_key(world.service_id, "ci", "normal")
        (key,) = (await notify.api_keys.get_api_keys(world.service_id))["apiKeys"]
        assert key["name"] == "ci"
        assert key["expiry_date"] is None
        assert secret != key["id"]
        assert json.dumps(key).find(secret) == -1
        assert await notify.api_keys.revoke_api_key(world.service_id, key["id"]) is None
        assert world.fake.requests[-1].status == 202
        (key,) = (await notify.api_keys.get_api_keys(world.service_id))["apiKeys"]
        assert key["expiry_date"] is not None
        with pytest.raises(BadRequestError):
            await notify.api_keys.create_api_key(world.service_id, "bad", "superuser")


# --- seeding ----------------------------------------------------------------------------------


def test_seeding_validates_like_the_api() -> None:
    fake = FakeNotifyAPI()
    with pytest.raises(ValueError, match="Not a valid email address"):
        fake.add_user(email_address="nope")
    with pytest.raises(ValueError, match="No result found"):
        fake.add_service("1e3d196d-bc69-4c0f-b4b4-72fb6fd3de2d")


def test_seeded_data_is_a_copy() -> None:
    fake = FakeNotifyAPI()
    user = fake.add_user()
    user["name"] = "changed"
    assert fake.user(user["id"])["name"] == "Test User"
